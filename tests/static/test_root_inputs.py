"""The root module passes every input of the submodules it composes (the twin of
test_root_outputs.py): a submodule input the root does not pass is one a consumer of the root
cannot set, and a pass-through attribute missing from the root's object type is always null."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.static

# Module call name in main.tf -> folder.
COMPOSED = {
    "runtime_monitoring": "modules/runtime-monitoring",
    "alerts": "modules/alerts",
    "detection_controls": "modules/detection-controls",
    "findings_export": "modules/findings-export",
}
VARIABLE = re.compile(r'^variable "(\w+)"', re.MULTILINE)
ARGUMENT = re.compile(r"^  (\w+)\s*=\s*(.+)$", re.MULTILINE)
# `var.<object>.<attribute>`, bare or inside try(..., null).
ATTRIBUTE_OF_ROOT_OBJECT = re.compile(r"var\.(\w+)\.(\w+)")


def _module_call(root: Path, name: str) -> str:
    text = (root / "main.tf").read_text()
    match = re.search(rf'^module "{name}" \{{\n(.*?)^\}}', text, re.MULTILINE | re.DOTALL)
    assert match, f'main.tf has no module "{name}"'
    return match.group(1)


def _root_variable_block(root: Path, name: str) -> str:
    text = (root / "variables.tf").read_text()
    match = re.search(rf'^variable "{name}" \{{\n(.*?)^\}}', text, re.MULTILINE | re.DOTALL)
    assert match, f'variables.tf has no variable "{name}"'
    return match.group(1)


@pytest.mark.parametrize("call", COMPOSED)
def test_root_passes_every_input_of(repo_root: Path, call: str) -> None:
    inputs = set(VARIABLE.findall((repo_root / COMPOSED[call] / "variables.tf").read_text()))
    passed = dict(ARGUMENT.findall(_module_call(repo_root, call)))
    assert inputs - set(passed) == set(), f"main.tf's {call} call does not pass them"


@pytest.mark.parametrize("call", COMPOSED)
def test_every_passed_attribute_is_in_the_root_object(repo_root: Path, call: str) -> None:
    for argument, value in ARGUMENT.findall(_module_call(repo_root, call)):
        for root_object, attribute in ATTRIBUTE_OF_ROOT_OBJECT.findall(value):
            block = _root_variable_block(repo_root, root_object)
            assert re.search(rf"^\s+{attribute}\s*=", block, re.MULTILINE), (
                f"{call}.{argument} reads var.{root_object}.{attribute}, "
                f"which the root's {root_object} type does not declare"
            )


def test_the_check_sees_a_missing_input(repo_root: Path, tmp_path: Path) -> None:
    """The parsing itself must be able to fail: drop one argument and it is reported."""
    (tmp_path / "main.tf").write_text(
        (repo_root / "main.tf")
        .read_text()
        .replace("  min_severity            = var.alerts.min_severity\n", "")
    )
    passed = dict(ARGUMENT.findall(_module_call(tmp_path, "alerts")))
    assert "min_severity" not in passed
    assert "name" in passed
