"""GuardDuty's ``BadRequestException``: the error every GuardDuty extension answers with.

It lives in the core because the core's own request reading and paging reject with it, and the
core imports no service.
"""

from __future__ import annotations

from typing import Any

from moto.guardduty.exceptions import GuardDutyException


class BadRequestException(GuardDutyException):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("BadRequestException", message)

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [("X-Amzn-ErrorType", "BadRequestException")]
