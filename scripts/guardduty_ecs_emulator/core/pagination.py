"""Pages of GuardDuty list operations: ``maxResults`` 1-50 and an opaque ``nextToken``.

Shared by the findings, coverage and detection-control lists so that they page (and reject a bad
``maxResults`` or token) alike.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from guardduty_ecs_emulator.core.errors import BadRequestException

MAX_RESULTS = 50  # MaxResults of ListFindings and ListCoverage: 1-50 in the model


def max_results(body: dict[str, Any]) -> int:
    """``maxResults`` of the request: 1-50, 50 when absent; anything else is rejected."""
    value = body.get("maxResults", MAX_RESULTS)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RESULTS:
        raise BadRequestException(
            f"The request is rejected because the input maxResults {value} is not valid: "
            f"it must be between 1 and {MAX_RESULTS}."
        )
    return value


def paginate(items: list[Any], body: dict[str, Any]) -> tuple[list[Any], str | None]:
    """One page of ``items`` for ``maxResults`` and ``nextToken``, and the next token."""
    limit = max_results(body)
    token = body.get("nextToken") or ""
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except (ValueError, binascii.Error) as error:
            raise BadRequestException(
                "The request is rejected because the input nextToken is not valid."
            ) from error
        if start < 0:
            raise BadRequestException(
                "The request is rejected because the input nextToken is not valid."
            )
    end = start + limit
    next_token = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], next_token
