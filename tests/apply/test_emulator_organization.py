"""The emulator's GuardDuty organization: delegated administrator, organization configuration,
members, member detectors, and member findings on the administrator's event bus."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = [pytest.mark.apply, pytest.mark.emulator_only(reason="tests the emulator itself")]

OUTSIDER = "999988887777"
REVERSE_SHELL = "Execution:Runtime/ReverseShell"


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
    # Per Region: another Region has none.
    west = as_account("guardduty", organization["management"])
    west_client = boto3.client(
        "guardduty",
        endpoint_url=west.meta.endpoint_url,
        region_name="us-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert west_client.list_organization_admin_accounts()["AdminAccounts"] == []
    guardduty.disable_organization_admin_account(AdminAccountId=organization["security"])
    assert guardduty.list_organization_admin_accounts()["AdminAccounts"] == []
    _error(
        lambda: guardduty.disable_organization_admin_account(
            AdminAccountId=organization["security"]
        )
    )


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


def test_member_detector_features_change_the_members_own_detector(
    admin: tuple[Any, str], as_account: Callable[[str, str], Any], organization: dict[str, str]
) -> None:
    guardduty, detector_id = admin
    workload = as_account("guardduty", organization["workload"])
    member_detector = workload.create_detector(Enable=True)["DetectorId"]
    guardduty.create_members(
        DetectorId=detector_id,
        AccountDetails=[{"AccountId": organization["workload"], "Email": "w@example.com"}],
    )
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
    admin: tuple[Any, str], as_account: Callable[[str, str], Any], organization: dict[str, str]
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
    assert own["account"] == at_admin["account"] == organization["workload"]
    assert at_admin["detail"]["accountId"] == organization["workload"]
    assert at_admin["detail"]["type"] == REVERSE_SHELL
    # Not an administrator of the member: nothing.
    assert received(organization["management"]) == []
