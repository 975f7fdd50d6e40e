"""The one error type for user errors, and the exit codes of ``guardduty-ecs``.

Modelled on pre-commit: a user error prints one line and exits 2, a check that fails exits 1,
anything unexpected exits 3 with a short hint, and Ctrl-C exits 130.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USER_ERROR = 2
EXIT_UNEXPECTED = 3
EXIT_INTERRUPTED = 130


class UserError(Exception):
    """Something the user can fix: a wrong option, a missing file, credentials, an extra."""


class CheckFailed(Exception):
    """What was checked is not as it should be (an alert did not arrive, something was left)."""
