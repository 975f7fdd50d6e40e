"""modules/alerts with a topic and key that the consumer owns: the module leaves their policies
alone, alerts fail (into the dead-letter queue) until the policy outputs are merged, then arrive.
Also covers explicit finding types, a higher min_severity and Healthy alerts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs.events import (
    FINDING_DETAIL_TYPE,
    HEALTHY_DETAIL_TYPE,
    ecs_coverage_change,
    runtime_finding,
)
from guardduty_ecs_bench.deployment import Deployment, delivered_after, deployed
from guardduty_ecs_bench.harness import Workbench

# One worker runs the whole module, so that its one deployment is applied once.
pytestmark = [
    pytest.mark.apply,
    pytest.mark.xdist_group("alerts-bring-your-own"),
    pytest.mark.emulator_only(
        reason=(
            "puts aws.guardduty events with PutEvents, which AWS refuses to anyone but GuardDuty"
        )
    ),
]

LISTED_TYPES = ["Execution:Runtime/NewBinaryExecuted", "CryptoCurrency:Runtime/BitcoinTool.B"]


@dataclass(frozen=True)
class Scenario:
    deployment: Deployment
    topic_arn: str
    key_arn: str
    policies_before_apply: dict[str, str]
    policies_after_apply: dict[str, str]
    dead_letter_before_merge: dict[str, str]


def _policies(sns: Any, kms: Any, topic_arn: str, key_arn: str) -> dict[str, str]:
    return {
        "topic": sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["Policy"],
        "key": kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"],
    }


def _merged(policy: str, addition: str) -> str:
    document = json.loads(policy)
    document["Statement"] = [*document["Statement"], *json.loads(addition)["Statement"]]
    return json.dumps(document)


@pytest.fixture(scope="module")
def scenario(private_workbench: Workbench) -> Iterator[Scenario]:
    environment = private_workbench.environment
    session = session_from_environment(environment)
    kms = client(session, "kms", environment["AWS_ENDPOINT_URL"])
    sns = client(session, "sns", environment["AWS_ENDPOINT_URL"])
    key_arn = kms.create_key(Description="owned by the platform team")["KeyMetadata"]["Arn"]
    topic_arn = sns.create_topic(Name="secops", Attributes={"KmsMasterKeyId": key_arn})["TopicArn"]
    tf_vars = {
        "name": "byo",
        "sns_topic_arn": topic_arn,
        "kms_key_arn": key_arn,
        "finding_types": LISTED_TYPES,
        "min_severity": 7,
        "notify_on_healthy": True,
    }
    before = _policies(sns, kms, topic_arn, key_arn)
    try:
        with deployed(private_workbench, "modules/alerts", tf_vars) as deployment:
            after = _policies(sns, kms, topic_arn, key_arn)
            deployment.put(
                FINDING_DETAIL_TYPE, runtime_finding(LISTED_TYPES[0], 8, "before the merge")
            )
            sqs = deployment.client("sqs")
            (message,) = sqs.receive_message(
                QueueUrl=deployment.outputs["dead_letter_queue_url"],
                MessageAttributeNames=["All"],
            )["Messages"]
            sqs.delete_message(
                QueueUrl=deployment.outputs["dead_letter_queue_url"],
                ReceiptHandle=message["ReceiptHandle"],
            )
            # What the module's README asks the owner of the topic and key to do.
            outputs = deployment.outputs
            kms.put_key_policy(
                KeyId=key_arn,
                PolicyName="default",
                Policy=_merged(after["key"], outputs["kms_key_policy_json"]),
            )
            sns.set_topic_attributes(
                TopicArn=topic_arn,
                AttributeName="Policy",
                AttributeValue=_merged(after["topic"], outputs["sns_topic_policy_json"]),
            )
            yield Scenario(
                deployment,
                topic_arn,
                key_arn,
                policies_before_apply=before,
                policies_after_apply=after,
                dead_letter_before_merge={
                    name: value["StringValue"]
                    for name, value in message["MessageAttributes"].items()
                },
            )
    finally:
        sns.delete_topic(TopicArn=topic_arn)
        kms.schedule_key_deletion(KeyId=key_arn, PendingWindowInDays=7)


def test_given_topic_and_key_are_used_and_left_alone(scenario: Scenario) -> None:
    outputs = scenario.deployment.outputs
    assert outputs["sns_topic_arn"] == scenario.topic_arn
    assert outputs["kms_key_arn"] == scenario.key_arn
    assert scenario.policies_after_apply == scenario.policies_before_apply
    events = scenario.deployment.client("events")
    for rule_arn in [*outputs["findings_rule_arns"].values(), outputs["coverage_rule_arn"]]:
        (target,) = events.list_targets_by_rule(Rule=rule_arn.rsplit("/", 1)[1])["Targets"]
        assert target["Arn"] == scenario.topic_arn


def test_alerts_are_dead_lettered_until_the_policy_outputs_are_merged(scenario: Scenario) -> None:
    attributes = scenario.dead_letter_before_merge
    # The topic policy is read before the key is used, so the topic policy fails first.
    assert attributes["ERROR_CODE"] == "AuthorizationError"
    assert attributes["TARGET_ARN"] == scenario.topic_arn


def test_min_severity_7_leaves_the_high_and_critical_rules(scenario: Scenario) -> None:
    assert sorted(scenario.deployment.outputs["findings_rule_arns"]) == ["critical", "high"]


@pytest.mark.parametrize(
    ("detail_type", "detail", "first_line"),
    [
        pytest.param(
            FINDING_DETAIL_TYPE,
            runtime_finding(LISTED_TYPES[0], 7.5, "listed, High"),
            '"GuardDuty High severity runtime finding"',
            id="listed_high",
        ),
        pytest.param(
            FINDING_DETAIL_TYPE,
            runtime_finding(LISTED_TYPES[1], 9.5, "listed, Critical"),
            '"GuardDuty Critical severity runtime finding"',
            id="listed_critical",
        ),
        pytest.param(
            FINDING_DETAIL_TYPE,
            runtime_finding("Execution:Runtime/ReverseShell", 8, "not listed"),
            None,
            id="runtime_type_not_listed",
        ),
        pytest.param(
            FINDING_DETAIL_TYPE,
            runtime_finding(LISTED_TYPES[0], 6.9, "listed, below min_severity"),
            None,
            id="listed_below_min_severity",
        ),
        pytest.param(
            HEALTHY_DETAIL_TYPE,
            ecs_coverage_change("HEALTHY", "UNHEALTHY"),
            '"GuardDuty Runtime Monitoring coverage is HEALTHY (was UNHEALTHY)"',
            id="healthy_when_asked",
        ),
    ],
)
def test_alerts_once_merged(
    scenario: Scenario, detail_type: str, detail: dict[str, Any], first_line: str | None
) -> None:
    deployment = scenario.deployment
    with deployment.probe() as probe:
        alerts = delivered_after(deployment, probe, lambda: deployment.put(detail_type, detail))
    assert [alert.text.splitlines()[0] for alert in alerts] == ([first_line] if first_line else [])
