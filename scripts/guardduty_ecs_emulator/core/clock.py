"""The emulator's clock: real time plus what tests advanced it by.

Whatever AWS does after a while (publishing a finding's updates at the publishing frequency, a
list leaving ACTIVATING, a new member's features becoming writable) is timed on this clock, so
that tests move it (``POST /moto-api/guardduty-ecs/clock``) instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """The emulator's time for findings: the real time, plus what tests have advanced it by."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        self._offset = timedelta()


CLOCK = Clock()
