"""Every alert channel in ``drill`` and ``verify``, without AWS: how a rule's target is told as
e-mail, chat, raw events or an API destination (``discovery``), what each channel's message must
be (``messages``), verify's checks of API destinations and of chat subscriptions (AWS answers
stubbed with botocore's Stubber), and the drill's per-channel results, an API destination's
among them (probes faked, CloudWatch and SQS stubbed). The emulator delivers to the e-mail, chat
and raw-events topics in tests/apply/test_drill_and_verify.py."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from guardduty_ecs import drill
from guardduty_ecs.cli import main
from guardduty_ecs.discovery import (
    API_DESTINATION,
    CHAT,
    EMAIL,
    RAW,
    Deployment,
    Hints,
    Rule,
    hints_from_document,
    hints_from_outputs,
    target_channel,
)
from guardduty_ecs.drill import (
    FAIL,
    NOT_OBSERVABLE,
    PASS,
    ChannelResult,
    DrillResult,
    exit_verdict,
    report,
)
from guardduty_ecs.messages import (
    chat_errors,
    custom_notification_errors,
    raw_event_errors,
    template_document,
)
from guardduty_ecs.policy import identity_allows, policy_allows
from guardduty_ecs.probe import Alert
from guardduty_ecs.verify import Check, _check_api_destination, _check_topics

pytestmark = pytest.mark.static

ACCOUNT, REGION = "123456789012", "us-east-1"
PREFIX = f"arn:aws:sns:{REGION}:{ACCOUNT}:"
EMAIL_TOPIC, CHAT_TOPIC, RAW_TOPIC = (
    f"{PREFIX}alerts",
    f"{PREFIX}alerts-chat",
    f"{PREFIX}alerts-raw-events",
)
OTHER_TOPIC = f"{PREFIX}someone-elses"
DESTINATION = f"arn:aws:events:{REGION}:{ACCOUNT}:api-destination/alerts-pagerduty/0a1b2c3d"
CONNECTION = f"arn:aws:events:{REGION}:{ACCOUNT}:connection/alerts-pagerduty/4e5f6a7b"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/alerts-{REGION}-paging"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:alerts-dead-letters"
RULE = "alerts-findings-high"
RULE_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{RULE}"
FINDING_ID = "5ec6f2a1b0c94d3e8f7a6b5c4d3e2f1a"

# The module's chat template, shortened (modules/alerts/main.tf, chat_finding_input_templates).
CHAT_TEMPLATE = """{
  "version": "1.0",
  "source": "custom",
  "id": <event_id>,
  "content": {
    "textType": "client-markdown",
    "title": "GuardDuty High severity runtime finding: <type>",
    "description": <description>,
    "nextSteps": ["Open the finding: https://console.aws.amazon.com/guardduty/home#/findings?fId=<finding_id>"],
    "keywords": ["High", <type>, <account>, <region>]
  },
  "metadata": {
    "threadId": <finding_id>,
    "summary": <title>,
    "additionalContext": {"severity": "<severity>"}
  }
}"""
EMAIL_TEMPLATE = '"GuardDuty High severity runtime finding"\n"Finding: ...fId=<finding_id>"'
PAGERDUTY_TEMPLATE = (
    '{"event_action": "trigger", "dedup_key": <finding_id>, '
    '"payload": {"summary": "GuardDuty <type>", "severity": "error", "source": "guardduty"}}'
)
RETRY = {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}


def _target(arn: str, template: str | None = None, **extra: Any) -> dict[str, Any]:
    target: dict[str, Any] = {
        "Id": arn.rsplit(":", 1)[-1][:20],
        "Arn": arn,
        "RetryPolicy": RETRY,
        "DeadLetterConfig": {"Arn": QUEUE},
        **extra,
    }
    if template is not None:
        target["InputTransformer"] = {"InputPathsMap": {}, "InputTemplate": template}
    return target


def _rule(*targets: dict[str, Any]) -> Rule:
    return Rule(RULE, RULE_ARN, "ENABLED", '{"source": ["aws.guardduty"]}', tuple(targets))


ALL_CHANNELS = _rule(
    _target(EMAIL_TOPIC, EMAIL_TEMPLATE),
    _target(CHAT_TOPIC, CHAT_TEMPLATE),
    _target(RAW_TOPIC),
    _target(DESTINATION, PAGERDUTY_TEMPLATE, RoleArn=ROLE),
)


# --- discovery: the channel of each target ---------------------------------------------------


def test_each_target_is_told_as_its_channel() -> None:
    assert [target.channel for target in ALL_CHANNELS.channels] == [
        EMAIL,
        CHAT,
        RAW,
        API_DESTINATION,
    ]
    assert ALL_CHANNELS.delivers
    # A constant input or an input path is read as e-mail; another kind of target is no channel.
    assert target_channel({"Arn": EMAIL_TOPIC, "InputPath": "$.detail"}) == EMAIL
    assert target_channel({"Arn": EMAIL_TOPIC, "Input": '{"version": "1.0"}'}) == EMAIL
    assert target_channel({"Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"}) == ""
    # A rule with only an API destination delivers (what it delivers cannot be observed).
    assert _rule(_target(DESTINATION, PAGERDUTY_TEMPLATE, RoleArn=ROLE)).delivers


def test_terraform_names_the_channel_of_each_topic() -> None:
    """From the outputs (an older stack's, or the root's) and from the state's topic resources
    of modules/alerts, nested in a consumer's root."""
    outputs = {
        "sns_topic_arn": EMAIL_TOPIC,
        "chat_topic_arn": CHAT_TOPIC,
        "raw_events_topic_arn": RAW_TOPIC,
    }
    assert hints_from_outputs(outputs).topic_channels == {
        EMAIL_TOPIC: EMAIL,
        CHAT_TOPIC: CHAT,
        RAW_TOPIC: RAW,
    }
    state = {
        "root_module": {
            "child_modules": [
                {
                    "address": "module.guardduty_ecs_runtime.module.alerts[0]",
                    "resources": [
                        {"type": "aws_sns_topic", "name": name, "values": {"arn": arn}}
                        for name, arn in (("this", EMAIL_TOPIC), ("chat", CHAT_TOPIC))
                    ]
                    + [
                        {"type": "aws_cloudwatch_event_target", "name": name, "values": {}}
                        for name in ("sns", "chat")
                    ]
                    + [{"type": "aws_sns_topic", "name": "other", "values": {"arn": RAW_TOPIC}}],
                },
                # Another module's topic named "this" (terraform-aws-modules/sns) is no hint.
                {
                    "address": "module.sns",
                    "resources": [
                        {"type": "aws_sns_topic", "name": "this", "values": {"arn": OTHER_TOPIC}}
                    ],
                },
            ]
        }
    }
    hints = hints_from_document(state, "state")
    assert hints.topic_channels == {EMAIL_TOPIC: EMAIL, CHAT_TOPIC: CHAT}
    assert hints.topic_arns == {EMAIL_TOPIC, CHAT_TOPIC, RAW_TOPIC, OTHER_TOPIC}


