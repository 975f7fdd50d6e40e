"""modules/alerts with a topic and key that the consumer owns: the module leaves their policies
alone, alerts fail (into the dead-letter queue) until the policy outputs are merged, then arrive.
Also covers explicit finding types (with the ECS attack sequence), a higher min_severity, Healthy
alerts, and every other channel of the same rules: chat (a Slack and a Teams channel), the
raw-event topic and PagerDuty (an API destination, its routing key resolved by CloudFormation from
Secrets Manager). The module's own chat and raw-event topics use the consumer's key too.

Each alert is read where it arrives: the e-mail text and the raw event from SQS probes subscribed
to their topics, the chat JSON as the chat channels received it (the emulator records what their
subscription delivers), the PagerDuty request as a local HTTP receiver got it (the emulator sends
``events.pagerduty.com`` there).
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs.events import (
    FINDING_DETAIL_TYPE,
    HEALTHY_DETAIL_TYPE,
    UNHEALTHY_DETAIL_TYPE,
    EcsTask,
    attack_sequence_finding,
    ecs_coverage_change,
    runtime_finding,
    sequence_resources,
)
from guardduty_ecs.probe import TopicProbe
from guardduty_ecs_bench.deployment import SENTINEL_TITLE, Deployment, deployed
from guardduty_ecs_bench.events import EVENT_ENVELOPE_FIELDS, put_guardduty_event
from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_emulator.process import (
    advance_clock,
    authorize_chat,
    chat_deliveries,
    redirect_api_destinations,
)
from guardduty_ecs_emulator.services.chatbot import custom_notification_errors

# One worker runs the whole module, so that its one deployment is applied once.
pytestmark = [
    pytest.mark.apply,
    pytest.mark.xdist_group("alerts-bring-your-own"),
    pytest.mark.emulator_only(
        reason=(
            "puts aws.guardduty events with PutEvents, which AWS refuses to anyone but GuardDuty; "
            "chat workspaces are authorized and PagerDuty is a local receiver"
        )
    ),
]

ECS_SEQUENCE = "AttackSequence:ECS/CompromisedCluster"
LISTED_TYPES = [
    "Execution:Runtime/NewBinaryExecuted",
    "CryptoCurrency:Runtime/BitcoinTool.B",
    ECS_SEQUENCE,
]
ACCOUNT = "123456789012"
NAME = "byo"
SLACK = {"name": "secops", "workspace_id": "T0123ABCD", "channel_id": "C0123ABCD"}
TEAMS = {
    "name": "secops",
    "tenant_id": "00000000-1111-2222-3333-444444444444",
    "team_id": "55555555-6666-7777-8888-999999999999",
    "channel_id": "19%3a0123456789abcdef0123456789abcdef%40thread.tacv2",
}
# A 32-character Events API v2 integration key (PagerDuty, "Send an Alert Event": routing_key).
ROUTING_KEY = "R0UT1NGKEY0123456789abcdef012345"
TASK = EcsTask()


class Receiver(http.server.ThreadingHTTPServer):
    """The tests' PagerDuty: records every request and answers 202, as the Events API does."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def take(self) -> list[dict[str, Any]]:
        with self.lock:
            taken, self.requests = self.requests, []
        return taken


class _ReceiverHandler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": json.loads(body)}
            )
        self.send_response(202)
        self.end_headers()
        self.wfile.write(b'{"status":"success","message":"Event processed"}')

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Scenario:
    deployment: Deployment
    topic_arn: str
    key_arn: str
    policies_before_apply: dict[str, str]
    policies_after_apply: dict[str, str]
    dead_letters_before_merge: dict[str, dict[str, str]]
    paged_before_merge: list[dict[str, Any]]
    receiver: Receiver
    endpoint_url: str
    secret_arn: str


def _policies(sns: Any, kms: Any, topic_arn: str, key_arn: str) -> dict[str, str]:
    return {
        "topic": sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["Policy"],
        "key": kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"],
    }


