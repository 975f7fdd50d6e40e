"""A consumer's whole run, on the emulator by default and on a real account with make test-aws:
apply the alerts, verify them, let GuardDuty's own sample findings reach a subscriber (the drill),
plan again, destroy, and find nothing left behind.

On a real account nothing is faked: the findings are GuardDuty's sample findings, published by
GuardDuty to EventBridge. When the run creates the detector it also tries, cheaply, every other
module a user applies to it: the findings export reaches PUBLISHING, a trusted IP list becomes
ACTIVE, a suppression rule archives a sample. It never turns on the Fargate agent: the drill
needs only sample findings, and the agent would reach every Fargate task of the Region for the
run's duration (ECS developer guide, Runtime Monitoring for Fargate: GuardDuty "Creates VPC
endpoints for GuardDuty for each VPC that hosts a cluster").

A Region that already has a detector is used only when GUARDDUTY_ECS_TEST_USE_EXISTING_DETECTOR=1:
sample findings in it are forwarded like real ones (other teams' rules, Security Hub, exports, a
delegated administrator). Then only the alerts module is applied; the drill archives its samples.
"""

from __future__ import annotations

import io
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs.drill import existing_sample_types, run_drill
from guardduty_ecs.probe import PROBE_NAME_PREFIX
from guardduty_ecs.verify import verify
from guardduty_ecs_bench.deployment import Deployment, deployed
from guardduty_ecs_bench.harness import AWS_BACKEND, Backend, Workbench
from guardduty_ecs_bench.leftovers import RunScope
from guardduty_ecs_bench.terraform import TerraformSettings, stage_tree

pytestmark = [pytest.mark.apply, pytest.mark.runs_on_aws, pytest.mark.xdist_group("end-to-end")]

# Alerts go to these addresses on a real account only when they are given (each gets AWS's
# confirmation mail); otherwise nobody is subscribed by e-mail and verify says so.
EMAIL_VARIABLE = "GUARDDUTY_ECS_TEST_EMAIL"
EXISTING_DETECTOR_VARIABLE = "GUARDDUTY_ECS_TEST_USE_EXISTING_DETECTOR"
RUN_TAG = "guardduty-ecs-test-run"
# A runtime type that no drill uses: the run's suppression rule archives its sample.
SUPPRESSED_TYPE = "Execution:Runtime/SuspiciousTool"
# A documentation range (RFC 5737): the run's trusted IP list trusts nobody real.
TRUSTED_RANGE = "192.0.2.0/24"
# Runtime types of High or Medium default severity (GuardDuty user guide), so that the default
# rules alert on them. The drill uses two that have no sample in the detector yet: GuardDuty
# publishes a new sample within about 5 minutes, an update only at the publishing frequency.
DRILL_CANDIDATES = [
    "Execution:Runtime/ReverseShell",
    "Execution:Runtime/NewBinaryExecuted",
    "Impact:Runtime/CryptoMinerExecuted",
    "PrivilegeEscalation:Runtime/RuncContainerEscape",
    "Execution:Runtime/MaliciousFileExecuted",
    "DefenseEvasion:Runtime/FilelessExecution",
    "PrivilegeEscalation:Runtime/DockerSocketAccessed",
    "Execution:Runtime/NewLibraryLoaded",
]
# What verify reports of a detector: judged only when this run created the detector, and the
# Fargate agent is off by design (see the module docstring).
DETECTOR_CHECKS = {"detector enabled", "Runtime Monitoring", "Fargate agent managed"}
# GuardDuty: a list's activation "is estimated to complete within 15 minutes. In certain
# scenarios, it may take up to 40 minutes" (user guide, entity lists and IP address lists);
# new findings are exported "within about 5 minutes" (user guide, exporting findings).
LIST_ACTIVATION_SECONDS = 40 * 60
EXPORT_SECONDS = 5 * 60