# --- messages: what each channel must read ---------------------------------------------------


def test_a_chat_template_is_read_as_the_custom_notification_it_writes() -> None:
    document = template_document(CHAT_TEMPLATE)
    assert document["id"] == "<event_id>"  # a variable standing alone: a string
    assert document["content"]["title"].endswith(": <type>")  # inside a string: text
    assert custom_notification_errors(document) == []
    with pytest.raises(json.JSONDecodeError, match="Extra data"):
        template_document(EMAIL_TEMPLATE)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"version": "1"}, "version is '1', not \"1.0\""),
        ({"source": "aws.guardduty"}, "source is 'aws.guardduty', not \"custom\""),
        ({"content": {"title": "no description"}}, "no content.description"),
        ({"content": {"description": "d", "textType": "html"}}, "not client-markdown"),
        ({"content": {"description": "d", "keywords": "High"}}, "not a list of strings"),
        ({"metadata": {"additionalContext": {"severity": 8}}}, "names to strings"),
    ],
    ids=["version", "source", "description", "text_type", "keywords", "context"],
)
def test_a_custom_notification_is_held_to_the_documented_format(
    change: dict[str, Any], error: str
) -> None:
    notification = {"version": "1.0", "source": "custom", "content": {"description": "d"}}
    assert custom_notification_errors(notification) == []
    (found,) = custom_notification_errors({**notification, **change})
    assert error in found


