"""Where the extensions keep their state: on moto's detector objects.

State kept on a detector goes with the detector, and with a reset of the emulator, without a
store of its own to keep in step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.guardduty.models import Detector, guardduty_backends


def state_of(detector: Detector, name: str, factory: Callable[[], Any]) -> Any:
    """Emulator state kept on moto's detector (so it goes with the detector and a reset)."""
    return detector.__dict__.setdefault(f"_guardduty_ecs_{name}", factory())


def detectors(account_id: str, region: str) -> list[Detector]:
    """The GuardDuty detectors of an account and region."""
    return list(guardduty_backends[account_id][region].detectors.values())
