"""The maintainer commands of ``guardduty-ecs`` that need no AWS."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guardduty_ecs.cli import main
from guardduty_ecs.verify import outputs_from_terraform_json

pytestmark = pytest.mark.static

REPO = Path(__file__).resolve().parents[2]


def _copy_module(destination: Path) -> Path:
    shutil.copytree(REPO / "modules" / "runtime-monitoring", destination)
    return destination


def test_docs_check_passes_on_current_tables(tmp_path: Path) -> None:
    root = _copy_module(tmp_path / "repo")
    assert main(["docs", "--check", "--root", str(root)]) == 0


def test_docs_check_fails_on_stale_tables_and_docs_fixes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy_module(tmp_path / "repo")
    variables = root / "variables.tf"
    variables.write_text(
        variables.read_text()
        + '\nvariable "extra" {\n  description = "Added."\n  type = string\n  default = "x"\n}\n'
    )
    assert main(["docs", "--check", "--root", str(root)]) == 1
    assert "README.md is out of date" in capsys.readouterr().out
    assert main(["docs", "--root", str(root)]) == 0
    assert "[extra](#input\\_extra)" in (root / "README.md").read_text()
    assert main(["docs", "--check", "--root", str(root)]) == 0


def test_docs_reports_missing_markers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy_module(tmp_path / "repo")
    (root / "README.md").write_text("# no markers\n")
    assert main(["docs", "--check", "--root", str(root)]) == 1
    assert "guardduty-ecs docs:" in capsys.readouterr().err


def test_verify_reads_outputs_and_rejects_what_is_not_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text("not json")
    assert main(["verify", "--outputs", str(outputs)]) == 1
    assert "the outputs are not JSON (terraform output -json)" in capsys.readouterr().err


def test_verify_unwraps_terraform_output_values() -> None:
    document = {"detector_id": {"value": "abc", "type": "string", "sensitive": False}}
    assert outputs_from_terraform_json(document) == {"detector_id": "abc"}
