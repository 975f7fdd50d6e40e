"""Reading a GuardDuty request in an extension's handler: its JSON body and its detector."""

from __future__ import annotations

import json
import re
from typing import Any

from moto.guardduty.models import Detector
from moto.guardduty.responses import GuardDutyResponse

from guardduty_ecs_emulator.core.errors import BadRequestException


def request_body(response: GuardDutyResponse) -> dict[str, Any]:
    """The JSON body of the request (an empty body is an empty object)."""
    body = response.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    if not body:
        return {}
    try:
        parsed = json.loads(body)
    except ValueError as error:
        message = "The request is rejected because the body is not JSON."
        raise BadRequestException(message) from error
    if not isinstance(parsed, dict):
        raise BadRequestException("The request is rejected because the body is not an object.")
    return parsed


def detector_of(response: GuardDutyResponse) -> Detector:
    """The detector of the request path (moto's not-found error for an unknown one)."""
    match = re.search(r"/detector/([^/]+)/", response.path)
    detector_id = match.group(1) if match else ""
    return response.guardduty_backend.get_detector(detector_id)
