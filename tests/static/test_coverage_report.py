"""How the coverage command turns ListCoverage resources into rows and a verdict."""

from __future__ import annotations

import io

import pytest

from guardduty_ecs.coverage import CoveredResource, RegionCoverage, _row, is_healthy, report

pytestmark = pytest.mark.static

ECS_ITEM = {
    "ResourceId": "payments",
    "CoverageStatus": "UNHEALTHY",
    "Issue": "No agent reporting",
    "ResourceDetails": {
        "ResourceType": "ECS",
        "EcsClusterDetails": {
            "ClusterName": "payments",
            "FargateDetails": {"Issues": ["No agent reporting"], "ManagementType": "AUTO_MANAGED"},
        },
    },
}
EC2_ITEM = {
    "ResourceId": "i-0123",
    "CoverageStatus": "HEALTHY",
    "ResourceDetails": {
        "ResourceType": "EC2",
        "Ec2InstanceDetails": {
            "InstanceId": "i-0123",
            "ClusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/batch",
            "ManagementType": "AUTO_MANAGED",
        },
    },
}


def test_rows_name_the_cluster_or_the_instance_and_merge_issues() -> None:
    assert _row("us-east-1", ECS_ITEM) == CoveredResource(
        "us-east-1", "ECS", "payments", "UNHEALTHY", "AUTO_MANAGED", "No agent reporting"
    )
    assert _row("us-east-1", EC2_ITEM).resource == "i-0123 (batch)"


def test_unhealthy_resources_and_unreadable_regions_fail_the_verdict() -> None:
    healthy = RegionCoverage("us-east-1", [_row("us-east-1", EC2_ITEM)], api_calls=2)
    assert is_healthy([healthy])
    assert not is_healthy([healthy, RegionCoverage("eu-west-1", [_row("eu-west-1", ECS_ITEM)])])
    assert not is_healthy([healthy, RegionCoverage("eu-west-1", error="AccessDenied")])


def test_report_is_a_table_with_totals() -> None:
    out = io.StringIO()
    report([RegionCoverage("us-east-1", [_row("us-east-1", ECS_ITEM)], api_calls=2)], out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["REGION", "TYPE", "RESOURCE", "STATUS", "MANAGEMENT", "ISSUE"]
    assert lines[1].split()[:5] == ["us-east-1", "ECS", "payments", "UNHEALTHY", "AUTO_MANAGED"]
    assert lines[-1] == "1 resources, 1 not healthy, in 1 regions (2 API calls)"
