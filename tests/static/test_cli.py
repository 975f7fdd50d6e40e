"""``guardduty-ecs``, the operator commands: what they do without AWS, and how they exit."""

from __future__ import annotations

import io
from importlib import metadata
from pathlib import Path

import pytest

from guardduty_ecs import cli
from guardduty_ecs.cli import DISTRIBUTION, build_parser, main
from guardduty_ecs.verify import outputs_from_terraform_json

pytestmark = pytest.mark.static


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
