"""The maintainer commands of ``guardduty-ecs`` that need no AWS."""

from __future__ import annotations

import io
import shutil
from importlib import metadata
from pathlib import Path

import pytest

from guardduty_ecs import cli
from guardduty_ecs.cli import DISTRIBUTION, build_parser, main
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
    assert main(["docs", "--check", "--root", str(root)]) == 2
    assert "guardduty-ecs docs:" in capsys.readouterr().err


def test_verify_reads_outputs_and_rejects_what_is_not_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text("not json")
    assert main(["verify", "--outputs", str(outputs)]) == 2  # a user error
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(
        "guardduty-ecs verify: the outputs are not JSON (terraform output -json)"
    )


def test_verify_unwraps_terraform_output_values() -> None:
    document = {"detector_id": {"value": "abc", "type": "string", "sensitive": False}}
    assert outputs_from_terraform_json(document) == {"detector_id": "abc"}


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"guardduty-ecs {metadata.version(DISTRIBUTION)}"


def test_commands_that_need_a_checkout_say_how_to_give_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GUARDDUTY_ECS_REPO", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"guardduty-ecs demo: no checkout of this module in {tmp_path.resolve()} or its "
        "parents: run inside one, or give --repo or GUARDDUTY_ECS_REPO"
    )


def test_unexpected_errors_exit_3_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli.verify, "outputs_from_terraform_json", broken)
    monkeypatch.setattr("sys.stdin", io.StringIO("{}"))
    assert main(["verify", "--outputs", "-"]) == 3
    assert capsys.readouterr().err.splitlines() == [
        "guardduty-ecs verify: unexpected error: RuntimeError: boom",
        "hint: rerun with GUARDDUTY_ECS_DEBUG=1 for the traceback",
    ]


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.verify, "outputs_from_terraform_json", interrupted)
    monkeypatch.setattr("sys.stdin", io.StringIO("{}"))
    assert main(["verify", "--outputs", "-"]) == 130


def test_every_command_is_in_the_readme_table(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert sorted(commands) == sorted(
        name for name in commands if f"| `guardduty-ecs {name}" in readme
    )
