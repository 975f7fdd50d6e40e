"""The emulator delivers matched events to SNS, transformed, and failed ones to the DLQ.

It follows the AWS guides: EventBridge's requests to a topic and its key carry no aws:Source* keys,
and its dead letters carry the rule's ARN.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from guardduty_ecs.policy import service_policy
from guardduty_ecs_bench.events import EVENT_ENVELOPE_FIELDS

pytestmark = pytest.mark.emulator

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
    # The SNS developer guide's statement for services publishing to an encrypted topic, and the
    # EventBridge guide's topic statement: neither with a condition.
    key_id = kms.create_key(Policy=service_policy(KEY_ACTIONS, "*"))["KeyMetadata"]["KeyId"]
    topic_arn = sns.create_topic(Name="alerts", Attributes={"KmsMasterKeyId": key_id})["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=topic_arn,
        AttributeName="Policy",
        AttributeValue=service_policy("sns:Publish", topic_arn),
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
    """Values are pasted unescaped: the title's quotes and line break reach the subscriber."""
    delivery.put(RUNTIME_FINDING)
    messages = delivery.received(delivery.probe_url)
    assert [m["Body"] for m in messages] == [
        '"GuardDuty Execution:Runtime/NewBinaryExecuted severity 5: '
        'A newly created binary "x" was executed\nin a container."'
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
    assert attributes["RETRY_ATTEMPTS"] == "0"


def test_topic_policy_without_eventbridge_sends_to_dead_letter_queue(delivery: Delivery) -> None:
    delivery.sns.set_topic_attributes(
        TopicArn=delivery.topic_arn,
        AttributeName="Policy",
        AttributeValue=service_policy(
            "sns:Publish", delivery.topic_arn, principal="s3.amazonaws.com"
        ),
    )
    _assert_dead_lettered(delivery, "AuthorizationError")


def test_topic_policy_conditioned_on_the_rule_sends_to_dead_letter_queue(
    delivery: Delivery,
) -> None:
    """ "You can't use Condition blocks in Amazon SNS topic policies for EventBridge." """
    delivery.sns.set_topic_attributes(
        TopicArn=delivery.topic_arn,
        AttributeName="Policy",
        AttributeValue=service_policy("sns:Publish", delivery.topic_arn, delivery.rule_arn),
    )
    _assert_dead_lettered(delivery, "AuthorizationError")


def _key_policy(condition: dict[str, Any]) -> str:
    statement = json.loads(service_policy(KEY_ACTIONS, "*"))
    statement["Statement"][0]["Condition"] = condition
    return json.dumps(statement)


@pytest.mark.parametrize(
    "condition",
    [
        {"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/" + RULE}},
        {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        {"StringEquals": {"aws:SourceOrgID": "o-a1b2c3d4e5"}},
    ],
    ids=["source_arn", "source_account", "source_org_id"],
)
def test_key_policy_with_a_condition_eventbridge_cannot_meet_sends_to_dead_letter_queue(
    delivery: Delivery, condition: dict[str, Any]
) -> None:
    """SNS developer guide: these keys in a KMS policy are "not supported for
    EventBridge-to-encrypted topics"; the one statement that names EventBridge never applies."""
    delivery.kms.put_key_policy(
        KeyId=delivery.key_id, PolicyName="default", Policy=_key_policy(condition)
    )
    _assert_dead_lettered(delivery, "KMS.AccessDeniedException")


def test_key_policy_without_decrypt_sends_to_dead_letter_queue(delivery: Delivery) -> None:
    delivery.kms.put_key_policy(
        KeyId=delivery.key_id,
        PolicyName="default",
        Policy=service_policy(["kms:GenerateDataKey*"], "*"),
    )
    _assert_dead_lettered(delivery, "KMS.AccessDeniedException")


def test_dead_letter_queue_key_may_be_scoped_to_the_rule(
    delivery: Delivery, aws_client: Callable[[str], Any]
) -> None:
    """SQS developer guide: with SSE queues, CloudWatch Events supports aws:SourceArn; a DLQ key
    scoped to the rule keeps the dead letter, one scoped to another rule loses it."""
    cloudwatch = aws_client("cloudwatch")
    dlq_arn = delivery.sqs.get_queue_attributes(
        QueueUrl=delivery.dlq_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    scoped = delivery.kms.create_key(Policy=service_policy(KEY_ACTIONS, "*", delivery.rule_arn))
    # Both attributes at once: moto 5.2.5 forgets the queue policy when only the key is set.
    delivery.sqs.set_queue_attributes(
        QueueUrl=delivery.dlq_url,
        Attributes={
            "KmsMasterKeyId": scoped["KeyMetadata"]["Arn"],
            "Policy": service_policy("sqs:SendMessage", dlq_arn, delivery.rule_arn),
        },
    )
    delivery.sns.delete_topic(TopicArn=delivery.topic_arn)
    delivery.put(RUNTIME_FINDING)
    assert len(delivery.received(delivery.dlq_url)) == 1

    other_rule = "arn:aws:events:us-east-1:123456789012:rule/other"
    delivery.kms.put_key_policy(
        KeyId=scoped["KeyMetadata"]["KeyId"],
        PolicyName="default",
        Policy=service_policy(KEY_ACTIONS, "*", other_rule),
    )
    delivery.put(RUNTIME_FINDING)
    assert delivery.received(delivery.dlq_url) == []
    lost = cloudwatch.list_metrics(
        Namespace="AWS/Events", MetricName="InvocationsFailedToBeSentToDlq"
    )
    assert [m["Dimensions"] for m in lost["Metrics"]] == [[{"Name": "RuleName", "Value": RULE}]]


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
    delivery.kms.put_key_policy(
        KeyId=delivery.key_id,
        PolicyName="default",
        Policy=service_policy(KEY_ACTIONS, "*", principal="s3.amazonaws.com"),
    )
    _assert_dead_lettered(delivery, "KMS.AccessDeniedException")


def test_deleted_topic_sends_to_dead_letter_queue(delivery: Delivery) -> None:
    delivery.sns.delete_topic(TopicArn=delivery.topic_arn)
    _assert_dead_lettered(delivery, "NotFound")


EVENT = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "GuardDuty Finding",
    "source": "aws.guardduty",
    "account": "123456789012",
    "time": "2026-12-06T12:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {"type": "AttackSequence:ECS/CompromisedCluster", "severity": 9.0},
}


@pytest.mark.parametrize(
    ("pattern", "result"),
    [
        ({"detail": {"type": [{"wildcard": "*:Runtime/*"}]}}, False),
        ({"detail": {"type": [{"prefix": "AttackSequence:"}]}}, True),
        ({"detail": {"severity": [{"numeric": [">=", 9]}]}, "source": ["aws.guardduty"]}, True),
    ],
    ids=["wildcard", "prefix", "numeric"],
)
def test_test_event_pattern_answers_as_the_rules_match(
    aws_client: Callable[[str], Any], pattern: dict[str, Any], result: bool
) -> None:
    """EventBridge API reference, TestEventPattern: "Indicates whether the event matches the
    event pattern"; the emulator decides with the matcher that routes its rules' events."""
    answer = aws_client("events").test_event_pattern(
        EventPattern=json.dumps(pattern), Event=json.dumps(EVENT)
    )
    assert answer["Result"] is result


def test_test_event_pattern_requires_the_mandatory_fields(aws_client: Callable[[str], Any]) -> None:
    """ "the following fields are mandatory: id, account, source, time, region, resources,
    detail-type" (API reference, TestEventPattern)."""
    event = {key: value for key, value in EVENT.items() if key != "time"}
    with pytest.raises(ClientError) as failure:
        aws_client("events").test_event_pattern(
            EventPattern=json.dumps({"source": ["aws.guardduty"]}), Event=json.dumps(event)
        )
    assert failure.value.response["Error"]["Code"] == "ValidationException"
    assert "time" in failure.value.response["Error"]["Message"]


def test_an_untransformed_event_is_the_documented_envelope(delivery: Delivery) -> None:
    """EventBridge user guide, "Amazon EventBridge events": the same top-level fields in every
    event, and nothing of moto's own (``ingestion-time``)."""
    delivery.events.put_targets(Rule=RULE, Targets=[{"Id": "sns", "Arn": delivery.topic_arn}])
    event_id = delivery.events.put_events(
        Entries=[
            {
                "Source": "aws.guardduty",
                "DetailType": "GuardDuty Finding",
                "Detail": json.dumps(RUNTIME_FINDING),
            }
        ]
    )["Entries"][0]["EventId"]
    (message,) = delivery.received(delivery.probe_url)
    event = json.loads(message["Body"])
    assert list(event) == EVENT_ENVELOPE_FIELDS
    assert (event["id"], event["detail"]) == (event_id, RUNTIME_FINDING)
