"""The exit codes of ``guardduty-ecs`` and the one error type for user errors.

Modelled on pre-commit: each exit code means one thing, the same in every command. A user error
(a mistake of the user or of the environment: arguments, files, credentials, profile, Region,
endpoint, permissions) prints at most a few lines that name the fix and exits 2; a check that
fails exits 1; a bug exits 3 with a short hint; Ctrl-C exits 130. ``guardduty_ecs.diagnosis``
maps the errors of botocore to these codes.
"""

from __future__ import annotations

import textwrap

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USER_ERROR = 2
EXIT_UNEXPECTED = 3
EXIT_INTERRUPTED = 130

DEBUG_VARIABLE = "GUARDDUTY_ECS_DEBUG"

# What each exit code means, as every command's --help and the README list them.
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "all good"),
    (
        EXIT_CHECK_FAILED,
        "a check failed: coverage not healthy, an alert missing (drill FAIL or NOT ROUTED), a "
        "verify failure",
    ),
    (
        EXIT_USER_ERROR,
        "a mistake of the user or of the environment: arguments, files, credentials, profile, "
        "Region, endpoint, permissions; the message names the fix",
    ),
    (EXIT_UNEXPECTED, f"a bug: rerun with {DEBUG_VARIABLE}=1 for the traceback and report it"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
)


def exit_codes_text(width: int = 79) -> str:
    """The exit codes as a --help epilog."""
    return "exit codes:\n" + "\n".join(
        textwrap.fill(meaning, width, initial_indent=f"  {code:<5}", subsequent_indent=" " * 7)
        for code, meaning in EXIT_CODES
    )


class UserError(Exception):
    """Something the user can fix: a wrong option, a missing file, credentials, a Region. ``fix``
    says how, when the message alone does not."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix


class CheckFailed(Exception):
    """What was checked is not as it should be (an alert did not arrive, something was left)."""
