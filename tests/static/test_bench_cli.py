"""``guardduty-ecs-bench``, the test bench's commands: docs, a checkout, how they exit."""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path

import pytest

from guardduty_ecs_bench.cli import DISTRIBUTION, _diagnosis, build_parser, main

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
    assert main(["docs", "--check", "--root", str(root)]) == 2
    assert "guardduty-ecs-bench docs:" in capsys.readouterr().err


def test_commands_that_need_a_checkout_say_how_to_give_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GUARDDUTY_ECS_REPO", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"guardduty-ecs-bench demo: no checkout of this module in {tmp_path.resolve()} or its "
        "parents: run inside one, or give --repo or GUARDDUTY_ECS_REPO"
    )


def test_version_comes_from_the_bench_distribution(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == (
        f"guardduty-ecs-bench {metadata.version(DISTRIBUTION)}"
    )


class TerraformTestError(Exception):
    """Named as tftest names a failed Terraform run (the bench diagnoses it by its name)."""


def test_a_failed_terraform_run_exits_3_with_terraforms_diagnostics() -> None:
    code, lines = _diagnosis(TerraformTestError("plan", "Error: Invalid value for variable"))
    assert code == 3
    assert lines == ["terraform failed:\nError: Invalid value for variable"]


def test_every_command_is_in_the_contributing_table(repo_root: Path) -> None:
    contributing = (repo_root / "CONTRIBUTING.md").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert sorted(commands) == sorted(
        name for name in commands if f"| `guardduty-ecs-bench {name}" in contributing
    )
