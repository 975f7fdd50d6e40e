"""The emulator's GuardDuty organization: delegated administrator, organization configuration,
members, member detectors, and member findings on the administrator's event bus."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from guardduty_ecs_emulator import EmulatorProcess
from guardduty_ecs_emulator.services.guardduty.organization import model as emulated

pytestmark = pytest.mark.emulator

OUTSIDER = "999988887777"
REVERSE_SHELL = "Execution:Runtime/ReverseShell"
# The emulator's window in which a new member is not yet associated for its features.
MEMBER_ASSOCIATION_SECONDS = emulated.member_association_delay(os.environ).total_seconds()


@pytest.fixture
def admin(
    aws_client: Callable[[str], Any],
    as_account: Callable[[str, str], Any],
    organization: dict[str, str],
) -> tuple[Any, str]:
    """The security account designated as delegated administrator, its client and detector."""
    aws_client("guardduty").enable_organization_admin_account(
        AdminAccountId=organization["security"]
    )
    guardduty = as_account("guardduty", organization["security"])
    return guardduty, guardduty.create_detector(Enable=True)["DetectorId"]


def _error(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    return str(caught.value.response["Error"]["Message"])


def test_admin_is_designated_by_the_management_account_and_disabled(
    aws_client: Callable[[str], Any],
    as_account: Callable[[str, str], Any],
    organization: dict[str, str],
) -> None:
    guardduty = aws_client("guardduty")
    # Not an account of the organization.
    _error(lambda: guardduty.enable_organization_admin_account(AdminAccountId=OUTSIDER))
    # Not the management account.
    workload = as_account("guardduty", organization["workload"])
    _error(
        lambda: workload.enable_organization_admin_account(AdminAccountId=organization["security"])
    )
    guardduty.enable_organization_admin_account(AdminAccountId=organization["security"])
    assert guardduty.list_organization_admin_accounts()["AdminAccounts"] == [
        {"AdminAccountId": organization["security"], "AdminStatus": "ENABLED"}
    ]
    # One delegated administrator per organization and Region.
    _error(
        lambda: guardduty.enable_organization_admin_account(AdminAccountId=organization["workload"])
    )
    # Per Region: another Region has none, and can only have the same account ("that account
    # must be your delegated administrator in all other regions", user guide).
    west = as_account("guardduty", organization["management"])
    west_client = boto3.client(
        "guardduty",
        endpoint_url=west.meta.endpoint_url,
        region_name="us-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert west_client.list_organization_admin_accounts()["AdminAccounts"] == []
    assert "every Region" in _error(
        lambda: west_client.enable_organization_admin_account(
            AdminAccountId=organization["workload"]
        )
    )
    west_client.enable_organization_admin_account(AdminAccountId=organization["security"])
    assert west_client.list_organization_admin_accounts()["AdminAccounts"] == [
        {"AdminAccountId": organization["security"], "AdminStatus": "ENABLED"}
    ]
    guardduty.disable_organization_admin_account(AdminAccountId=organization["security"])
    assert guardduty.list_organization_admin_accounts()["AdminAccounts"] == []
    _error(
        lambda: guardduty.disable_organization_admin_account(
            AdminAccountId=organization["security"]
        )
    )
    # Still the administrator in us-west-2: another account is refused here too, until it goes.
    _error(
        lambda: guardduty.enable_organization_admin_account(AdminAccountId=organization["workload"])
    )
    west_client.disable_organization_admin_account(AdminAccountId=organization["security"])
    guardduty.enable_organization_admin_account(AdminAccountId=organization["workload"])


def test_organization_configuration_merges_features_in_aws_order(
    admin: tuple[Any, str], as_account: Callable[[str, str], Any], organization: dict[str, str]
) -> None:
    guardduty, detector_id = admin
    guardduty.update_organization_configuration(
        DetectorId=detector_id,
        AutoEnableOrganizationMembers="ALL",
        Features=[
            {
                "Name": "RUNTIME_MONITORING",
                "AutoEnable": "ALL",
                "AdditionalConfiguration": [
                    {"Name": "EC2_AGENT_MANAGEMENT", "AutoEnable": "NONE"},
                    {"Name": "ECS_FARGATE_AGENT_MANAGEMENT", "AutoEnable": "ALL"},
                ],
            }
        ],
    )
    # A second request with another feature merges, as the provider's feature resource needs.
    guardduty.update_organization_configuration(
        DetectorId=detector_id,
        AutoEnableOrganizationMembers="ALL",
        Features=[{"Name": "S3_DATA_EVENTS", "AutoEnable": "NEW"}],
    )
    described = guardduty.describe_organization_configuration(DetectorId=detector_id)
    assert described["AutoEnableOrganizationMembers"] == "ALL"
    assert described["AutoEnable"] is True
    assert described["MemberAccountLimitReached"] is False
    assert [f["Name"] for f in described["Features"]] == ["S3_DATA_EVENTS", "RUNTIME_MONITORING"]
    runtime = described["Features"][1]
    assert [c["Name"] for c in runtime["AdditionalConfiguration"]] == [
        "ECS_FARGATE_AGENT_MANAGEMENT",
        "EC2_AGENT_MANAGEMENT",
    ]
    assert described["DataSources"]["S3Logs"]["AutoEnable"] is True
    # Only the delegated administrator may configure; autoEnable and the members value exclude
    # each other.
    workload = as_account("guardduty", organization["workload"])
    own = workload.create_detector(Enable=True)["DetectorId"]
    assert "administrator" in _error(
        lambda: workload.describe_organization_configuration(DetectorId=own)
    )
    _error(
        lambda: guardduty.update_organization_configuration(
            DetectorId=detector_id, AutoEnable=True, AutoEnableOrganizationMembers="NEW"
        )
    )
    guardduty.update_organization_configuration(DetectorId=detector_id, AutoEnable=False)
    described = guardduty.describe_organization_configuration(DetectorId=detector_id)
    assert described["AutoEnableOrganizationMembers"] == "NONE"


def test_organization_members_are_enabled_with_guardduty_and_listed(
    admin: tuple[Any, str], as_account: Callable[[str, str], Any], organization: dict[str, str]
) -> None:
    guardduty, detector_id = admin
    guardduty.update_organization_configuration(
        DetectorId=detector_id,
        AutoEnableOrganizationMembers="ALL",
        Features=[
            {
                "Name": "RUNTIME_MONITORING",
                "AutoEnable": "ALL",
                "AdditionalConfiguration": [
                    {"Name": "ECS_FARGATE_AGENT_MANAGEMENT", "AutoEnable": "ALL"}
                ],
            }
        ],
    )
    result = guardduty.create_members(
        DetectorId=detector_id,
        AccountDetails=[
            {"AccountId": organization["workload"], "Email": "w@example.com"},
            {"AccountId": OUTSIDER, "Email": "o@example.com"},
        ],
    )
    assert result["UnprocessedAccounts"] == []
    members = {
        m["AccountId"]: m
        for m in guardduty.get_members(
            DetectorId=detector_id, AccountIds=[organization["workload"], OUTSIDER]
        )["Members"]
    }
    assert members[organization["workload"]]["RelationshipStatus"] == "Enabled"
    assert members[OUTSIDER]["RelationshipStatus"] == "Created"
    # GuardDuty was enabled in the organization member, with the auto-enabled features.
    workload = as_account("guardduty", organization["workload"])
    (member_detector,) = workload.list_detectors()["DetectorIds"]
    features = workload.get_detector(DetectorId=member_detector)["Features"]
    assert [(f["Name"], f["Status"]) for f in features] == [("RUNTIME_MONITORING", "ENABLED")]
    assert (
        workload.get_administrator_account(DetectorId=member_detector)["Administrator"]["AccountId"]
        == organization["security"]
    )
    # Associated members only, by default.
    listed = guardduty.list_members(DetectorId=detector_id)["Members"]
    assert [m["AccountId"] for m in listed] == [organization["workload"]]
    everyone = guardduty.list_members(DetectorId=detector_id, OnlyAssociated="false")["Members"]
    assert {m["AccountId"] for m in everyone} == {organization["workload"], OUTSIDER}
    # Invitations: the outsider becomes Invited; the organization member is already enabled.
    invited = guardduty.invite_members(
        DetectorId=detector_id, AccountIds=[OUTSIDER, organization["workload"]]
    )["UnprocessedAccounts"]
    assert [u["AccountId"] for u in invited] == [organization["workload"]]
    assert "already invited" in invited[0]["Result"]
    assert (
        guardduty.get_members(DetectorId=detector_id, AccountIds=[OUTSIDER])["Members"][0][
            "RelationshipStatus"
        ]
        == "Invited"
    )
    guardduty.disassociate_members(DetectorId=detector_id, AccountIds=[organization["workload"]])
    assert guardduty.list_members(DetectorId=detector_id)["Members"] == []
    guardduty.delete_members(DetectorId=detector_id, AccountIds=[organization["workload"]])
    gone = guardduty.get_members(DetectorId=detector_id, AccountIds=[organization["workload"]])
    assert gone["Members"] == []
    assert [u["AccountId"] for u in gone["UnprocessedAccounts"]] == [organization["workload"]]


def test_management_account_is_a_member_only_once_it_runs_guardduty(
    admin: tuple[Any, str], aws_client: Callable[[str], Any], organization: dict[str, str]
) -> None:
    guardduty, detector_id = admin
    management = [{"AccountId": organization["management"], "Email": "m@example.com"}]
    (refused,) = guardduty.create_members(DetectorId=detector_id, AccountDetails=management)[
        "UnprocessedAccounts"
    ]
    # AWS's text, quoted in cloudposse/terraform-aws-components#822.
    assert refused == {
        "AccountId": organization["management"],
        "Result": "Operation failed because your organization master must first enable GuardDuty "
        "to be added as a member",
    }
    assert guardduty.list_members(DetectorId=detector_id, OnlyAssociated="false")["Members"] == []
    assert aws_client("guardduty").list_detectors()["DetectorIds"] == [], "not enabled for it"
    aws_client("guardduty").create_detector(Enable=True)
    assert (
        guardduty.create_members(DetectorId=detector_id, AccountDetails=management)[
            "UnprocessedAccounts"
        ]
        == []
    )
    (member,) = guardduty.list_members(DetectorId=detector_id)["Members"]
    assert (member["AccountId"], member["RelationshipStatus"]) == (
        organization["management"],
        "Enabled",
    )


def test_member_quotas_are_fifty_thousand_and_five_thousand_by_invitation() -> None:
    """The quotas, judged in-process on a stand-in detector (50,000 members through the API
    would take minutes)."""
    detector: Any = SimpleNamespace()
    members = emulated.members_of(detector)
    members.update(
        {
            f"{index:012d}": {"accountId": f"{index:012d}", "organization": False}
            for index in range(5_000)
        }
    )
    outsider = [{"accountId": OUTSIDER, "email": "o@example.com"}]
    (refused,) = emulated.create_members(detector, "111111111111", "us-east-1", outsider)
    assert "member limit" in refused["result"]
    assert not emulated.describe_organization_configuration(detector)["memberAccountLimitReached"]
    assert not emulated._over_quota(members, in_organization=True)
    members.update(
        {
            f"{index:012d}": {"accountId": f"{index:012d}", "organization": True}
            for index in range(5_000, 50_000)
        }
    )
    assert emulated._over_quota(members, in_organization=True)
    assert emulated.describe_organization_configuration(detector)["memberAccountLimitReached"]


def test_member_detector_features_change_the_members_own_detector(
    admin: tuple[Any, str],
    as_account: Callable[[str, str], Any],
    organization: dict[str, str],
    clean_emulator: EmulatorProcess,
) -> None:
    guardduty, detector_id = admin
    workload = as_account("guardduty", organization["workload"])
    member_detector = workload.create_detector(Enable=True)["DetectorId"]
    guardduty.create_members(
        DetectorId=detector_id,
        AccountDetails=[{"AccountId": organization["workload"], "Email": "w@example.com"}],
    )
    # Right after CreateMembers the member is not yet associated for its features (eventually
    # consistent on AWS: aws-samples/aws-security-reference-architecture-examples#151).
    runtime_on = [{"Name": "RUNTIME_MONITORING", "Status": "ENABLED"}]
    not_yet = {
        "AccountId": organization["workload"],
        "Result": "The request is rejected because the given account ID is not an associated "
        "member of account the current account.",
    }
    assert guardduty.update_member_detectors(
        DetectorId=detector_id, AccountIds=[organization["workload"]], Features=runtime_on
    )["UnprocessedAccounts"] == [not_yet]
    assert guardduty.get_member_detectors(
        DetectorId=detector_id, AccountIds=[organization["workload"]]
    )["UnprocessedAccounts"] == [not_yet]
    clean_emulator.advance_clock(MEMBER_ASSOCIATION_SECONDS)
    for configuration in (
        [{"Name": "EC2_AGENT_MANAGEMENT", "Status": "DISABLED"}],
        [{"Name": "ECS_FARGATE_AGENT_MANAGEMENT", "Status": "ENABLED"}],
    ):
        result = guardduty.update_member_detectors(
            DetectorId=detector_id,
            AccountIds=[organization["workload"]],
            Features=[
                {
                    "Name": "RUNTIME_MONITORING",
                    "Status": "ENABLED",
                    "AdditionalConfiguration": configuration,
                }
            ],
        )
        assert result["UnprocessedAccounts"] == []
    (configuration,) = guardduty.get_member_detectors(
        DetectorId=detector_id, AccountIds=[organization["workload"]]
    )["MemberDataSourceConfigurations"]
    (runtime,) = configuration["Features"]
    # Merged, in GetDetector's order, on the member's own detector.
    assert [c["Name"] for c in runtime["AdditionalConfiguration"]] == [
        "ECS_FARGATE_AGENT_MANAGEMENT",
        "EC2_AGENT_MANAGEMENT",
    ]
    own = workload.get_detector(DetectorId=member_detector)["Features"]
    assert own[0]["AdditionalConfiguration"][0]["Status"] == "ENABLED"
    unknown = guardduty.get_member_detectors(DetectorId=detector_id, AccountIds=[OUTSIDER])
    assert [u["AccountId"] for u in unknown["UnprocessedAccounts"]] == [OUTSIDER]


def test_member_findings_reach_the_administrators_default_bus(
    admin: tuple[Any, str],
    as_account: Callable[[str, str], Any],
    organization: dict[str, str],
    clean_emulator: EmulatorProcess,
) -> None:
    guardduty, detector_id = admin
    queues = {}
    for account in (organization["security"], organization["workload"], organization["management"]):
        sqs, events = as_account("sqs", account), as_account("events", account)
        url = sqs.create_queue(QueueName="findings")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(
            Name="findings",
            EventPattern=json.dumps(
                {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}
            ),
        )
        # moto's default SQS input leaves ``account`` out; a transformer keeps it.
        transformer = {
            "InputPathsMap": {"account": "$.account", "detail": "$.detail"},
            "InputTemplate": '{"account": "<account>", "detail": <detail>}',
        }
        events.put_targets(
            Rule="findings", Targets=[{"Id": "q", "Arn": arn, "InputTransformer": transformer}]
        )
        queues[account] = (sqs, url)
    workload = as_account("guardduty", organization["workload"])
    member_detector = workload.create_detector(Enable=True)["DetectorId"]
    guardduty.create_members(
        DetectorId=detector_id,
        AccountDetails=[{"AccountId": organization["workload"], "Email": "w@example.com"}],
    )
    workload.create_sample_findings(DetectorId=member_detector, FindingTypes=[REVERSE_SHELL])

    def received(account: str) -> list[dict[str, Any]]:
        sqs, url = queues[account]
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]

    (own,) = received(organization["workload"])
    (at_admin,) = received(organization["security"])
    # On the administrator's bus the event is the administrator's; the finding names the member
    # (aws-samples/amazon-guardduty-to-slack#6, #7; user guide: "using the accountId field of the
    # finding's JSON details").
    assert own["account"] == organization["workload"]
    assert at_admin["account"] == organization["security"]
    assert own["detail"]["accountId"] == at_admin["detail"]["accountId"] == organization["workload"]
    assert at_admin["detail"]["type"] == REVERSE_SHELL
    # Not an administrator of the member: nothing.
    assert received(organization["management"]) == []

    # The member's later occurrences follow the administrator's frequency, not its own (six
    # hours): "all member accounts will also have one hour notification frequency" (user guide).
    guardduty.update_detector(DetectorId=detector_id, FindingPublishingFrequency="FIFTEEN_MINUTES")
    assert workload.get_detector(DetectorId=member_detector)["FindingPublishingFrequency"] == (
        "SIX_HOURS"
    )
    workload.create_sample_findings(DetectorId=member_detector, FindingTypes=[REVERSE_SHELL])
    assert received(organization["security"]) == []
    clean_emulator.advance_clock(15 * 60)
    (update,) = received(organization["security"])
    assert update["detail"]["service"]["count"] == 2
    (own_update,) = received(organization["workload"])
    assert own_update["detail"]["service"]["count"] == 2