def _merged(policy: str, addition: str) -> str:
    document = json.loads(policy)
    document["Statement"] = [*document["Statement"], *json.loads(addition)["Statement"]]
    return json.dumps(document)


def _dead_letters(deployment: Deployment, count: int) -> dict[str, dict[str, str]]:
    """The attributes of ``count`` dead letters, by target ARN (read and deleted)."""
    sqs, queue_url = deployment.client("sqs"), deployment.outputs["dead_letter_queue_url"]
    found: dict[str, dict[str, str]] = {}
    for _ in range(20):
        response = sqs.receive_message(
            QueueUrl=queue_url,
            MessageAttributeNames=["All"],
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
        )
        for message in response.get("Messages", []):
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            attributes = {
                name: value["StringValue"] for name, value in message["MessageAttributes"].items()
            }
            attributes["BODY"] = message["Body"]
            found[attributes["TARGET_ARN"]] = attributes
        if len(found) >= count:
            break
    return found


@pytest.fixture(scope="module")
def scenario(private_workbench: Workbench) -> Iterator[Scenario]:
    environment = private_workbench.environment
    endpoint_url = environment["AWS_ENDPOINT_URL"]
    session = session_from_environment(environment)
    kms = client(session, "kms", endpoint_url)
    sns = client(session, "sns", endpoint_url)
    secrets = client(session, "secretsmanager", endpoint_url)
    key_arn = kms.create_key(Description="owned by the platform team")["KeyMetadata"]["Arn"]
    topic_arn = sns.create_topic(Name="secops", Attributes={"KmsMasterKeyId": key_arn})["TopicArn"]
    secret_arn = secrets.create_secret(
        Name="pagerduty/guardduty", SecretString=json.dumps({"routing_key": ROUTING_KEY})
    )["ARN"]
    # What the console does once per workspace and team, before any channel is configured.
    authorize_chat(
        endpoint_url,
        ACCOUNT,
        {SLACK["workspace_id"]: "acme"},
        [(TEAMS["tenant_id"], TEAMS["team_id"], "Security Operations")],
    )
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, args=(0.05,), daemon=True).start()
    redirect_api_destinations(endpoint_url, {"events.pagerduty.com": receiver.url})
    tf_vars = {
        "name": NAME,
        "sns_topic_arn": topic_arn,
        "kms_key_arn": key_arn,
        "finding_types": LISTED_TYPES,
        "min_severity": 7,
        "notify_on_healthy": True,
        "chat": {"slack": [SLACK], "teams": [TEAMS]},
        "raw_events_topic": True,
        "pagerduty": {"routing_key_secret_arn": secret_arn, "routing_key_json_key": "routing_key"},
    }
    before = _policies(sns, kms, topic_arn, key_arn)
    try:
        with deployed(private_workbench, "modules/alerts", tf_vars) as deployment:
            after = _policies(sns, kms, topic_arn, key_arn)
            deployment.put(
                FINDING_DETAIL_TYPE, runtime_finding(LISTED_TYPES[0], 8, "before the merge")
            )
            # The e-mail, chat and raw-event topics all need the consumer's policies; PagerDuty
            # does not.
            dead_letters = _dead_letters(deployment, 3)
            paged = receiver.take()
            chat_deliveries(endpoint_url, ACCOUNT)
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
                dead_letters_before_merge=dead_letters,
                paged_before_merge=paged,
                receiver=receiver,
                endpoint_url=endpoint_url,
                secret_arn=secret_arn,
            )
            _spare_the_providers_waits(deployment)
    finally:
        receiver.shutdown()
        sns.delete_topic(TopicArn=topic_arn)
        kms.schedule_key_deletion(KeyId=key_arn, PendingWindowInDays=7)
        secrets.delete_secret(SecretId=secret_arn, ForceDeleteWithoutRecovery=True)


