"""GuardDuty's responses for findings (CreateSampleFindings, ListFindings, GetFindings,
ArchiveFindings, UnarchiveFindings) on the rules of ``model``, and the emulator's clock endpoint,
which publishes the updates that moving the clock makes due.
"""

from __future__ import annotations

import json
from typing import Any

from moto.guardduty.responses import GuardDutyResponse

from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.requests import detector_of, request_body
from guardduty_ecs_emulator.services.guardduty.findings import model
from guardduty_ecs_emulator.services.guardduty.findings.model import (
    publish_all_due_updates,
    publish_due_updates,
    set_archived,
)
from guardduty_ecs_emulator.services.guardduty.findings.samples import iso, requested_types


def advance_clock(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``POST /moto-api/guardduty-ecs/clock`` with ``{"advance_seconds": N}``: move the
    emulator's time forward and publish every update that became due; answers the new time."""
    body = request.get_data() if hasattr(request, "get_data") else request.body
    seconds = json.loads(body or b"{}").get("advance_seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        return 400, {}, json.dumps({"message": "advance_seconds must be a number >= 0"})
    CLOCK.advance(seconds)
    publish_all_due_updates()
    return 200, {"Content-Type": "application/json"}, json.dumps({"now": iso(CLOCK.now())})


def create_sample_findings(self: GuardDutyResponse) -> str:
    body = request_body(self)
    detector = detector_of(self)
    model.create_sample_findings(detector, self.current_account, self.region, requested_types(body))
    return "{}"


def list_findings(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    publish_due_updates(detector, self.current_account, self.region)
    return json.dumps(model.list_findings(detector, request_body(self)))


def get_findings(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    publish_due_updates(detector, self.current_account, self.region)
    return json.dumps(model.get_findings(detector, request_body(self)))


def archive_findings(self: GuardDutyResponse) -> str:
    set_archived(detector_of(self), self.current_account, self.region, request_body(self), True)
    return "{}"


def unarchive_findings(self: GuardDutyResponse) -> str:
    set_archived(detector_of(self), self.current_account, self.region, request_body(self), False)
    return "{}"