def _chat_message(thread: str = FINDING_ID) -> str:
    return json.dumps(
        {
            "version": "1.0",
            "source": "custom",
            "content": {
                "description": "A reverse shell.",
                "nextSteps": [f"Open the finding: https://console.aws.amazon.com/...{FINDING_ID}"],
            },
            "metadata": {"threadId": thread},
        }
    )


def _raw_message(**extra: Any) -> str:
    event = {
        "version": "0",
        "id": "e1",
        "detail-type": "GuardDuty Finding",
        "source": "aws.guardduty",
        "account": ACCOUNT,
        "time": "2026-12-01T00:00:00Z",
        "region": REGION,
        "resources": [],
        "detail": {"id": FINDING_ID, "type": "Execution:Runtime/ReverseShell"},
        **extra,
    }
    return json.dumps(event)


def test_chat_threads_by_the_finding_and_raw_events_are_the_event_itself() -> None:
    assert chat_errors(_chat_message(), thread_id=FINDING_ID) == []
    assert chat_errors(_chat_message("other"), thread_id=FINDING_ID) == [
        f"metadata.threadId is 'other', not '{FINDING_ID}'"
    ]
    assert chat_errors("Type: ...") == ["not JSON"]
    wanted = {"id": FINDING_ID, "type": "Execution:Runtime/ReverseShell"}
    assert raw_event_errors(_raw_message(), "GuardDuty Finding", wanted) == []
    (added,) = raw_event_errors(_raw_message(note="x"), "GuardDuty Finding", wanted)
    assert added == "not an event's top-level fields; not an event's: note"
    (other,) = raw_event_errors(_raw_message(), "GuardDuty Finding", {"id": "other"})
    assert other == f"detail.id is '{FINDING_ID}', not 'other'"


# --- policies: a role's trust and its own policies -------------------------------------------


def test_a_roles_trust_and_identity_policies_are_read() -> None:
    trust = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"ArnEquals": {"aws:SourceArn": [RULE_ARN]}},
                }
            ]
        }
    )
    context = {"aws:sourcearn": RULE_ARN, "aws:sourceaccount": ACCOUNT}
    assert policy_allows(trust, "sts:AssumeRole", ROLE, context)
    other_rule = {**context, "aws:sourcearn": RULE_ARN + "-other"}
    assert not policy_allows(trust, "sts:AssumeRole", ROLE, other_rule)
    allow = json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "events:*", "Resource": DESTINATION}]}
    )
    deny = json.dumps(
        {
            "Statement": [
                {"Effect": "Deny", "Action": "events:InvokeApiDestination", "Resource": "*"}
            ]
        }
    )
    assert identity_allows([allow], "events:InvokeApiDestination", DESTINATION)
    assert not identity_allows([allow, deny], "events:InvokeApiDestination", DESTINATION)
    assert not identity_allows([allow], "events:InvokeApiDestination", DESTINATION + "x")


# --- verify: API destinations and chat subscriptions, AWS stubbed ----------------------------


def _stubbed(service: str) -> tuple[Any, Stubber]:
    api = boto3.Session(
        aws_access_key_id="AKIDSTUB", aws_secret_access_key="stub", region_name=REGION
    ).client(service)
    return api, Stubber(api)