def _spare_the_providers_waits(deployment: Deployment) -> None:
    """Delete the chat channel configurations and the connection's stack before Terraform
    destroys the rest. After its own delete the provider waits before it first looks whether the
    resource is gone: 30 s for a channel configuration (``waitSlackChannelConfigurationDeleted``,
    ``Delay: 30 * time.Second``), 10 s for a stack (``waitStackDeleted``); a configuration already
    gone ends its delete at once (ResourceNotFoundException) and a stack already DELETE_COMPLETE
    leaves the state when the destroy refreshes it. The destroy and its leftover check still run:
    this spares the suite the provider's waits, not a check."""
    chatbot = deployment.client("chatbot")
    for key, arn in deployment.outputs["chat_channel_configuration_arns"].items():
        if key.startswith("slack/"):
            chatbot.delete_slack_channel_configuration(ChatConfigurationArn=arn)
        else:
            chatbot.delete_microsoft_teams_channel_configuration(ChatConfigurationArn=arn)
    deployment.client("cloudformation").delete_stack(StackName=f"{NAME}-pagerduty-connection")


def test_given_topic_and_key_are_used_and_left_alone(scenario: Scenario) -> None:
    outputs = scenario.deployment.outputs
    assert outputs["sns_topic_arn"] == scenario.topic_arn
    assert outputs["kms_key_arn"] == scenario.key_arn
    assert scenario.policies_after_apply == scenario.policies_before_apply
    events = scenario.deployment.client("events")
    for rule_arn in [*outputs["findings_rule_arns"].values(), outputs["coverage_rule_arn"]]:
        targets = events.list_targets_by_rule(Rule=rule_arn.rsplit("/", 1)[1])["Targets"]
        (email,) = [target for target in targets if target["Id"] == "sns"]
        assert email["Arn"] == scenario.topic_arn


def test_alerts_are_dead_lettered_until_the_policy_outputs_are_merged(scenario: Scenario) -> None:
    outputs = scenario.deployment.outputs
    letters = scenario.dead_letters_before_merge
    # The topic policy is read before the key is used, so the topic policy fails first.
    assert letters[scenario.topic_arn]["ERROR_CODE"] == "AuthorizationError"
    # The module's own chat and raw-event topics allow EventBridge, but use the consumer's key,
    # whose policy does not yet: the key fails them.
    for topic in ("chat_topic_arn", "raw_events_topic_arn"):
        assert letters[outputs[topic]]["ERROR_CODE"] == "KMS.AccessDeniedException"
        assert letters[outputs[topic]]["RULE_ARN"] == outputs["findings_rule_arns"]["high"]
    # PagerDuty needs neither: it was paged.
    (paged,) = scenario.paged_before_merge
    assert paged["body"]["payload"]["custom_details"]["title"] == "before the merge"


def test_min_severity_7_leaves_the_high_and_critical_rules(scenario: Scenario) -> None:
    assert sorted(scenario.deployment.outputs["findings_rule_arns"]) == ["critical", "high"]


@dataclass(frozen=True)
class Arrivals:
    """What one event caused on each channel, up to the sentinel put after it."""

    event_id: str
    email: list[str]
    raw: list[str]
    chat: list[dict[str, Any]]
    paged: list[dict[str, Any]]


