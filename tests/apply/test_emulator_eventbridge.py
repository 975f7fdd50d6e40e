"""The emulator delivers matched events to SNS, transformed, and failed ones to the DLQ."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from guardduty_ecs.policy import service_policy

pytestmark = pytest.mark.apply

RULE = "runtime-findings"
TEMPLATE = '"GuardDuty <type> severity <severity>: <title>"'


@dataclass
class Delivery:
    events: Any
    sns: Any
    sqs: Any
    kms: Any
    rule_arn: str
    topic_arn: str
    key_id: str
    probe_url: str
    dlq_url: str

    def put(self, detail: dict[str, Any]) -> None:
        entry = {
            "Source": "aws.guardduty",
            "DetailType": "GuardDuty Finding",
            "Detail": json.dumps(detail),
        }
        assert self.events.put_events(Entries=[entry])["FailedEntryCount"] == 0

    def received(self, queue_url: str) -> list[dict[str, Any]]:
        return self.sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])


KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"]


@pytest.fixture
def delivery(aws_client: Callable[[str], Any]) -> Delivery:
    events, sns, sqs, kms = (aws_client(name) for name in ("events", "sns", "sqs", "kms"))
    rule_arn = events.put_rule(
        Name=RULE,
        EventPattern=json.dumps(
            {
                "source": ["aws.guardduty"],
                "detail-type": ["GuardDuty Finding"],
                "detail": {
                    "type": [{"wildcard": "*:Runtime/*"}],
                    "severity": [{"numeric": [">=", 4]}],
                },
            }
        ),
    )["RuleArn"]
    key_id = kms.create_key(Policy=service_policy(KEY_ACTIONS, "*", rule_arn))["KeyMetadata"][
        "KeyId"
    ]
    topic_arn = sns.create_topic(Name="alerts", Attributes={"KmsMasterKeyId": key_id})["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=topic_arn,
        AttributeName="Policy",
        AttributeValue=service_policy("sns:Publish", topic_arn, rule_arn),
    )
    probe_url = sqs.create_queue(QueueName="probe")["QueueUrl"]
    probe_arn = sqs.get_queue_attributes(QueueUrl=probe_url, AttributeNames=["QueueArn"])
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=probe_arn["Attributes"]["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    dlq_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sqs.set_queue_attributes(
        QueueUrl=dlq_url,
        Attributes={"Policy": service_policy("sqs:SendMessage", dlq_arn, rule_arn)},
    )
    events.put_targets(
        Rule=RULE,
        Targets=[
            {
                "Id": "sns",
                "Arn": topic_arn,
                "InputTransformer": {
                    "InputPathsMap": {
                        "type": "$.detail.type",
                        "severity": "$.detail.severity",
                        "title": "$.detail.title",
                    },
                    "InputTemplate": TEMPLATE,
                },
                "DeadLetterConfig": {"Arn": dlq_arn},
                "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
            }
        ],
    )
    return Delivery(events, sns, sqs, kms, rule_arn, topic_arn, key_id, probe_url, dlq_url)


RUNTIME_FINDING = {
    "type": "Execution:Runtime/NewBinaryExecuted",
    "severity": 5,
    "title": 'A newly created binary "x" was executed\nin a container.',
}


def test_matching_finding_reaches_the_topic_transformed(delivery: Delivery) -> None:
    delivery.put(RUNTIME_FINDING)
    messages = delivery.received(delivery.probe_url)
    assert [json.loads(m["Body"]) for m in messages] == [
        "GuardDuty Execution:Runtime/NewBinaryExecuted severity 5: "
        'A newly created binary "x" was executed\nin a container.'
    ]
    assert delivery.received(delivery.dlq_url) == []


@pytest.mark.parametrize(
    "detail",
    [
        {**RUNTIME_FINDING, "severity": 3.9},
        {**RUNTIME_FINDING, "type": "Backdoor:EC2/C&CActivity.B"},
    ],
    ids=["below_min_severity", "other_protection_plan"],
)
def test_non_matching_finding_is_not_delivered(delivery: Delivery, detail: dict) -> None:
    delivery.put(detail)
    assert delivery.received(delivery.probe_url) == []
    assert delivery.received(delivery.dlq_url) == []


def _assert_dead_lettered(delivery: Delivery, error_code: str) -> None:
    delivery.put(RUNTIME_FINDING)
    assert delivery.received(delivery.probe_url) == []
    (message,) = delivery.received(delivery.dlq_url)
    assert json.loads(message["Body"])["detail"] == RUNTIME_FINDING
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == error_code
    assert attributes["RULE_ARN"] == delivery.rule_arn
    assert attributes["TARGET_ARN"] == delivery.topic_arn


def test_topic_policy_without_eventbridge_sends_to_dead_letter_queue(delivery: Delivery) -> None:
    delivery.sns.set_topic_attributes(
        TopicArn=delivery.topic_arn,
        AttributeName="Policy",
        AttributeValue=service_policy(
            "sns:Publish", delivery.topic_arn, "arn:aws:events:x:1:rule/o"
        ),
    )
    _assert_dead_lettered(delivery, "AuthorizationError")


def test_failures_are_counted_for_alarms(
    delivery: Delivery, aws_client: Callable[[str], Any]
) -> None:
    delivery.sns.delete_topic(TopicArn=delivery.topic_arn)
    delivery.put(RUNTIME_FINDING)
    cloudwatch = aws_client("cloudwatch")
    counted = {
        metric["MetricName"]
        for metric in cloudwatch.list_metrics(Namespace="AWS/Events")["Metrics"]
        if metric["Dimensions"] == [{"Name": "RuleName", "Value": RULE}]
    }
    assert counted == {"Invocations", "FailedInvocations", "InvocationsSentToDlq"}


def test_disabled_key_sends_to_dead_letter_queue(delivery: Delivery) -> None:
    delivery.kms.disable_key(KeyId=delivery.key_id)
    _assert_dead_lettered(delivery, "KMS.DisabledException")


def test_key_policy_without_eventbridge_sends_to_dead_letter_queue(delivery: Delivery) -> None:
    other_rule = "arn:aws:events:us-east-1:123456789012:rule/other"
    delivery.kms.put_key_policy(
        KeyId=delivery.key_id,
        PolicyName="default",
        Policy=service_policy(KEY_ACTIONS, "*", other_rule),
    )
    _assert_dead_lettered(delivery, "KMS.AccessDeniedException")


def test_deleted_topic_sends_to_dead_letter_queue(delivery: Delivery) -> None:
    delivery.sns.delete_topic(TopicArn=delivery.topic_arn)
    _assert_dead_lettered(delivery, "NotFound")