def _api_destination_stubs(
    *, state: str = "AUTHORIZED", secret: bool = True, rule_arn: str = RULE_ARN
) -> tuple[Any, Any]:
    events, events_stub = _stubbed("events")
    events_stub.add_response(
        "describe_api_destination",
        {
            "ApiDestinationArn": DESTINATION,
            "ApiDestinationState": "ACTIVE",
            "ConnectionArn": CONNECTION,
            "InvocationEndpoint": "https://events.pagerduty.com/v2/enqueue",
        },
        {"Name": "alerts-pagerduty"},
    )
    events_stub.add_response(
        "describe_connection",
        {
            "ConnectionArn": CONNECTION,
            "ConnectionState": state,
            "AuthParameters": {
                "InvocationHttpParameters": {
                    "BodyParameters": [{"Key": "routing_key", "IsValueSecret": secret}]
                }
            },
        },
        {"Name": "alerts-pagerduty"},
    )
    iam, iam_stub = _stubbed("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnEquals": {"aws:SourceArn": [rule_arn]},
                },
            }
        ],
    }
    created = datetime(2026, 12, 1, tzinfo=UTC)
    iam_stub.add_response(
        "get_role",
        {
            "Role": {
                "Path": "/",
                "RoleName": "alerts-us-east-1-paging",
                "RoleId": "AROAEXAMPLEEXAMPLE01",
                "Arn": ROLE,
                "CreateDate": created,
                "AssumeRolePolicyDocument": json.dumps(trust),
            }
        },
    )
    iam_stub.add_response("list_role_policies", {"PolicyNames": ["invoke"]})
    invoke = {
        "Statement": [
            {"Effect": "Allow", "Action": "events:InvokeApiDestination", "Resource": DESTINATION}
        ]
    }
    iam_stub.add_response(
        "get_role_policy",
        {
            "RoleName": "alerts-us-east-1-paging",
            "PolicyName": "invoke",
            "PolicyDocument": json.dumps(invoke),
        },
    )
    iam_stub.add_response("list_attached_role_policies", {"AttachedPolicies": []})
    events_stub.activate()
    iam_stub.activate()
    return events, iam


def _by_name(checks: list[Check]) -> dict[str, bool]:
    return {check.name: check.passed for check in checks}


def test_verify_checks_an_api_destination_its_connection_role_and_body() -> None:
    (target,) = [t for t in ALL_CHANNELS.channels if t.channel == API_DESTINATION]
    events, iam = _api_destination_stubs()
    checks = _check_api_destination(events, iam, [target], ACCOUNT)
    assert _by_name(checks) == {
        "API destination alerts-pagerduty active": True,
        "API destination alerts-pagerduty connection authorized": True,
        "API destination alerts-pagerduty connection adds the routing key": True,
        f"rule {RULE} message (API destination)": True,
        f"rule {RULE} role (API destination) trusts EventBridge for the rule": True,
        f"rule {RULE} role (API destination) may invoke the API destination": True,
    }


def test_verify_names_a_deauthorized_connection_a_plain_key_and_a_role_of_another_rule() -> None:
    (target,) = [t for t in ALL_CHANNELS.channels if t.channel == API_DESTINATION]
    events, iam = _api_destination_stubs(
        state="DEAUTHORIZED", secret=False, rule_arn=RULE_ARN + "-other"
    )
    failed = [check for check in _check_api_destination(events, iam, [target], ACCOUNT)]
    assert [check.name for check in failed if not check.passed] == [
        "API destination alerts-pagerduty connection authorized",
        "API destination alerts-pagerduty connection adds the routing key",
        f"rule {RULE} role (API destination) trusts EventBridge for the rule",
    ]
    assert "is DEAUTHORIZED" in failed[1].detail


