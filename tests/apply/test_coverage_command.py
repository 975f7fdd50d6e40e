"""``guardduty-ecs coverage`` against the emulator: pages, verdicts, regions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from guardduty_ecs.benchmark import measure_coverage
from guardduty_ecs.coverage import coverage, is_healthy
from guardduty_ecs.workloads import (
    enable_fargate_runtime_monitoring,
    register_fargate_task_definition,
)

pytestmark = [
    pytest.mark.apply,
    pytest.mark.emulator_only(
        reason=(
            "builds ECS clusters whose coverage the emulator derives at once; on AWS coverage "
            "needs running tasks with the agent"
        )
    ),
]


def test_calls_grow_with_pages_not_with_clusters(tmp_path: Path) -> None:
    figures = measure_coverage(120, tmp_path)
    assert (figures.rows, figures.api_calls) == (120, 1 + 3)  # ListDetectors + 3 pages of 50


def test_a_service_scaled_to_zero_makes_the_verdict_unhealthy(
    aws_client: Callable[[str], Any], aws_session: boto3.Session
) -> None:
    guardduty, ecs = aws_client("guardduty"), aws_client("ecs")
    enable_fargate_runtime_monitoring(guardduty)
    ecs.create_cluster(clusterName="payments")
    register_fargate_task_definition(ecs)
    ecs.create_service(
        cluster="payments",
        serviceName="app",
        taskDefinition="app",
        desiredCount=1,
        launchType="FARGATE",
    )
    endpoint = guardduty.meta.endpoint_url
    (healthy,) = coverage(aws_session, ["us-east-1"], endpoint)
    assert [(row.resource, row.status) for row in healthy.resources] == [("payments", "HEALTHY")]
    assert is_healthy([healthy])

    ecs.update_service(cluster="payments", service="app", desiredCount=0)
    us_east, eu_west = coverage(aws_session, ["us-east-1", "eu-west-1"], endpoint)
    assert [(row.resource, row.status) for row in us_east.resources] == [("payments", "UNHEALTHY")]
    assert eu_west.error == "no GuardDuty detector"
    assert not is_healthy([us_east])
