"""The emulator's GetUsageStatistics and GetRemainingFreeTrialDays: monitored vCPU-hours of what it
runs, on its clock, an administrator's view over its members, and the free trial per feature."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from guardduty_ecs_emulator import EmulatorProcess
from guardduty_ecs_emulator.services.guardduty.organization import model as emulated

pytestmark = pytest.mark.emulator

FEATURES = ["FARGATE_RUNTIME_MONITORING", "EC2_RUNTIME_MONITORING"]
USD_PER_VCPU_HOUR = 1.50 / 730
HOUR = 3600.0
DAY = 24 * HOUR
OUTSIDER = "999988887777"


def _runtime_monitoring(fargate: bool = True, ec2: bool = False) -> list[dict[str, Any]]:
    return [
        {
            "Name": "RUNTIME_MONITORING",
            "Status": "ENABLED",
            "AdditionalConfiguration": [
                {
                    "Name": "ECS_FARGATE_AGENT_MANAGEMENT",
                    "Status": "ENABLED" if fargate else "DISABLED",
                },
                {"Name": "EC2_AGENT_MANAGEMENT", "Status": "ENABLED" if ec2 else "DISABLED"},
            ],
        }
    ]


def _task_definition(ecs: Any, cpu: str = "512") -> None:
    # No awsvpc network (moto then wants subnets): usage does not look at it.
    ecs.register_task_definition(
        family="app",
        cpu=cpu,
        memory="1024",
        containerDefinitions=[{"name": "app", "image": "nginx", "memory": 512}],
    )


def _amounts(guardduty: Any, detector: str, kind: str, **criteria: Any) -> dict[str, float]:
    page = guardduty.get_usage_statistics(
        DetectorId=detector,
        UsageStatisticType=kind,
        UsageCriteria={"Features": FEATURES, **criteria},
        Unit="USD",
    )["UsageStatistics"]
    key = {
        "SUM_BY_FEATURES": ("SumByFeature", "Feature"),
        "SUM_BY_ACCOUNT": ("SumByAccount", "AccountId"),
        "SUM_BY_RESOURCE": ("SumByResource", "Resource"),
        "TOP_RESOURCES": ("TopResources", "Resource"),
    }[kind]
    assert all(item["Total"]["Unit"] == "USD" for item in page[key[0]])
    return {item[key[1]]: float(item["Total"]["Amount"]) for item in page[key[0]]}


def test_usage_is_the_monitored_fargate_and_ec2_vcpu_hours_of_the_last_30_days(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess
) -> None:
    guardduty, ecs = aws_client("guardduty"), aws_client("ecs")
    detector = guardduty.create_detector(Enable=True, Features=_runtime_monitoring())["DetectorId"]
    _task_definition(ecs)
    for name, tags in (("shop", []), ("batch", [{"key": "GuardDutyManaged", "value": "false"}])):
        ecs.create_cluster(clusterName=name, tags=tags)
        ecs.run_task(cluster=name, taskDefinition="app", launchType="FARGATE", count=2)
    ecs.create_service(
        cluster="shop",
        serviceName="web",
        taskDefinition="app",
        desiredCount=3,
        launchType="FARGATE",
    )
    clean_emulator.advance_clock(10 * HOUR)
    # shop: 2 tasks and 3 service tasks of 0.5 vCPU for 10 hours; batch is excluded by its tag.
    expected = 5 * 0.5 * 10 * USD_PER_VCPU_HOUR
    by_feature = _amounts(guardduty, detector, "SUM_BY_FEATURES")
    assert by_feature["FARGATE_RUNTIME_MONITORING"] == pytest.approx(expected, rel=1e-3)
    assert by_feature["EC2_RUNTIME_MONITORING"] == 0.0
    (shop_arn,) = _amounts(guardduty, detector, "TOP_RESOURCES")
    assert shop_arn.endswith(":cluster/shop")

    # Stopped tasks and a service scaled to 0 cost nothing more.
    for arn in ecs.list_tasks(cluster="shop")["taskArns"]:
        ecs.stop_task(cluster="shop", task=arn)
    ecs.update_service(cluster="shop", service="web", desiredCount=0)
    # An EC2 container instance of 4 vCPUs, monitored once EC2 agent management is on.
    ec2 = aws_client("ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]
    ecs.register_container_instance(
        cluster="shop", instanceIdentityDocument=json.dumps({"instanceId": instance["InstanceId"]})
    )
    guardduty.update_detector(DetectorId=detector, Features=_runtime_monitoring(ec2=True))
    clean_emulator.advance_clock(2 * HOUR)
    by_feature = _amounts(guardduty, detector, "SUM_BY_FEATURES")
    assert by_feature["FARGATE_RUNTIME_MONITORING"] == pytest.approx(expected, rel=1e-3)
    assert by_feature["EC2_RUNTIME_MONITORING"] == pytest.approx(
        4 * 2 * USD_PER_VCPU_HOUR, rel=1e-3
    )
    # Only the last 30 days count.
    guardduty.update_detector(DetectorId=detector, Features=_runtime_monitoring(ec2=False))
    clean_emulator.advance_clock(31 * DAY)
    assert set(_amounts(guardduty, detector, "SUM_BY_FEATURES").values()) == {0.0}


@pytest.mark.emulator_rejects
def test_usage_requests_are_checked_as_aws_documents(aws_client: Callable[[str], Any]) -> None:
    guardduty = aws_client("guardduty")
    detector = guardduty.create_detector(Enable=True)["DetectorId"]
    for criteria, unit in (({}, "USD"), ({"Features": FEATURES}, "EUR")):
        with pytest.raises(ClientError) as caught:
            guardduty.get_usage_statistics(
                DetectorId=detector,
                UsageStatisticType="SUM_BY_ACCOUNT",
                UsageCriteria=criteria,
                Unit=unit,
            )
        assert caught.value.response["Error"]["Code"] == "BadRequestException"


def test_an_administrator_reads_its_members_usage_and_free_trial_days(
    aws_client: Callable[[str], Any],
    as_account: Callable[[str, str], Any],
    organization: dict[str, str],
    clean_emulator: EmulatorProcess,
) -> None:
    admin, member = organization["security"], organization["workload"]
    aws_client("guardduty").enable_organization_admin_account(AdminAccountId=admin)
    guardduty = as_account("guardduty", admin)
    detector = guardduty.create_detector(Enable=True, Features=_runtime_monitoring())["DetectorId"]
    guardduty.create_members(
        DetectorId=detector, AccountDetails=[{"AccountId": member, "Email": "w@example.com"}]
    )
    clean_emulator.advance_clock(emulated.member_association_delay(os.environ).total_seconds())
    guardduty.update_member_detectors(
        DetectorId=detector, AccountIds=[member], Features=_runtime_monitoring()
    )
    ecs = as_account("ecs", member)
    _task_definition(ecs, cpu="1024")
    ecs.create_cluster(clusterName="shop")
    ecs.run_task(cluster="shop", taskDefinition="app", launchType="FARGATE")
    clean_emulator.advance_clock(2 * DAY + HOUR)

    by_account = _amounts(guardduty, detector, "SUM_BY_ACCOUNT")
    assert by_account == {admin: 0.0, member: pytest.approx(49 * USD_PER_VCPU_HOUR, rel=1e-3)}
    assert _amounts(guardduty, detector, "SUM_BY_ACCOUNT", AccountIds=[admin]) == {admin: 0.0}
    (top,) = guardduty.get_usage_statistics(
        DetectorId=detector,
        UsageStatisticType="TOP_ACCOUNTS_BY_FEATURE",
        UsageCriteria={"Features": FEATURES},
    )["UsageStatistics"]["TopAccountsByFeature"][:1]
    assert top["Feature"] == "FARGATE_RUNTIME_MONITORING"
    assert [account["AccountId"] for account in top["Accounts"]] == [member]

    answer = guardduty.get_remaining_free_trial_days(
        DetectorId=detector, AccountIds=[admin, member, OUTSIDER]
    )
    days = {
        account["AccountId"]: {f["Name"]: f["FreeTrialDaysRemaining"] for f in account["Features"]}
        for account in answer["Accounts"]
    }
    # The member's Fargate trial started with its first monitored task, 2 days and an hour ago;
    # the administrator's has not started (no agent has reported).
    assert days[member]["FARGATE_RUNTIME_MONITORING"] == 28
    assert days[admin]["FARGATE_RUNTIME_MONITORING"] == 30
    assert days[admin]["EC2_RUNTIME_MONITORING"] == 30
    assert days[admin]["CLOUD_TRAIL"] == 28
    assert [item["AccountId"] for item in answer["UnprocessedAccounts"]] == [OUTSIDER]
    # A member sees its own days alone, not the administrator's.
    own = as_account("guardduty", member)
    member_detector = own.list_detectors()["DetectorIds"][0]
    alone = own.get_remaining_free_trial_days(DetectorId=member_detector, AccountIds=[admin])
    assert not alone["Accounts"]


def test_members_are_listed_at_most_50_a_page(aws_client: Callable[[str], Any]) -> None:
    guardduty = aws_client("guardduty")
    detector = guardduty.create_detector(Enable=True)["DetectorId"]
    accounts = [f"{100000000000 + index}" for index in range(51)]
    for start in (0, 50):
        guardduty.create_members(
            DetectorId=detector,
            AccountDetails=[
                {"AccountId": a, "Email": f"{a}@example.com"} for a in accounts[start : start + 50]
            ],
        )
    first = guardduty.list_members(DetectorId=detector, OnlyAssociated="false")
    assert len(first["Members"]) == 50
    second = guardduty.list_members(
        DetectorId=detector, OnlyAssociated="false", NextToken=first["NextToken"]
    )
    assert [m["AccountId"] for m in second["Members"]] == accounts[50:]
    assert "NextToken" not in second