def _topic_stubs(
    subscriptions: list[dict[str, Any]], raw_delivery: str = "false"
) -> tuple[Any, Any]:
    sns, sns_stub = _stubbed("sns")
    kms, kms_stub = _stubbed("kms")
    policy = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": CHAT_TOPIC,
                }
            ]
        }
    )
    key = {"KeyId": "k1", "Arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k1"}
    sns_stub.add_response(
        "get_topic_attributes", {"Attributes": {"Policy": policy, "KmsMasterKeyId": "k1"}}
    )
    kms_stub.add_response(
        "describe_key",
        {"KeyMetadata": {**key, "KeyState": "Enabled", "KeyManager": "CUSTOMER"}},
    )
    key_policy = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                    "Resource": "*",
                }
            ]
        }
    )
    kms_stub.add_response("get_key_policy", {"Policy": key_policy})
    sns_stub.add_response("list_subscriptions_by_topic", {"Subscriptions": subscriptions})
    for subscription in subscriptions:
        if subscription["SubscriptionArn"].startswith("arn:"):
            sns_stub.add_response(
                "get_subscription_attributes",
                {"Attributes": {"RawMessageDelivery": raw_delivery}},
                {"SubscriptionArn": subscription["SubscriptionArn"]},
            )
    sns_stub.activate()
    kms_stub.activate()
    return sns, kms


CHAT_SUBSCRIPTION = {
    "SubscriptionArn": f"{CHAT_TOPIC}:11111111-2222-3333-4444-555555555555",
    "Owner": ACCOUNT,
    "Protocol": "https",
    "Endpoint": "https://global.sns-api.chatbot.amazonaws.com",
    "TopicArn": CHAT_TOPIC,
}


def _chat_deployment(*targets: dict[str, Any], hinted: bool = True) -> Deployment:
    hints = Hints(topic_channels={CHAT_TOPIC: CHAT} if hinted else {})
    return Deployment(ACCOUNT, REGION, None, (_rule(*targets),), hints)


def test_verify_holds_the_chat_topic_to_its_choice_on_keys_and_subscriptions() -> None:
    """The chat topic's key lets EventBridge use it, and nothing more is needed for chat; its
    chat subscriptions must not use raw message delivery."""
    sns, kms = _topic_stubs([CHAT_SUBSCRIPTION])
    checks = _check_topics(sns, kms, _chat_deployment(_target(CHAT_TOPIC, CHAT_TEMPLATE)), [])
    assert _by_name(checks) == {
        "chat topic policy lets EventBridge publish": True,
        "chat topic key is customer managed and enabled": True,
        "chat topic key policy lets EventBridge kms:GenerateDataKey": True,
        "chat topic key policy lets EventBridge kms:Decrypt": True,
        "chat subscription without raw message delivery": True,
        f"rule {RULE} message (chat)": True,
    }
    key_check = next(c for c in checks if c.name.endswith("kms:Decrypt"))
    assert "needs no key permission" in key_check.detail

    sns, kms = _topic_stubs([CHAT_SUBSCRIPTION], raw_delivery="true")
    checks = _check_topics(sns, kms, _chat_deployment(_target(CHAT_TOPIC, CHAT_TEMPLATE)), [])
    assert [c.name for c in checks if not c.passed] == [
        "chat subscription without raw message delivery"
    ]


def test_verify_fails_text_on_a_topic_that_chat_reads_and_warns_of_a_chat_topic_unread() -> None:
    # No hint: the chat subscription says what the topic is for.
    sns, kms = _topic_stubs([CHAT_SUBSCRIPTION])
    deployment = _chat_deployment(_target(CHAT_TOPIC, EMAIL_TEMPLATE), hinted=False)
    failed = [c for c in _check_topics(sns, kms, deployment, []) if not c.passed]
    assert [c.name for c in failed] == [f"rule {RULE} message"]
    assert "cannot render text" in failed[0].detail
    # The module's chat topic with no channel configuration yet (chat = {}): a warning.
    sns, kms = _topic_stubs([])
    checks = _check_topics(sns, kms, _chat_deployment(_target(CHAT_TOPIC, CHAT_TEMPLATE)), [])
    (warning,) = [c for c in checks if c.warning]
    assert (warning.name, warning.passed) == ("chat topic has a chat channel", True)


# --- drill: a result per channel -------------------------------------------------------------


