"""The texts of GuardDuty's errors that several detection controls answer."""

from __future__ import annotations

INVALID_PARAMETERS = (
    "The request is rejected because the one or more input parameters have invalid values."
)
NO_SUCH_RESOURCE = "The request is rejected since no such resource found."
