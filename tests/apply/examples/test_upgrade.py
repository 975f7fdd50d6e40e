"""Upgrading from the previous release destroys and replaces nothing.

The previous release's tree applies an example to the emulator; then the current tree (module
and example) takes over the same state, and its plan may update resources in place but must not
destroy or replace any.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from guardduty_ecs_bench.harness import Workbench, initialised_stack
from guardduty_ecs_bench.terraform import stage_tree

pytestmark = [
    pytest.mark.apply,
    pytest.mark.emulator_only(reason="applies two versions of the module to one fresh emulator"),
]

# The last release consumers have: main before the renames of alerts.create and
# findings_rule_arns (no tags are published yet).
PREVIOUS_RELEASE = "a123491"
TREE = ["main.tf", "variables.tf", "outputs.tf", "versions.tf", "modules", "examples"]
EXAMPLE = "examples/complete"


def _previous_tree(repo_root: Path, destination: Path) -> Path:
    """The Terraform tree of PREVIOUS_RELEASE, from git history."""
    exists = subprocess.run(
        ["git", "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"],
        cwd=repo_root,
        capture_output=True,
        check=False,
    )
    if exists.returncode != 0:
        pytest.skip(f"the checkout has no history of {PREVIOUS_RELEASE} (a shallow clone?)")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", PREVIOUS_RELEASE, *TREE],
        cwd=repo_root,
        capture_output=True,
        check=True,
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def test_upgrade_from_the_previous_release_replaces_nothing(
    repo_root: Path,
    tmp_path: Path,
    workbench: Workbench,
    clean_emulator,
) -> None:
    previous = _previous_tree(repo_root, tmp_path / "previous")
    old_stack = initialised_stack(previous / EXAMPLE, workbench.environment)
    old_stack.apply()
    # The current tree in a fresh folder (so that files the release removed are gone), with the
    # previous release's state: what a consumer has after changing `?ref=`.
    current = stage_tree(tmp_path / "current", repo_root)
    shutil.copy2(previous / EXAMPLE / "terraform.tfstate", current / EXAMPLE / "terraform.tfstate")
    stack = initialised_stack(current / EXAMPLE, workbench.environment)
    try:
        changes = stack.pending_changes()
        # Only in-place updates and additions: no delete, no replace (the plan log's action for
        # delete-and-create in either order), nothing dropped from the state.
        destroying = [c for c in changes if not c.endswith((": update", ": create"))]
        updated = [c for c in changes if c.endswith(": update")]
        assert destroying == []
        # The fidelity fixes change the alert policies in place; something must be planned,
        # or the comparison is hollow.
        assert updated
    finally:
        stack.destroy()
