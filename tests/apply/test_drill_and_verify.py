"""The operator commands on an adopter's stack: a root that nests the module as the README's
usage shows, with the chat topic (no channel configuration: ``chat = {}``) and the raw-events
topic added, and re-exports nothing. The drill and verify find what is deployed in the account
themselves, every channel included: the drill proves each sample on the e-mail, chat and raw-events
topics and reads each as its channel needs; verify checks each channel's target, topic and key.
With the alerts off, the drill says nothing would alert and exits 1."""

from __future__ import annotations

import json
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


# The other topics of the alerts, from the same rules: chat without a channel configuration (the
# chat API is not needed for the topic) and the raw events.
CHANNELS = "    chat             = {}\n    raw_events_topic = true\n"
TOPICS = {
    "e-mail": "guardduty-ecs-runtime-alerts",
    "chat": "guardduty-ecs-runtime-alerts-chat",
    "raw events": "guardduty-ecs-runtime-alerts-raw-events",
}


def _write_root(workbench: Workbench, repo_root: Path, *, alerts_off: bool = False) -> None:
    (usage, *_) = readme_usage_blocks(repo_root / "README.md")
    main_tf = PROVIDER + with_module_source(usage, "../")
    assert "output " not in main_tf, "the README's usage re-exports nothing"
    main_tf = main_tf.replace("  alerts = {\n", "  alerts = {\n" + CHANNELS, 1)
    assert CHANNELS in main_tf
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
        # Each sample, then each channel it reached: found in the account, read as it needs.
        high, sequence = lines[0], lines[4]
        assert high.startswith("PASS ")
        assert "[guardduty-ecs-runtime-findings-high]" in high
        assert "[guardduty-ecs-runtime-attack-sequences]" in sequence
        for sample in (1, 5):
            channels = [line.split() for line in lines[sample : sample + 3]]
            assert [(c[0], " ".join(c[2:])) for c in channels] == [
                ("PASS", f"{channel}: {topic}") for channel, topic in TOPICS.items()
            ], out
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
        with capsys.disabled():
            print(out)  # verify's report, for the closing note (-s)
        assert code == 0, out + err
        assert "PASS  the ECS attack sequence alerts" in out.splitlines()
        # Every Region: the stack's, and the others skipped (no detector), in one document.
        code, out, err = _run(capsys, "verify", "--terraform-dir", ".", "--all-regions", "--json")
        assert code == 0, out + err
        document = json.loads(out)
        (read,) = [region for region in document["regions"] if region["status"] == "read"]
        assert read["region"] == "us-east-1"
        assert {"name": "the ECS attack sequence alerts", "verdict": "PASS"}.items() <= next(
            check for check in read["checks"] if check["name"] == "the ECS attack sequence alerts"
        ).items()
        assert document["summary"]["failed"] == 0
        # Each channel's target, topic and key, told apart by the state's topic resources.
        verdicts = {check["name"]: check["verdict"] for check in read["checks"]}
        high = "rule guardduty-ecs-runtime-findings-high"
        assert {
            f"{high} message": "PASS",
            f"{high} message (chat)": "PASS",
            f"{high} message (raw events)": "PASS",
            f"{high} keeps failed alerts": "PASS",
            f"{high} keeps failed alerts (chat)": "PASS",
            f"{high} keeps failed alerts (raw events)": "PASS",
            f"{high} alarm": "PASS",
            "chat topic policy lets EventBridge publish": "PASS",
            "chat topic policy lets the alarms publish": "PASS",
            "chat topic key policy lets EventBridge kms:GenerateDataKey": "PASS",
            "chat topic key policy lets the alarms kms:GenerateDataKey": "PASS",
            "raw-events topic policy lets EventBridge publish": "PASS",
            "dead-letter queue guardduty-ecs-runtime-alerts-dead-letters lets EventBridge send": (
                "PASS"
            ),
            # No channel configuration (chat = {}), nobody reads the raw events: warnings.
            "chat topic has a chat channel": "WARN",
            "raw-events topic has a subscriber": "WARN",
        }.items() <= verdicts.items()

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
        capsys.readouterr()  # what was printed for the closing note
        code, out, _ = _run(capsys, "drill", "--timeout", "5", "--output", "json")
        document = json.loads(out)
        assert (code, document["exit_code"]) == (1, 1)
        assert document["reason"] == line.removeprefix("guardduty-ecs drill: ")
