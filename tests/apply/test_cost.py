"""``guardduty-ecs cost`` against the emulator: GuardDuty's usage statistics and free-trial days,
the projection with the GuardDutyManaged tags, the alerts' resources, the price table, and the
calls an organization costs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from guardduty_ecs.cli import main
from guardduty_ecs.cost import EC2, FARGATE, cost
from guardduty_ecs.policy import service_policy
from guardduty_ecs.prices import default_table
from guardduty_ecs_bench.benchmark import measure_organization
from guardduty_ecs_bench.workloads import enable_fargate_runtime_monitoring
from guardduty_ecs_emulator import EmulatorProcess

pytestmark = [
    pytest.mark.apply,
    pytest.mark.emulator_only(
        reason=(
            "moves the emulator's clock so that usage accrues; on AWS usage statistics lag by "
            "up to a day and need running agents"
        )
    ),
]

HOUR = 3600.0
USD_PER_VCPU_HOUR = 1.50 / 730  # the emulator's price of a monitored vCPU-hour


def _workloads(ecs: Any) -> None:
    """shop (no tag): a 0.5 vCPU task; batch (excluded): one too; pilot (included): a service
    of 2 tasks."""
    # No awsvpc network (moto then wants subnets): neither cost nor usage looks at it.
    ecs.register_task_definition(
        family="app",
        cpu="512",
        containerDefinitions=[{"name": "app", "image": "nginx", "memory": 512}],
    )
    for name, tag in (("shop", None), ("batch", "false"), ("pilot", "true")):
        tags = [{"key": "GuardDutyManaged", "value": tag}] if tag else []
        ecs.create_cluster(clusterName=name, tags=tags)
    for name in ("shop", "batch"):
        ecs.run_task(cluster=name, taskDefinition="app", launchType="FARGATE")
    ecs.create_service(
        cluster="pilot",
        serviceName="web",
        taskDefinition="app",
        desiredCount=2,
        launchType="FARGATE",
    )


def _alerts(aws_client: Callable[[str], Any]) -> None:
    """A GuardDuty rule to an encrypted topic, with an alarm on the rule: what verify finds."""
    key = aws_client("kms").create_key()["KeyMetadata"]["Arn"]
    sns = aws_client("sns")
    topic = sns.create_topic(Name="alerts", Attributes={"KmsMasterKeyId": key})["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=topic, AttributeName="Policy", AttributeValue=service_policy("sns:Publish", topic)
    )
    events = aws_client("events")
    events.put_rule(Name="findings", EventPattern=json.dumps({"source": ["aws.guardduty"]}))
    events.put_targets(Rule="findings", Targets=[{"Id": "sns", "Arn": topic}])
    aws_client("cloudwatch").put_metric_alarm(
        AlarmName="findings-failed",
        Namespace="AWS/Events",
        MetricName="FailedInvocations",
        Dimensions=[{"Name": "RuleName", "Value": "findings"}],
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )


def test_cost_reads_spend_free_trial_projection_and_alert_resources(
    aws_client: Callable[[str], Any],
    aws_session: boto3.Session,
    clean_emulator: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    enable_fargate_runtime_monitoring(aws_client("guardduty"))
    _workloads(aws_client("ecs"))
    _alerts(aws_client)
    clean_emulator.advance_clock(24 * HOUR)

    (region,) = cost(
        aws_session, ["us-east-1"], default_table(), endpoint_url=clean_emulator.endpoint_url
    )
    assert (region.error, region.warnings) == ("", []), region
    assert region.spend is not None
    (account,) = region.spend.accounts
    # shop's task and pilot's 2 service tasks, 0.5 vCPU each, for 24 hours; batch is excluded.
    expected = 1.5 * 24 * USD_PER_VCPU_HOUR
    assert account.features[FARGATE] == pytest.approx(expected, rel=1e-3)
    assert account.total == pytest.approx(expected, rel=1e-3)
    assert account.features[EC2] == 0.0
    assert account.free_trial_days[FARGATE] == 29  # the first monitored task started a day ago
    assert account.free_trial_days[EC2] == 30  # no EC2 agent yet
    assert [item["resource"].rsplit("/", 1)[-1] for item in region.spend.top_resources] == [
        "pilot",
        "shop",
    ]

    projection = region.projection
    assert projection is not None
    assert projection.basis == "as the detector is configured"
    monitored = {c.cluster: (c.tag, c.fargate_monitored_vcpus) for c in projection.clusters}
    assert monitored == {"shop": (None, 0.5), "batch": ("false", 0.0), "pilot": ("true", 1.0)}
    assert projection.vcpu_hours(FARGATE) == pytest.approx(1.5 * 730)
    items = {item.item: len(item.names) for item in region.module}
    assert items == {"kms_key": 1, "alarm_metric": 1, "sns_topic": 1, "guardduty_data_endpoint": 0}

    # The command: the price table's source and date, 1.5 vCPUs a month at $1.50 each.
    for name, value in clean_emulator.environment().items():
        monkeypatch.setenv(name, value)
    assert main(["cost", "--region", "us-east-1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Prices: default table of 2026-10-07; source: Amazon GuardDuty pricing")
    assert "https://aws.amazon.com/guardduty/pricing/" in out.splitlines()[0]
    (row,) = [
        line for line in out.splitlines() if line.startswith(f"us-east-1  {account.account}  3 ")
    ]
    assert row.split()[3:6] == ["1,095.0", "0.0", "2.25"]
    assert main(["cost", "--region", "us-east-1", "--output", "json", "--no-prices"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["prices"] is None
    (shown,) = document["regions"]
    assert shown["projection"]["usd_per_month"] is None
    assert shown["projection"]["vcpu_hours_per_month"][FARGATE] == pytest.approx(1095.0)


def test_projection_before_runtime_monitoring_takes_the_modules_defaults(
    aws_client: Callable[[str], Any], aws_session: boto3.Session, clean_emulator: EmulatorProcess
) -> None:
    _workloads(aws_client("ecs"))  # no detector at all: GuardDuty is not on here
    (region,) = cost(
        aws_session,
        ["us-east-1"],
        default_table(),
        endpoint_url=clean_emulator.endpoint_url,
        with_module=False,
    )
    assert (region.detector_id, region.spend, region.error) == (None, None, "")
    assert region.projection is not None
    assert region.projection.basis.startswith("if turned on with the module's defaults")
    # The Fargate agent on (the module's default): all but the excluded cluster.
    assert region.projection.vcpu_hours(FARGATE) == pytest.approx(1.5 * 730)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ('{"source": "x", "date": "2026-01-01", "currency": "USD"}', "runtime_monitoring_tiers"),
        (
            '{"source": "x", "date": "yesterday", "currency": "USD", '
            '"runtime_monitoring_tiers": [{"up_to_vcpus": null, "usd_per_vcpu_month": 1}]}',
            "date must be YYYY-MM-DD",
        ),
    ],
)
def test_a_bad_price_file_exits_2_before_any_aws_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(content)
    assert main(["cost", "--region", "us-east-1", "--prices", str(prices)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("guardduty-ecs cost: --prices: ")


def test_an_organization_costs_calls_per_page_not_per_cluster(
    emulator: EmulatorProcess,
) -> None:
    figures = measure_organization(3, 2, 2, emulator=emulator)
    assert figures.coverage_rows == 3 * 2 * 2
    assert figures.cost_accounts == 4, "the administrator and its 3 members, in each Region"
    # Per Region: ListDetectors, GetDetector, ListMembers, SUM_BY_ACCOUNT,
    # TOP_ACCOUNTS_BY_FEATURE, GetRemainingFreeTrialDays (4 accounts: one batch of 50),
    # SUM_BY_FEATURES, TOP_RESOURCES; the administrator's projection (ListClusters: none) and
    # alert resources (ListDetectors, ListRules: none, DescribeVpcEndpoints); then one
    # GetCallerIdentity for the command.
    assert figures.cost_calls == 2 * 12 + 1
    assert figures.cost_usd == pytest.approx(3 * 2 * 2 * 0.25 * 24 * USD_PER_VCPU_HOUR, rel=1e-3)