def _put_and_collect(scenario: Scenario, detail_type: str, detail: dict[str, Any]) -> Arrivals:
    """Put one event, then a sentinel (a High finding every channel takes), and read each
    channel up to the sentinel: an empty list means "not delivered", not "not yet"."""
    deployment = scenario.deployment
    events = deployment.client("events")
    outputs = deployment.outputs
    with (
        deployment.probe() as email,
        TopicProbe(
            deployment.session, outputs["raw_events_topic_arn"], scenario.endpoint_url
        ) as raw,
    ):
        event_id = put_guardduty_event(events, detail_type, detail)
        sentinel = runtime_finding(LISTED_TYPES[0], 8, SENTINEL_TITLE, task=TASK)
        put_guardduty_event(events, FINDING_DETAIL_TYPE, sentinel)

        def until_sentinel(probe: TopicProbe) -> list[str]:
            texts: list[str] = []
            while not any(SENTINEL_TITLE in text for text in texts):
                texts += [alert.text for alert in probe.wait_for(1, timeout=10)]
            return [text for text in texts if SENTINEL_TITLE not in text]

        email_texts, raw_texts = until_sentinel(email), until_sentinel(raw)
    # Chat and PagerDuty get their first attempt while PutEvents runs.
    chat = [
        d
        for d in chat_deliveries(scenario.endpoint_url, ACCOUNT)
        if SENTINEL_TITLE not in d["Message"]
    ]
    paged = [r for r in scenario.receiver.take() if SENTINEL_TITLE not in json.dumps(r["body"])]
    return Arrivals(event_id, email_texts, raw_texts, chat, paged)


