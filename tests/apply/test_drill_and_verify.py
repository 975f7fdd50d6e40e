"""The operator commands on an adopter's stack: a root that nests the module exactly as the
README's usage shows and re-exports nothing. The drill and verify find what is deployed in the
account themselves; with the alerts off, the drill says nothing would alert and exits 1."""

from __future__ import annotations

import subprocess
from pathlib import Path

import boto3
import pytest

from guardduty_ecs.cli import main
from guardduty_ecs_bench.deployment import deployed
from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_bench.validation import readme_usage_blocks, with_module_source

pytestmark = [
    pytest.mark.apply,
    pytest.mark.emulator_only(
        reason="applies the README's usage as written: fixed names, and Runtime Monitoring with "
        "Fargate and EC2 agent management for the whole account and Region"
    ),
]

ROOT = "consumer-root"
PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n}\n'
DRILLED = ["Execution:Runtime/ReverseShell", "AttackSequence:ECS/CompromisedCluster"]


def _write_root(workbench: Workbench, repo_root: Path, *, alerts_off: bool = False) -> None:
    (usage, *_) = readme_usage_blocks(repo_root / "README.md")
    main_tf = PROVIDER + with_module_source(usage, "../")
    assert "output " not in main_tf, "the README's usage re-exports nothing"
    if alerts_off:
        main_tf = main_tf.replace("  alerts = {\n", "  alerts = {\n    create = false\n", 1)
        assert "create = false" in main_tf
    directory = workbench.root / ROOT
    directory.mkdir(exist_ok=True)
    (directory / "main.tf").write_text(main_tf)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_drill_and_verify_work_on_a_root_that_reexports_nothing(
    workbench: Workbench,
    aws_session: boto3.Session,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in workbench.environment.items():
        monkeypatch.setenv(name, value)
    _write_root(workbench, repo_root)
    with deployed(workbench, ROOT, {}) as deployment:
        assert deployment.outputs == {}
        monkeypatch.chdir(workbench.root / ROOT)
        args = [arg for kind in DRILLED for arg in ("--finding-type", kind)]
        code, out, err = _run(capsys, "drill", "--timeout", "30", *args)
        print(out)  # the drill's report, for the closing note (-s)
        assert code == 0, out + err
        lines = out.splitlines()
        assert lines[-1] == "2 passed, 0 failed, 0 not routed"
        assert lines[0].startswith("PASS ")
        assert "[guardduty-ecs-runtime-findings-high]" in lines[0]
        assert "[guardduty-ecs-runtime-attack-sequences]" in lines[1]
        assert "every subscriber of the alert topics gets them" in err

        # The harness may have installed only the modules (its provider is shared); reading
        # the state needs the provider, as in an adopter's initialised root.
        subprocess.run(
            ["terraform", "init", "-input=false", "-no-color"],
            check=True,
            capture_output=True,
            env=workbench.environment,
        )
        code, out, err = _run(capsys, "verify", "--terraform-dir", ".")
        assert code == 0, out + err
        assert "PASS  the ECS attack sequence alerts" in out.splitlines()

        _write_root(workbench, repo_root, alerts_off=True)
        workbench.stack(ROOT).apply()
        code, out, err = _run(capsys, "drill", "--timeout", "5")
        print(err)
        assert code == 1
        assert out == ""
        (line,) = err.strip().splitlines()
        assert line.startswith(
            "guardduty-ecs drill: nothing would alert: no enabled EventBridge rule of the "
            "default bus in account 123456789012, us-east-1 takes GuardDuty events"
        )
