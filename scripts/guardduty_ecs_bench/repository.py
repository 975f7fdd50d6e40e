"""Where the module's Terraform tree is: given explicitly, or the checkout the command runs in.

The operator commands need no tree. The demo, the benchmark and ``docs`` do, and an installed
package does not carry one, so it is found from ``--repo``, then ``GUARDDUTY_ECS_REPO``, then the
current directory and its parents, never from where the package is installed.
"""

from __future__ import annotations

import os
from pathlib import Path

from guardduty_ecs.errors import UserError

REPO_VARIABLE = "GUARDDUTY_ECS_REPO"
# Files that only this module's root has, together.
_MARKERS = ("versions.tf", "modules/alerts/main.tf", "modules/runtime-monitoring/main.tf")


def is_repository(path: Path) -> bool:
    return all((path / marker).is_file() for marker in _MARKERS)


def find_repository(
    explicit: str | Path | None = None,
    *,
    environment: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Path:
    """The root of the Terraform tree, or a UserError that says how to give it."""
    given = explicit or (os.environ if environment is None else environment).get(REPO_VARIABLE)
    if given:
        root = Path(given).expanduser().resolve()
        if not is_repository(root):
            raise UserError(f"{root} is not a checkout of this module (no {', '.join(_MARKERS)})")
        return root
    start = (cwd or Path.cwd()).resolve()
    for candidate in (start, *start.parents):
        if is_repository(candidate):
            return candidate
    raise UserError(
        f"no checkout of this module in {start} or its parents: run inside one, or give "
        f"--repo or {REPO_VARIABLE}"
    )
