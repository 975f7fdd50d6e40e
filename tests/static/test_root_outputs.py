"""The root module re-exports every output of the submodules it composes, under the same name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.static

COMPOSED = (
    "modules/runtime-monitoring",
    "modules/alerts",
    "modules/detection-controls",
    "modules/findings-export",
)
OUTPUT = re.compile(r'^output "(\w+)"', re.MULTILINE)


def _outputs(path: Path) -> set[str]:
    return set(OUTPUT.findall(path.read_text()))


@pytest.mark.parametrize("module", COMPOSED)
def test_root_re_exports_every_output_of(repo_root: Path, module: str) -> None:
    submodule = _outputs(repo_root / module / "outputs.tf")
    assert submodule, f"{module} has no outputs.tf outputs"
    assert submodule - _outputs(repo_root / "outputs.tf") == set()


def test_map_outputs_have_plural_names(repo_root: Path) -> None:
    """An output built with a `for` expression into a map is named in the plural."""
    text = (repo_root / "modules" / "alerts" / "outputs.tf").read_text()
    for name, body in re.findall(r'^output "(\w+)" \{(.*?)^\}', text, re.MULTILINE | re.DOTALL):
        if re.search(r"value\s*=\s*\{\s*for ", body):
            assert name.endswith("s"), f"{name} is a map: give it a plural name"
