"""Apply every example against the emulator, read the result back with boto3, re-plan, destroy.

The blog example (examples/ecs-fargate) goes through this lifecycle inside the README's main job,
the demo, which deploys it anyway: the suite applies it once.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from guardduty_ecs.aws import read_detector
from guardduty_ecs.drill import PASS, run_drill
from guardduty_ecs.verify import verify
from guardduty_ecs_bench.demo import DEMO_EXAMPLE, run_demo
from guardduty_ecs_bench.deployment import Deployment
from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_bench.leftovers import remaining_resources

pytestmark = [
    pytest.mark.apply,
    pytest.mark.emulator_only(
        reason=(
            "starts each example from a reset, empty emulator and checks that nothing else exists "
            "after destroy"
        )
    ),
]

AGENT_MODES = ("EC2_AGENT_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EKS_ADDON_MANAGEMENT")
PROTECTION_PLANS = (
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "LAMBDA_NETWORK_LOGS",
)


@dataclass(frozen=True)
class Expected:
    """What GuardDuty must report after an example is applied."""

    agents_enabled: frozenset[str]
    plans_enabled: frozenset[str]
    tags: dict[str, str]
    # GuardDuty adds its own endpoint to the example's VPC, which destroy must remove.
    guardduty_endpoint_in_vpc: bool = False
    # A suppression rule, active trusted IP and threat lists, and a findings export.
    detection_controls: bool = False


EXAMPLES = {
    "examples/minimal": Expected(
        agents_enabled=frozenset({"ECS_FARGATE_AGENT_MANAGEMENT"}),
        plans_enabled=frozenset(),
        tags={},
    ),
    "examples/ecs-fargate": Expected(
        agents_enabled=frozenset({"ECS_FARGATE_AGENT_MANAGEMENT"}),
        plans_enabled=frozenset(),
        tags={"Example": "ecs-fargate", "Repository": "terraform-aws-guardduty-ecs-runtime"},
        guardduty_endpoint_in_vpc=True,
    ),
    "examples/complete": Expected(
        agents_enabled=frozenset(AGENT_MODES),
        plans_enabled=frozenset(PROTECTION_PLANS),
        tags={"Example": "complete", "Repository": "terraform-aws-guardduty-ecs-runtime"},
        detection_controls=True,
    ),
}


def _status(enabled: bool) -> str:
    return "ENABLED" if enabled else "DISABLED"


def _assert_detection_controls(guardduty: Any, outputs: dict[str, Any]) -> None:
    """The filter, the lists and the export are in place, and GuardDuty can use them."""
    detector_id = outputs["detector_id"]
    (name,) = outputs["filter_arns"]
    assert guardduty.get_filter(DetectorId=detector_id, FilterName=name)["Action"] == "ARCHIVE"
    (ip_set_id,) = guardduty.list_ip_sets(DetectorId=detector_id)["IpSetIds"]
    ip_set = guardduty.get_ip_set(DetectorId=detector_id, IpSetId=ip_set_id)
    assert (ip_set["Status"], ip_set["Location"]) == (
        "ACTIVE",
        outputs["list_locations"]["ip-sets/office"],
    )
    (threat_set_id,) = guardduty.list_threat_intel_sets(DetectorId=detector_id)["ThreatIntelSetIds"]
    threat_set = guardduty.get_threat_intel_set(
        DetectorId=detector_id, ThreatIntelSetId=threat_set_id
    )
    assert threat_set["Status"] == "ACTIVE"
    # PUBLISHING only when the bucket and key policies let GuardDuty write (the emulator
    # evaluates them as the "Exporting findings" page documents).
    destination = guardduty.describe_publishing_destination(
        DetectorId=detector_id, DestinationId=outputs["publishing_destination_id"]
    )
    assert destination["Status"] == "PUBLISHING"
    assert destination["DestinationProperties"]["DestinationArn"].startswith(
        outputs["findings_bucket_arn"] + "/"
    )


def _assert_findings_exported(deployment: Deployment) -> None:
    """A published sample finding is exported below the prefix (the emulator writes it as
    GuardDuty does), so the destroy that follows meets a versioned bucket with objects in it and
    passes only because the example sets findings_export.force_destroy."""
    outputs, guardduty = deployment.outputs, deployment.client("guardduty")
    guardduty.create_sample_findings(
        DetectorId=outputs["detector_id"], FindingTypes=["Execution:Runtime/ReverseShell"]
    )
    destination_arn = guardduty.describe_publishing_destination(
        DetectorId=outputs["detector_id"], DestinationId=outputs["publishing_destination_id"]
    )["DestinationProperties"]["DestinationArn"]
    bucket, prefix = destination_arn.split(":::", 1)[1].split("/", 1)
    s3 = deployment.client("s3")
    assert s3.head_object(Bucket=bucket, Key=f"{prefix}/")["ContentLength"] == 0  # the folder
    exported = s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/AWSLogs/")["Contents"]
    assert [obj["Key"].endswith(".jsonl.gz") for obj in exported] == [True]


def _assert_example_deployed(example: str, deployment: Deployment) -> None:
    """GuardDuty reports what ``example`` configures, and its outputs agree."""
    expected = EXAMPLES[example]
    outputs = deployment.outputs
    detector = read_detector(deployment.client("guardduty"), outputs["detector_id"])

    assert detector.status == "ENABLED"
    assert detector.finding_publishing_frequency == "FIFTEEN_MINUTES"
    assert detector.tags == expected.tags
    assert detector.features["RUNTIME_MONITORING"] == "ENABLED"
    assert "EKS_RUNTIME_MONITORING" not in detector.features
    assert detector.additional_configuration["RUNTIME_MONITORING"] == {
        mode: _status(mode in expected.agents_enabled) for mode in AGENT_MODES
    }
    assert {name: detector.features[name] for name in PROTECTION_PLANS} == {
        name: _status(name in expected.plans_enabled) for name in PROTECTION_PLANS
    }
    # The output reports what GuardDuty reports.
    assert (
        outputs["runtime_monitoring"]["additional_configuration"]
        == (detector.additional_configuration["RUNTIME_MONITORING"])
    )

    if expected.guardduty_endpoint_in_vpc:
        endpoints = deployment.client("ec2").describe_vpc_endpoints(
            Filters=[
                {"Name": "vpc-id", "Values": [outputs["vpc_id"]]},
                {"Name": "tag:GuardDutyManaged", "Values": ["true"]},
            ]
        )["VpcEndpoints"]
        assert [e["ServiceName"] for e in endpoints] == ["com.amazonaws.us-east-1.guardduty-data"]

    if expected.detection_controls:
        _assert_detection_controls(deployment.client("guardduty"), outputs)
        _assert_findings_exported(deployment)


def _assert_operator_commands_pass(deployment: Deployment) -> None:
    """verify and the drill on the outputs that examples/minimal exports (detector_id,
    sns_topic_arn), which once made the drill pass a High finding without waiting for it."""
    hints = deployment.hints()
    checks = verify(deployment.session, deployment.endpoint_url, hints=hints)
    # The example subscribes nobody unless given addresses, and verify says so.
    assert [check.name for check in checks if not check.passed] == ["e-mail subscriptions"]
    results = run_drill(
        deployment.session,
        ["Execution:Runtime/ReverseShell", "AttackSequence:ECS/CompromisedCluster"],
        timeout=20,
        hints=hints,
        endpoint_url=deployment.endpoint_url,
        progress=io.StringIO(),
    )
    assert [(result.status, result.latency_seconds is not None) for result in results] == [
        (PASS, True),
        (PASS, True),
    ]


@pytest.mark.parametrize("example", sorted(set(EXAMPLES) - {DEMO_EXAMPLE}))
def test_example_lifecycle(workbench: Workbench, aws_session: boto3.Session, example: str) -> None:
    endpoint = workbench.environment["AWS_ENDPOINT_URL"]
    stack = workbench.stack(example)
    stack.apply()
    try:
        deployment = Deployment(stack, stack.outputs(), aws_session, endpoint)
        _assert_example_deployed(example, deployment)
        if example == "examples/minimal":
            _assert_operator_commands_pass(deployment)
        assert stack.pending_changes() == [], "a second plan must be empty"
    finally:
        stack.destroy()
    assert remaining_resources(aws_session, endpoint) == {}


def test_blog_example_lifecycle_is_the_demo(repo_root: Path, tmp_path: Path) -> None:
    """The README's main job applies the blog example (checked as every example is, right after
    apply), runs the blog scenario, re-plans and destroys, and says what it proved."""
    out = io.StringIO()
    run_demo(
        out,
        repo_root,
        tmp_path,
        after_apply=lambda deployment: _assert_example_deployed(DEMO_EXAMPLE, deployment),
    )
    report = out.getvalue()
    # Coverage healthy after apply, and again once the service is restored.
    row = "us-east-1  123456789012  ECS   guardduty-fargate  HEALTHY  AUTO_MANAGED"
    assert report.count(row) == 2
    # The Unhealthy alert and the finding alerts, as the e-mail reads them.
    assert '"GuardDuty Runtime Monitoring coverage is UNHEALTHY (was HEALTHY)"' in report
    assert '"Type: Execution:Runtime/ReverseShell"' in report
    assert '"GuardDuty Medium severity runtime finding"' in report
    assert "5 passed, 0 failed, 0 not routed" in report  # the drill, scale-to-zero included
    assert re.search(r"\n\d+ passed, 0 failed, 0 warnings\n", report)  # verify
    assert '"GuardDuty attack sequence: ' in report
    assert "== second plan: empty" in report
    assert "nothing left behind" in report