def _raw_event(arrivals: Arrivals, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    """The raw-event topic's one message: byte for byte the event EventBridge received."""
    (text,) = arrivals.raw
    event = json.loads(text)
    # EventBridge user guide, "Amazon EventBridge events": the top-level fields, in their order.
    assert list(event) == EVENT_ENVELOPE_FIELDS
    assert event["id"] == arrivals.event_id
    assert (event["detail-type"], event["source"], event["resources"]) == (
        detail_type,
        "aws.guardduty",
        [],
    )
    assert (event["account"], event["region"]) == (ACCOUNT, "us-east-1")
    assert datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ")
    # The detail as it was put (PutEvents' Detail, json.dumps of it), to the byte.
    assert text.endswith(f'"detail": {json.dumps(detail)}}}')
    return event


def _chat(arrivals: Arrivals, scenario: Scenario) -> dict[str, Any]:
    """The chat topic's message, as each channel received it: one custom notification of the
    documented schema, the same in the Slack and the Teams channel."""
    configurations = scenario.deployment.outputs["chat_channel_configuration_arns"]
    assert sorted(configurations) == ["slack/secops", "teams/secops"]
    assert sorted(d["ChatConfigurationArn"] for d in arrivals.chat) == sorted(
        configurations.values()
    )
    assert all(d["Rendered"] for d in arrivals.chat), arrivals.chat
    (message,) = {d["Message"] for d in arrivals.chat}
    notification = json.loads(message)
    assert custom_notification_errors(notification) == []
    assert (notification["version"], notification["source"]) == ("1.0", "custom")
    assert notification["id"] == arrivals.event_id
    return notification


def _page(arrivals: Arrivals) -> dict[str, Any]:
    """The one request PagerDuty received: the Events API v2 event, with the routing key the
    connection added from Secrets Manager, and EventBridge's documented headers."""
    (request,) = arrivals.paged
    assert request["path"] == "/v2/enqueue"
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["host"] == "events.pagerduty.com"
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["user-agent"] == "Amazon/EventBridge/ApiDestinations"
    assert headers["dummy-key"] == "dummy-value"
    body = request["body"]
    assert body["routing_key"] == ROUTING_KEY
    return body


def test_a_runtime_finding_reaches_every_channel_once(scenario: Scenario) -> None:
    finding = runtime_finding(LISTED_TYPES[1], 8.5, 'Bitcoin tool "xmrig"\nran', task=TASK)
    arrivals = _put_and_collect(scenario, FINDING_DETAIL_TYPE, finding)

    (email,) = arrivals.email
    lines = email.splitlines()
    assert lines[:3] == [
        '"GuardDuty High severity runtime finding"',
        f'"Type: {LISTED_TYPES[1]}"',
        '"Severity: 8.5 (High)"',
    ]
    assert lines[-1].endswith(f'fId={finding["id"]}"')

    _raw_event(arrivals, FINDING_DETAIL_TYPE, finding)

    notification = _chat(arrivals, scenario)
    assert notification["metadata"]["threadId"] == finding["id"]
    assert notification["metadata"]["summary"] == finding["title"]  # quotes and line break kept
    assert notification["content"]["description"] == finding["description"]
    assert notification["content"]["title"] == (
        f"GuardDuty High severity runtime finding: {LISTED_TYPES[1]}"
    )
    assert notification["metadata"]["additionalContext"]["severity"] == "8.5"

    page = _page(arrivals)
    assert (page["event_action"], page["dedup_key"]) == ("trigger", finding["id"])
    assert page["payload"]["severity"] == "error"
    assert page["payload"]["custom_details"]["title"] == finding["title"]
    assert len(page["payload"]["summary"]) <= 1024


def test_the_ecs_attack_sequence_reaches_every_channel_once(scenario: Scenario) -> None:
    finding = attack_sequence_finding(
        ECS_SEQUENCE, 9, "A sequence", resources=sequence_resources(TASK)
    )
    arrivals = _put_and_collect(scenario, FINDING_DETAIL_TYPE, finding)

    (email,) = arrivals.email
    assert email.splitlines()[0] == '"GuardDuty attack sequence: A sequence"'
    _raw_event(arrivals, FINDING_DETAIL_TYPE, finding)
    notification = _chat(arrivals, scenario)
    assert notification["metadata"]["threadId"] == finding["id"]
    assert notification["metadata"]["eventType"] == "GuardDutyAttackSequence"
    page = _page(arrivals)
    assert (page["event_action"], page["dedup_key"]) == ("trigger", finding["id"])
    assert page["payload"]["severity"] == "critical"


def test_coverage_unhealthy_triggers_and_healthy_resolves_the_same_incident(
    scenario: Scenario,
) -> None:
    issue = "No running Fargate task reports to GuardDuty"
    unhealthy_detail = ecs_coverage_change("UNHEALTHY", "HEALTHY", issue=issue)
    unhealthy = _put_and_collect(scenario, UNHEALTHY_DETAIL_TYPE, unhealthy_detail)
    healthy_detail = ecs_coverage_change("HEALTHY", "UNHEALTHY")
    healthy = _put_and_collect(scenario, HEALTHY_DETAIL_TYPE, healthy_detail)
    resource_key = f"coverage:{ACCOUNT}:us-east-1:ECS:{TASK.cluster}"

    (email,) = unhealthy.email
    assert (
        email.splitlines()[0]
        == '"GuardDuty Runtime Monitoring coverage is UNHEALTHY (was HEALTHY)"'
    )
    (email,) = healthy.email
    assert (
        email.splitlines()[0]
        == '"GuardDuty Runtime Monitoring coverage is HEALTHY (was UNHEALTHY)"'
    )

    _raw_event(unhealthy, UNHEALTHY_DETAIL_TYPE, unhealthy_detail)
    _raw_event(healthy, HEALTHY_DETAIL_TYPE, healthy_detail)
    for arrivals, status in ((unhealthy, "UNHEALTHY"), (healthy, "HEALTHY")):
        notification = _chat(arrivals, scenario)
        assert notification["metadata"]["threadId"] == resource_key  # one thread per resource
        assert notification["content"]["keywords"][:2] == [status, "ECS"]
    assert issue in _chat(unhealthy, scenario)["content"]["description"]

    trigger, resolve = _page(unhealthy), _page(healthy)
    assert (trigger["event_action"], trigger["dedup_key"]) == ("trigger", resource_key)
    assert trigger["payload"]["severity"] == "warning"
    assert resolve == {
        "event_action": "resolve",
        "dedup_key": resource_key,
        "routing_key": ROUTING_KEY,
    }


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
            FINDING_DETAIL_TYPE,
            attack_sequence_finding(
                "AttackSequence:EKS/CompromisedCluster", 9, "not listed", resources=None
            ),
            None,
            id="sequence_not_listed",
        ),
    ],
)
def test_every_channel_takes_what_the_rules_take_and_nothing_else(
    scenario: Scenario, detail_type: str, detail: dict[str, Any], first_line: str | None
) -> None:
    arrivals = _put_and_collect(scenario, detail_type, detail)
    assert [text.splitlines()[0] for text in arrivals.email] == ([first_line] if first_line else [])
    expected = 1 if first_line else 0
    assert (len(arrivals.raw), len(arrivals.paged)) == (expected, expected)
    assert len(arrivals.chat) == 2 * expected  # the Slack and the Teams channel