@pytest.fixture(scope="module")
def existing_detector(backend: Backend) -> str | None:
    """The region's detector before the run, which the run must not change."""
    session = session_from_environment(backend.environment)
    guardduty = client(session, "guardduty", backend.endpoint_url)
    detector = next(iter(guardduty.list_detectors()["DetectorIds"]), None)
    if (
        detector
        and backend.name == AWS_BACKEND
        and os.environ.get(EXISTING_DETECTOR_VARIABLE) != "1"
    ):
        pytest.skip(
            f"the Region already has GuardDuty detector {detector}: the drill's sample findings "
            "would be forwarded like real ones (other teams' rules, Security Hub, exports, a "
            f"delegated administrator); set {EXISTING_DETECTOR_VARIABLE}=1 to drill on it anyway"
        )
    return detector


@pytest.fixture(scope="module")
def run_name() -> str:
    return f"gdecs-e2e-{uuid.uuid4().hex[:6]}"  # unique: runs and leftovers never collide


@pytest.fixture(scope="module")
def list_bucket(backend: Backend, run_name: str, existing_detector: str | None) -> Iterator[str]:
    """The bucket the detection-controls module writes the run's trusted IP list to."""
    session = session_from_environment(backend.environment)
    s3 = client(session, "s3", backend.endpoint_url)
    account = client(session, "sts", backend.endpoint_url).get_caller_identity()["Account"]
    bucket = f"{run_name}-lists-{account}"
    location = (
        {}
        if session.region_name == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": session.region_name}}
    )
    s3.create_bucket(Bucket=bucket, **location)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": RUN_TAG, "Value": run_name}]})
    yield bucket
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=bucket)


@pytest.fixture(scope="module")
def run_workbench(
    backend: Backend,
    tmp_path_factory: pytest.TempPathFactory,
    terraform_settings: TerraformSettings,
    repo_root: Path,
) -> Workbench:
    return Workbench(
        stage_tree(Path(tmp_path_factory.mktemp("end-to-end")), repo_root),
        terraform_settings,
        terraform_settings.environment(backend.environment),
    )


@pytest.fixture(scope="module")
def deployment(
    backend: Backend,
    run_workbench: Workbench,
    existing_detector: str | None,
    run_name: str,
    list_bucket: str,
) -> Iterator[Deployment]:
    alerts: dict[str, Any] = {"name": run_name, "email_addresses": _email_addresses(backend)}
    tags = {RUN_TAG: run_name}
    if existing_detector:
        module, tf_vars = "modules/alerts", {**alerts, "tags": tags}
    else:
        module, tf_vars = (
            ".",
            {
                "alerts": alerts,
                "tags": tags,
                "runtime_monitoring": {"ecs_fargate_agent_management": False},
                "findings_export": {
                    "bucket_name": f"{list_bucket}-findings",
                    "force_destroy": True,
                },
                "list_bucket": list_bucket,
                "ip_sets": {run_name: {"content": f"{TRUSTED_RANGE}\n"}},
                "filters": {
                    f"{run_name}-suppress": {
                        "rank": 1,
                        "description": "Archives the run's own sample of an unused runtime type",
                        "criteria": {"type": {"equals": [SUPPRESSED_TYPE]}},
                    }
                },
            },
        )
    # On a shared account, only what carries the run's name or tag is the run's.
    scope = (
        RunScope(RUN_TAG, run_name, (run_name, PROBE_NAME_PREFIX))
        if backend.name == AWS_BACKEND
        else None
    )
    with deployed(run_workbench, module, tf_vars, scope) as applied:
        if existing_detector:
            applied.outputs["detector_id"] = existing_detector
        yield applied


def _eventually(read: Callable[[], Any], done: Callable[[Any], bool], seconds: float) -> Any:
    """``read()`` until ``done`` says so or ``seconds`` pass; the last value read."""
    deadline = time.monotonic() + seconds
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(5)
        value = read()
    return value


@pytest.fixture
def created_detector(deployment: Deployment, existing_detector: str | None) -> str:
    if existing_detector:
        pytest.skip("the run uses an existing detector: it applies only the alerts to it")
    return str(deployment.outputs["detector_id"])


