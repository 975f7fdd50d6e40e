"""The emulator's clock: real time plus what tests advanced it by.

Whatever AWS does after a while (publishing a finding's updates at the publishing frequency, a
list leaving ACTIVATING, a new member's features becoming writable) is timed on this clock, so
that tests move it (``POST /moto-api/guardduty-ecs/clock``) instead of sleeping. Extensions whose
work falls due on this clock (API destination retries) listen to its advances.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    """The emulator's time for findings: the real time, plus what tests have advanced it by."""

    def __init__(self) -> None:
        self._offset = timedelta()
        # Called after each advance: what became due then happens (retries of API destinations).
        self.after_advance: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)
        for listener in list(self.after_advance):
            listener()

    def reset(self) -> None:
        self._offset = timedelta()


CLOCK = Clock()
