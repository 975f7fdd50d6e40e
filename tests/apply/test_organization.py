"""examples/organization against the emulator as an organization of three accounts: the
management account designates the security account, which configures every member, alerts on
the members' findings, and suppresses what its filter says; then re-plan, destroy."""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from guardduty_ecs.aws import client
from guardduty_ecs.discovery import hints_from_outputs
from guardduty_ecs.drill import PASS, run_drill
from guardduty_ecs.probe import TopicProbe
from guardduty_ecs.verify import verify
from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_emulator import EmulatorProcess
from guardduty_ecs_emulator.services.guardduty.organization.model import member_association_delay

pytestmark = [
    pytest.mark.apply,
    pytest.mark.emulator_only(
        reason="creates an organization and accounts, which a real-account run cannot"
    ),
]

REVERSE_SHELL = "Execution:Runtime/ReverseShell"
ASSOCIATION_WAIT_SECONDS = math.ceil(member_association_delay(os.environ).total_seconds()) + 1
NEW_BINARY = "Execution:Runtime/NewBinaryExecuted"
# GuardDuty's sample findings name this placeholder cluster (see the emulator's
# findings/samples.py).
SAMPLE_CLUSTER = "GeneratedFindingECSClusterName"


def test_organization_example(
    workbench: Workbench,
    clean_emulator: EmulatorProcess,
    aws_client: Callable[[str], Any],
    account_session: Callable[[str], boto3.Session],
    organization: dict[str, str],
) -> None:
    security, workload = organization["security"], organization["workload"]
    stack = workbench.stack(
        "examples/organization",
        {
            "administrator_account_id": security,
            "ci_cluster_name": SAMPLE_CLUSTER,
            # The workload account is listed with its own agent settings: EC2 too.
            "members": {
                workload: {
                    "email": "workload@example.com",
                    "runtime_monitoring": {"ec2_agent_management": True},
                }
            },
            # The emulator answers a new member's features "not an associated member" for a
            # while after CreateMembers, as AWS may (emulator's organization/model.py); the
            # module's wait outlasts that window, so the apply converges without the 30 s of
            # the default.
            "member_association_wait_seconds": ASSOCIATION_WAIT_SECONDS,
        },
    )
    stack.apply()
    try:
        outputs = stack.outputs()
        administrator = client(account_session(security), "guardduty", clean_emulator.endpoint_url)
        detector_id = outputs["detector_id"]

        designated = aws_client("guardduty").list_organization_admin_accounts()["AdminAccounts"]
        assert designated == [{"AdminAccountId": security, "AdminStatus": "ENABLED"}]

        configuration = administrator.describe_organization_configuration(DetectorId=detector_id)
        assert configuration["AutoEnableOrganizationMembers"] == "ALL"
        features = {feature["Name"]: feature for feature in configuration["Features"]}
        assert features["RUNTIME_MONITORING"]["AutoEnable"] == "ALL"
        assert {
            item["Name"]: item["AutoEnable"]
            for item in features["RUNTIME_MONITORING"]["AdditionalConfiguration"]
        } == {
            "EKS_ADDON_MANAGEMENT": "NONE",
            "ECS_FARGATE_AGENT_MANAGEMENT": "ALL",
            "EC2_AGENT_MANAGEMENT": "NONE",
        }
        assert outputs["organization_features"]["RUNTIME_MONITORING"]["auto_enable"] == "ALL"

        (member,) = administrator.get_members(DetectorId=detector_id, AccountIds=[workload])[
            "Members"
        ]
        assert member["RelationshipStatus"] == "Enabled"
        (member_detector,) = administrator.get_member_detectors(
            DetectorId=detector_id, AccountIds=[workload]
        )["MemberDataSourceConfigurations"]
        runtime = next(f for f in member_detector["Features"] if f["Name"] == "RUNTIME_MONITORING")
        assert runtime["Status"] == "ENABLED"
        assert {c["Name"]: c["Status"] for c in runtime["AdditionalConfiguration"]} == {
            "EKS_ADDON_MANAGEMENT": "DISABLED",
            "ECS_FARGATE_AGENT_MANAGEMENT": "ENABLED",
            "EC2_AGENT_MANAGEMENT": "ENABLED",
        }

        # A member's findings alert in the administrator account and name the member; the
        # administrator's suppression rule archives the CI cluster's new binaries.
        member_guardduty = client(
            account_session(workload), "guardduty", clean_emulator.endpoint_url
        )
        (member_detector_id,) = member_guardduty.list_detectors()["DetectorIds"]
        with TopicProbe(
            account_session(security), outputs["sns_topic_arn"], clean_emulator.endpoint_url
        ) as probe:
            member_guardduty.create_sample_findings(
                DetectorId=member_detector_id, FindingTypes=[REVERSE_SHELL, NEW_BINARY]
            )
            # The emulator delivers at once: what has not arrived with the first alert never will.
            alerts = [alert.text for alert in [*probe.wait_for(1, timeout=10), *probe.receive()]]
        assert len(alerts) == 1, alerts
        assert f"Type: {REVERSE_SHELL}" in alerts[0]
        assert f"Account: {workload}, region: us-east-1" in alerts[0]
        archived = member_guardduty.list_findings(
            DetectorId=member_detector_id,
            FindingCriteria={"Criterion": {"service.archived": {"Eq": ["true"]}}},
        )["FindingIds"]
        (suppressed,) = member_guardduty.get_findings(
            DetectorId=member_detector_id, FindingIds=archived
        )["Findings"]
        assert suppressed["Type"] == NEW_BINARY

        # The operator commands in the administrator account, narrowed by the example's outputs
        # (which once gave false results): verify passes and warns of the suppression rule; the
        # drill's runtime finding and attack sequence arrive.
        hints = hints_from_outputs(outputs)
        as_security = account_session(security)
        checks = verify(as_security, clean_emulator.endpoint_url, hints=hints)
        # The example subscribes nobody unless given addresses, and verify says so.
        assert [check.name for check in checks if not check.passed] == ["e-mail subscriptions"]
        warnings = [check for check in checks if check.warning]
        assert len(warnings) == 1
        assert "attack sequences" in warnings[0].name
        results = run_drill(
            as_security,
            [REVERSE_SHELL, "AttackSequence:ECS/CompromisedCluster"],
            timeout=20,
            hints=hints,
            endpoint_url=clean_emulator.endpoint_url,
            progress=io.StringIO(),
        )
        assert [result.status for result in results] == [PASS, PASS]

        assert stack.pending_changes() == [], "a second plan must be empty"
    finally:
        stack.destroy()
    assert aws_client("guardduty").list_organization_admin_accounts()["AdminAccounts"] == []