def _email_addresses(backend: Backend) -> list[str]:
    if backend.name == AWS_BACKEND:
        return [address for address in os.environ.get(EMAIL_VARIABLE, "").split(",") if address]
    return ["secops@example.com"]


def test_verify_passes_but_for_unconfirmed_subscriptions(
    deployment: Deployment, existing_detector: str | None
) -> None:
    checks = verify(deployment.session, deployment.endpoint_url, hints=deployment.hints())
    allowed = DETECTOR_CHECKS if existing_detector else {"Fargate agent managed"}
    failed = [check.name for check in checks if not check.passed and check.name not in allowed]
    # Confirming a subscription takes a person; the emulator confirms at once.
    assert all(
        name == "e-mail subscriptions" or name.startswith("subscription ") for name in failed
    ), failed
    assert any(check.name == "topic policy lets EventBridge publish" for check in checks)


def test_guardduty_sample_findings_reach_a_subscriber(deployment: Deployment) -> None:
    """The drill: GuardDuty's sample findings, published by GuardDuty, arrive on a probe
    subscribed to the topic; it waits as long as GuardDuty may take (see drill.py)."""
    guardduty = deployment.client("guardduty")
    sampled = existing_sample_types(guardduty, deployment.outputs["detector_id"], DRILL_CANDIDATES)
    finding_types = [kind for kind in DRILL_CANDIDATES if kind not in sampled][:2]
    if len(finding_types) < 2:
        pytest.skip(
            "every candidate type already has a sample finding in this detector: GuardDuty would "
            "publish the drill's updates only at the finding publishing frequency"
        )
    progress = io.StringIO()
    results = run_drill(
        deployment.session,
        finding_types,
        hints=deployment.hints(),
        endpoint_url=deployment.endpoint_url,
        progress=progress,
    )
    assert sorted(result.name.split(" ")[0] for result in results) == sorted(finding_types)
    assert all(result.passed for result in results), progress.getvalue()


def test_second_plan_is_empty(deployment: Deployment) -> None:
    assert deployment.stack.pending_changes() == []


def test_findings_export_reaches_publishing(deployment: Deployment, created_detector: str) -> None:
    guardduty = deployment.client("guardduty")
    status = _eventually(
        lambda: guardduty.describe_publishing_destination(
            DetectorId=created_detector,
            DestinationId=deployment.outputs["publishing_destination_id"],
        )["Status"],
        lambda value: value == "PUBLISHING",
        EXPORT_SECONDS,
    )
    assert status == "PUBLISHING"


def test_trusted_ip_list_becomes_active(
    deployment: Deployment, created_detector: str, run_name: str
) -> None:
    guardduty = deployment.client("guardduty")
    ip_set_id = deployment.outputs["ip_set_ids"][run_name]
    status = _eventually(
        lambda: guardduty.get_ip_set(DetectorId=created_detector, IpSetId=ip_set_id)["Status"],
        lambda value: value not in ("INACTIVE", "ACTIVATING"),
        LIST_ACTIVATION_SECONDS,
    )
    assert status == "ACTIVE"


def test_suppression_rule_archives_its_sample(
    deployment: Deployment, created_detector: str
) -> None:
    guardduty = deployment.client("guardduty")
    guardduty.create_sample_findings(DetectorId=created_detector, FindingTypes=[SUPPRESSED_TYPE])
    criteria = {"Criterion": {"type": {"Eq": [SUPPRESSED_TYPE]}}}
    finding_ids = _eventually(
        lambda: guardduty.list_findings(DetectorId=created_detector, FindingCriteria=criteria)[
            "FindingIds"
        ],
        bool,
        EXPORT_SECONDS,
    )
    assert finding_ids, f"no sample of {SUPPRESSED_TYPE} appeared"
    findings = guardduty.get_findings(DetectorId=created_detector, FindingIds=finding_ids)
    assert [finding["Service"]["Archived"] for finding in findings["Findings"]] == [True] * len(
        finding_ids
    )