def test_the_routing_key_stays_out_of_every_answer_but_the_request(scenario: Scenario) -> None:
    """CloudFormation resolved the key into the connection; GetTemplate, DescribeStacks, the
    stack's events and DescribeConnection never answer it (Terraform's state holds the
    reference: CloudFormation user guide, dynamic references)."""
    deployment = scenario.deployment
    cloudformation, events = deployment.client("cloudformation"), deployment.client("events")
    stack_name = f"{NAME}-pagerduty-connection"
    answers = [
        cloudformation.get_template(StackName=stack_name)["TemplateBody"],
        cloudformation.describe_stacks(StackName=stack_name)["Stacks"],
        cloudformation.describe_stack_events(StackName=stack_name)["StackEvents"],
        events.describe_connection(Name=f"{NAME}-pagerduty"),
    ]
    text = json.dumps(answers, default=str)
    assert ROUTING_KEY not in text
    assert f"{{{{resolve:secretsmanager:{scenario.secret_arn}:SecretString:routing_key}}}}" in text
    assert deployment.outputs["pagerduty_connection_arn"] in text


def test_an_unreachable_api_destination_lands_in_the_dead_letter_queue(
    scenario: Scenario,
) -> None:
    """EventBridge retries an endpoint it cannot reach for the target's retry policy (24 h here),
    then gives up into the dead-letter queue; the emulator's clock stands in for the day."""
    deployment = scenario.deployment
    with Receiver() as closed:  # a port that was open and is not any more
        unreachable = closed.url
    redirect_api_destinations(scenario.endpoint_url, {"events.pagerduty.com": unreachable})
    finding = runtime_finding(LISTED_TYPES[0], 8, "PagerDuty is down")
    try:
        put_guardduty_event(deployment.client("events"), FINDING_DETAIL_TYPE, finding)
        assert _dead_letters_now(deployment) == {}, "retried, not dead-lettered at once"
        advance_clock(scenario.endpoint_url, 24 * 60 * 60 + 1)
        letters = _dead_letters(deployment, 1)
    finally:
        redirect_api_destinations(
            scenario.endpoint_url, {"events.pagerduty.com": scenario.receiver.url}
        )
        chat_deliveries(scenario.endpoint_url, ACCOUNT)
    destination = deployment.outputs["pagerduty_api_destination_arn"]
    attributes = letters[destination]
    assert attributes["RULE_ARN"] == deployment.outputs["findings_rule_arns"]["high"]
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"
    assert int(attributes["RETRY_ATTEMPTS"]) >= 0
    assert json.loads(attributes["BODY"])["detail"] == finding
    now = datetime.now(UTC)
    statistics = deployment.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Events",
        MetricName="FailedInvocations",
        Dimensions=[{"Name": "RuleName", "Value": "byo-findings-high"}],
        StartTime=now - timedelta(minutes=5),
        EndTime=now + timedelta(minutes=1),
        Period=60,
        Statistics=["Sum"],
    )
    assert sum(point["Sum"] for point in statistics["Datapoints"]) >= 1


def _dead_letters_now(deployment: Deployment) -> dict[str, Any]:
    response = deployment.client("sqs").receive_message(
        QueueUrl=deployment.outputs["dead_letter_queue_url"], MaxNumberOfMessages=10
    )
    return {message["MessageId"]: message for message in response.get("Messages", [])}
