"""A consumer's whole run, on the emulator by default and on a real account with make test-aws:
apply the alerts, verify them, let GuardDuty's own sample findings reach a subscriber (the drill),
plan again, destroy, and find nothing left behind.

On a real account nothing is faked: the findings are GuardDuty's sample findings, published by
GuardDuty to EventBridge. The run never changes a detector it did not create: when the region
already has one, only the alerts module is applied, and the drill uses that detector.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs.deployment import Deployment, deployed
from guardduty_ecs.drill import existing_sample_types, run_drill
from guardduty_ecs.harness import AWS_BACKEND, Backend, Workbench
from guardduty_ecs.terraform import TerraformSettings, stage_tree
from guardduty_ecs.verify import verify

pytestmark = [pytest.mark.apply, pytest.mark.runs_on_aws, pytest.mark.xdist_group("end-to-end")]

# Alerts go to these addresses on a real account only when they are given (each gets AWS's
# confirmation mail); otherwise nobody is subscribed by e-mail and verify says so.
EMAIL_VARIABLE = "GUARDDUTY_ECS_TEST_EMAIL"
RUN_TAG = "guardduty-ecs-test-run"
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
# What verify reports of a detector: judged only when this run created the detector.
DETECTOR_CHECKS = {"detector enabled", "Runtime Monitoring", "Fargate agent managed"}


@pytest.fixture(scope="module")
def existing_detector(backend: Backend) -> str | None:
    """The region's detector before the run, which the run must not change."""
    session = session_from_environment(backend.environment)
    guardduty = client(session, "guardduty", backend.endpoint_url)
    return next(iter(guardduty.list_detectors()["DetectorIds"]), None)


@pytest.fixture(scope="module")
def deployment(
    backend: Backend,
    tmp_path_factory: pytest.TempPathFactory,
    terraform_settings: TerraformSettings,
    repo_root: Path,
    existing_detector: str | None,
) -> Iterator[Deployment]:
    workbench = Workbench(
        stage_tree(Path(tmp_path_factory.mktemp("end-to-end")), repo_root),
        terraform_settings,
        terraform_settings.environment(backend.environment),
    )
    run_name = f"gdecs-e2e-{uuid.uuid4().hex[:6]}"  # unique: runs and leftovers never collide
    alerts: dict[str, Any] = {"name": run_name, "email_addresses": _email_addresses(backend)}
    tags = {RUN_TAG: run_name}
    if existing_detector:
        module, tf_vars = "modules/alerts", {**alerts, "tags": tags}
    else:
        module, tf_vars = ".", {"alerts": alerts, "tags": tags}
    with deployed(workbench, module, tf_vars) as applied:
        if existing_detector:
            applied.outputs["detector_id"] = existing_detector
        yield applied


def _email_addresses(backend: Backend) -> list[str]:
    if backend.name == AWS_BACKEND:
        return [address for address in os.environ.get(EMAIL_VARIABLE, "").split(",") if address]
    return ["secops@example.com"]


def test_verify_passes_but_for_unconfirmed_subscriptions(
    deployment: Deployment, existing_detector: str | None
) -> None:
    checks = verify(deployment.session, deployment.endpoint_url, hints=deployment.hints())
    allowed = DETECTOR_CHECKS if existing_detector else set()
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
