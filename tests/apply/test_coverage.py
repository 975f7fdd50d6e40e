"""``guardduty-ecs coverage`` against the emulator: pages, verdicts, regions."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from guardduty_ecs import cli
from guardduty_ecs.aws import open_session
from guardduty_ecs.cli import main
from guardduty_ecs.coverage import AccountTotals, coverage, is_healthy, totals
from guardduty_ecs_bench.benchmark import measure_coverage, measure_organization_coverage
from guardduty_ecs_bench.workloads import (
    RUNTIME_MONITORING_WITH_FARGATE_AGENT,
    enable_fargate_runtime_monitoring,
    register_fargate_task_definition,
)
from guardduty_ecs_emulator import ActAs, EmulatorProcess, act_as
from guardduty_ecs_emulator.services.guardduty.organization.model import member_association_delay

pytestmark = [
    pytest.mark.apply,
    pytest.mark.emulator_only(
        reason=(
            "builds ECS clusters whose coverage the emulator derives at once; on AWS coverage "
            "needs running tasks with the agent"
        )
    ),
]


def test_calls_grow_with_pages_not_with_clusters(emulator: EmulatorProcess) -> None:
    figures = measure_coverage(120, emulator=emulator)
    assert (figures.rows, figures.api_calls) == (120, 1 + 3)  # ListDetectors + 3 pages of 50
    assert figures.build_seconds > 0


def test_organization_benchmark_reads_every_member_in_every_region(
    emulator: EmulatorProcess,
) -> None:
    figures = measure_organization_coverage(3, 2, 20, emulator=emulator)
    assert figures.rows == 3 * 2 * 20
    assert figures.accounts_seen == 3, "the members' rows, the administrator has no clusters"
    assert figures.api_calls == 2 * (1 + 2), "per region: ListDetectors + 2 pages for 60 rows"


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


def test_administrator_reads_its_members_and_filters_by_account(
    aws_client: Callable[[str], Any],
    aws_session: boto3.Session,
    clean_emulator: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    organizations = aws_client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    admin, member = (
        organizations.create_account(AccountName=name, Email=f"{name}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for name in ("security", "workload")
    )
    aws_client("guardduty").enable_organization_admin_account(AdminAccountId=admin)

    def as_account(service: str, account: str) -> Any:
        return act_as(aws_client(service), account)

    guardduty = as_account("guardduty", admin)
    detector = enable_fargate_runtime_monitoring(guardduty)
    guardduty.create_members(
        DetectorId=detector, AccountDetails=[{"AccountId": member, "Email": "w@example.com"}]
    )
    # Past the window in which a new member is not yet associated for its features.
    clean_emulator.advance_clock(member_association_delay(os.environ).total_seconds())
    guardduty.update_member_detectors(
        DetectorId=detector, AccountIds=[member], Features=RUNTIME_MONITORING_WITH_FARGATE_AGENT
    )
    for account, cluster, count in ((admin, "hq", 1), (member, "shop", 0)):
        ecs = as_account("ecs", account)
        ecs.create_cluster(clusterName=cluster)
        register_fargate_task_definition(ecs)
        ecs.create_service(
            cluster=cluster,
            serviceName="app",
            taskDefinition="app",
            desiredCount=1,
            launchType="FARGATE",
        )
        ecs.update_service(cluster=cluster, service="app", desiredCount=count)

    credentials = aws_session.get_credentials()
    session = boto3.Session(
        aws_access_key_id=credentials.access_key,
        aws_secret_access_key=credentials.secret_key,
        region_name="us-east-1",
    )
    session.events.register("before-sign.*.*", ActAs(admin))
    endpoint = guardduty.meta.endpoint_url
    (everything,) = coverage(session, ["us-east-1"], endpoint)
    assert [(row.account, row.resource, row.status) for row in everything.resources] == [
        (member, "shop", "UNHEALTHY"),
        (admin, "hq", "HEALTHY"),
    ]
    per_account = [AccountTotals(admin, 1, 1, 0), AccountTotals(member, 1, 0, 1)]
    per_account.sort(key=lambda total: total.account)
    assert totals([everything]) == [*per_account, AccountTotals("", 2, 1, 1)]
    (only_admin,) = coverage(session, ["us-east-1"], endpoint, accounts=[admin])
    assert [(row.account, row.resource) for row in only_admin.resources] == [(admin, "hq")]
    assert is_healthy([only_admin])

    # The command, for every Region at once: the administrator's Region holds the members'
    # rows too, the Regions without a detector are skipped, the member's cluster fails it.
    for name, value in clean_emulator.environment().items():
        monkeypatch.setenv(name, value)

    def as_admin(profile: str | None, region: str | None = None) -> boto3.Session:
        opened = open_session(profile, region)
        opened.events.register("before-sign.*.*", ActAs(admin))
        return opened

    monkeypatch.setattr(cli, "open_session", as_admin)
    assert main(["coverage", "--all-regions", "--output", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    read = [region for region in document["regions"] if region["status"] == "read"]
    assert [region["region"] for region in read] == ["us-east-1"]
    assert {row["account"] for row in read[0]["resources"]} == {admin, member}
    assert document["summary"]["regions_skipped"] == len(document["regions"]) - 1
    assert document["reason"] == "1 of 2 resources not healthy"