class _Probe:
    """A probe that hands out its messages once."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)

    def receive(self, wait_seconds: int = 0) -> list[Alert]:
        texts, self.texts = self.texts, []
        return [Alert(text, time.monotonic()) for text in texts]


@pytest.fixture
def failure_signals(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """The drill's CloudWatch and SQS clients stubbed: the rule's FailedInvocations and one read
    of the dead-letter queue (with the given messages)."""
    monkeypatch.setattr(drill, "API_DESTINATION_SETTLE_SECONDS", 0)

    def install(failed: float | None, letters: list[dict[str, Any]] | None = None) -> Any:
        cloudwatch, cloudwatch_stub = _stubbed("cloudwatch")
        points = [] if failed is None else [{"Timestamp": datetime.now(UTC), "Sum": failed}]
        cloudwatch_stub.add_response("get_metric_statistics", {"Datapoints": points})
        sqs, sqs_stub = _stubbed("sqs")
        sqs_stub.add_response(
            "get_queue_url",
            {"QueueUrl": "https://sqs/alerts-dead-letters"},
            {"QueueName": "alerts-dead-letters", "QueueOwnerAWSAccountId": ACCOUNT},
        )
        sqs_stub.add_response(
            "receive_message",
            {"Messages": letters or []},
            {
                "QueueUrl": "https://sqs/alerts-dead-letters",
                "MaxNumberOfMessages": 10,
                "VisibilityTimeout": 0,
                "MessageAttributeNames": ["All"],
                "WaitTimeSeconds": 0,
            },
        )
        cloudwatch_stub.activate()
        sqs_stub.activate()
        clients = {"cloudwatch": cloudwatch, "sqs": sqs}
        monkeypatch.setattr(drill, "client", lambda _s, service, *_: clients[service])
        return drill._FailureSignals(boto3.Session(), None, datetime.now(UTC))

    return install


def _observe(rule: Rule, probes: dict[str, _Probe], signals: Any, wait: float = 2) -> DrillResult:
    sample = drill._Sample(
        FINDING_ID,
        "Execution:Runtime/ReverseShell (8.0)",
        (rule,),
        lambda text: FINDING_ID in text,
        drill._finding_errors({"Id": FINDING_ID, "Type": "Execution:Runtime/ReverseShell"}),
    )
    started = time.monotonic()
    (result,) = drill._observe(
        [sample], probes, signals, started=started, deadline=started + wait, progress=_Null()
    )
    return result


class _Null:
    def write(self, text: str) -> int:
        return len(text)


def test_the_drill_reports_each_channel_and_an_api_destination_as_not_observable(
    failure_signals: Callable[..., Any],
) -> None:
    probes = {
        EMAIL_TOPIC: _Probe(f'"Finding: ...fId={FINDING_ID}"'),
        CHAT_TOPIC: _Probe(_chat_message()),
        RAW_TOPIC: _Probe(_raw_message()),
    }
    result = _observe(ALL_CHANNELS, probes, failure_signals(None))
    assert result.status == PASS
    assert [(c.channel, c.status) for c in result.channels] == [
        (EMAIL, PASS),
        (CHAT, PASS),
        (RAW, PASS),
        (API_DESTINATION, NOT_OBSERVABLE),
    ]
    assert result.text == f'"Finding: ...fId={FINDING_ID}"'  # the e-mail's
    assert result.detail == "API destination alerts-pagerduty: NOT OBSERVABLE"
    assert "EventBridge reports no delivery to an API destination" in result.channels[3].detail


def test_the_drill_fails_a_channel_that_reads_wrong_and_an_api_destination_that_failed(
    failure_signals: Callable[..., Any],
) -> None:
    letter = {
        "MessageId": "m1",
        "ReceiptHandle": "r1",
        "Body": _raw_message(),
        "MessageAttributes": {
            "TARGET_ARN": {"StringValue": DESTINATION, "DataType": "String"},
            "ERROR_CODE": {"StringValue": "SDK_CLIENT_ERROR", "DataType": "String"},
            "ERROR_MESSAGE": {"StringValue": "400 Bad Request", "DataType": "String"},
        },
    }
    probes = {
        EMAIL_TOPIC: _Probe(f'"Finding: ...fId={FINDING_ID}"'),
        CHAT_TOPIC: _Probe(_chat_message("another-thread")),
        RAW_TOPIC: _Probe(),
    }
    result = _observe(ALL_CHANNELS, probes, failure_signals(None, [letter]))
    assert result.status == FAIL
    by_channel = {c.channel: c for c in result.channels}
    assert by_channel[EMAIL].status == PASS
    assert by_channel[CHAT].status == FAIL
    assert by_channel[CHAT].detail.startswith("arrived, but metadata.threadId is")
    assert (by_channel[RAW].status, by_channel[RAW].detail) == (FAIL, "no alert within 2s")
    assert by_channel[API_DESTINATION].status == FAIL
    assert by_channel[API_DESTINATION].detail == (
        "in the dead-letter queue alerts-dead-letters: SDK_CLIENT_ERROR 400 Bad Request"
    )


def test_an_api_destination_alone_is_not_observable_unless_its_rule_failed(
    failure_signals: Callable[..., Any],
) -> None:
    paging_only = _rule(_target(DESTINATION, PAGERDUTY_TEMPLATE, RoleArn=ROLE))
    # No topic: the drill watches the failure signals until the deadline (here at once).
    result = _observe(paging_only, {}, failure_signals(None), wait=0)
    assert result.status == NOT_OBSERVABLE
    passed, line = exit_verdict([result])
    assert not passed
    assert line.startswith("0 passed, 0 failed, 0 not routed, 1 not observable: no alert could")

    result = _observe(paging_only, {}, failure_signals(2.0), wait=0)
    assert result.status == FAIL
    assert result.detail.startswith(f"FailedInvocations of rule {RULE}: 2 since the drill began")


def test_the_table_shows_each_channel_under_its_sample(failure_signals: Callable[..., Any]) -> None:
    probes = {
        EMAIL_TOPIC: _Probe(f'"Finding: ...fId={FINDING_ID}"'),
        CHAT_TOPIC: _Probe(_chat_message()),
        RAW_TOPIC: _Probe(_raw_message()),
    }
    result = _observe(ALL_CHANNELS, probes, failure_signals(None))

    class Out:
        text = ""

        def write(self, text: str) -> None:
            self.text += text

    out = Out()
    assert report([result], out)  # type: ignore[arg-type]
    lines = out.text.splitlines()
    assert [line.split()[0] for line in lines[:5]] == ["PASS", "PASS", "PASS", "PASS", "NOT"]
    assert lines[1].split()[2:] == ["e-mail:", "alerts"]
    assert lines[4].split()[3:5] == ["API", "destination:"]
    assert lines[-1] == "1 passed, 0 failed, 0 not routed"


# --- the README's JSON of the drill ----------------------------------------------------------


def test_the_drill_json_has_the_fields_the_readme_shows(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (repo_root / "README.md").read_text()
    section = readme.split("### JSON output", 1)[1].split("\n## ", 1)[0]
    examples = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", section, re.S)]
    (example,) = [e for e in examples if e["command"] == "drill"]
    assert {c["channel"] for c in example["results"][0]["channels"]} == {
        EMAIL,
        CHAT,
        RAW,
        API_DESTINATION,
    }
    channel = ChannelResult(API_DESTINATION, DESTINATION, RULE, NOT_OBSERVABLE, None, "d")
    result = DrillResult("n", RULE, PASS, 0.1, channels=(channel,))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSTUB")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "stub")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setattr(drill, "run_drill", lambda *args, **kwargs: [result])
    assert main(["drill", "--output", "json"]) == 0
    document = json.loads(capsys.readouterr().out)

    def shape(value: Any) -> Any:
        """The keys at every level (the first item of a list)."""
        if isinstance(value, dict):
            return {key: shape(item) for key, item in value.items()}
        if isinstance(value, list) and value:
            return [shape(value[0])]
        return None

    assert shape(document) == shape(example)
    assert list(document["results"][0]) == [f.name for f in fields(DrillResult)]
    assert list(document["results"][0]["channels"][0]) == [f.name for f in fields(ChannelResult)]
