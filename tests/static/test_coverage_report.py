"""How the coverage command turns ListCoverage resources into rows and a verdict."""

from __future__ import annotations

import io
import json

import pytest

from guardduty_ecs.cli import main
from guardduty_ecs.coverage import (
    AccountTotals,
    CoveredResource,
    RegionCoverage,
    _row,
    account_ids,
    is_healthy,
    report,
    totals,
)
from guardduty_ecs.errors import EXIT_USER_ERROR, UserError

pytestmark = pytest.mark.static

ADMIN, MEMBER = "111111111111", "222222222222"
ECS_ITEM = {
    "ResourceId": "payments",
    "AccountId": MEMBER,
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
        "us-east-1", MEMBER, "ECS", "payments", "UNHEALTHY", "AUTO_MANAGED", "No agent reporting"
    )
    assert _row("us-east-1", EC2_ITEM).resource == "i-0123 (batch)"
    assert _row("us-east-1", EC2_ITEM).account == "", "an item without accountId"


def test_unhealthy_resources_and_unreadable_regions_fail_the_verdict() -> None:
    healthy = RegionCoverage("us-east-1", [_row("us-east-1", EC2_ITEM)], api_calls=2)
    assert is_healthy([healthy])
    assert not is_healthy([healthy, RegionCoverage("eu-west-1", [_row("eu-west-1", ECS_ITEM)])])
    assert not is_healthy([healthy, RegionCoverage("eu-west-1", error="AccessDenied")])


def test_report_is_a_table_with_totals() -> None:
    out = io.StringIO()
    report([RegionCoverage("us-east-1", [_row("us-east-1", ECS_ITEM)], api_calls=2)], out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == [
        "REGION",
        "ACCOUNT",
        "TYPE",
        "RESOURCE",
        "STATUS",
        "MANAGEMENT",
        "ISSUE",
    ]
    assert lines[1].split()[:6] == [
        "us-east-1",
        MEMBER,
        "ECS",
        "payments",
        "UNHEALTHY",
        "AUTO_MANAGED",
    ]
    assert lines[-1] == "1 resources, 1 not healthy, in 1 regions (2 API calls)"


def _resource(region: str, account: str, name: str, status: str) -> CoveredResource:
    return CoveredResource(region, account, "ECS", name, status, "AUTO_MANAGED", "")


ORGANIZATION = [
    RegionCoverage(
        "us-east-1",
        [
            _resource("us-east-1", MEMBER, "a", "UNHEALTHY"),
            _resource("us-east-1", ADMIN, "b", "HEALTHY"),
            _resource("us-east-1", MEMBER, "c", "HEALTHY"),
        ],
        api_calls=2,
    ),
    RegionCoverage("eu-west-1", [_resource("eu-west-1", MEMBER, "a", "HEALTHY")], api_calls=2),
]


def test_totals_per_account_over_every_region_then_the_organization() -> None:
    assert totals(ORGANIZATION) == [
        AccountTotals(ADMIN, resources=1, covered=1, unhealthy=0),
        AccountTotals(MEMBER, resources=3, covered=2, unhealthy=1),
        AccountTotals("", resources=4, covered=3, unhealthy=1),
    ]
    assert totals([RegionCoverage("us-east-1")]) == [AccountTotals("", 0, 0, 0)]


def test_report_ends_with_the_totals_table() -> None:
    out = io.StringIO()
    report(ORGANIZATION, out)
    lines = out.getvalue().splitlines()
    start = lines.index("") + 1
    assert [line.split() for line in lines[start:-1]] == [
        ["ACCOUNT", "RESOURCES", "COVERED", "UNHEALTHY"],
        [ADMIN, "1", "1", "0"],
        [MEMBER, "3", "2", "1"],
        ["all", "accounts", "4", "3", "1"],
    ]
    assert lines[-1] == "4 resources, 1 not healthy, in 2 regions (4 API calls)"


def test_json_rows_carry_the_account() -> None:
    out = io.StringIO()
    report(ORGANIZATION, out, as_json=True)
    (us_east, _) = json.loads(out.getvalue())["regions"]
    assert [row["account"] for row in us_east["resources"]] == [MEMBER, ADMIN, MEMBER]


def test_account_filter_takes_twelve_digit_ids_once() -> None:
    assert account_ids(None) == []
    assert account_ids([MEMBER, ADMIN, MEMBER]) == [MEMBER, ADMIN]
    for wrong in ("12345", "1234567890123", "12345678901a", ""):
        with pytest.raises(UserError, match="12-digit"):
            account_ids([wrong])


def test_a_wrong_account_is_a_one_line_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--region", "us-east-1", "--account", "not-an-account"]) == (
        EXIT_USER_ERROR
    )
    error = capsys.readouterr().err
    assert error.splitlines() == [
        "guardduty-ecs coverage: --account takes a 12-digit AWS account ID, not 'not-an-account'"
    ]
