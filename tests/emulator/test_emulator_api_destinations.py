"""The emulator invokes EventBridge API destinations as the EventBridge user guide describes:
the documented headers, the connection's authorization and parameters, the transformed body;
429 and 5xx retried under the target's retry policy, other failures and exhausted retries sent to
the dead-letter queue with the documented attributes."""

from __future__ import annotations

import base64
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from guardduty_ecs.policy import service_policy
from guardduty_ecs_emulator import EmulatorProcess
from guardduty_ecs_emulator.process import advance_clock, redirect_api_destinations

pytestmark = pytest.mark.emulator

HOST = "api.example.com"


class Receiver(http.server.ThreadingHTTPServer):
    """Records requests and answers with the next of ``statuses`` (202 once they run out)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers), "body": body.decode()}
        )
        status = self.server.statuses.pop(0) if self.server.statuses else 202
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver(clean_emulator: EmulatorProcess) -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    redirect_api_destinations(
        clean_emulator.endpoint_url, {HOST: f"http://127.0.0.1:{server.server_port}"}
    )
    yield server
    server.shutdown()
    server.server_close()


@dataclass
class Destination:
    events: Any
    sqs: Any
    iam: Any
    rule_arn: str
    destination_arn: str
    role_name: str
    dlq_url: str
    endpoint_url: str

    def put(self, detail: dict[str, Any]) -> str:
        return self.events.put_events(
            Entries=[{"Source": "app.test", "DetailType": "Alert", "Detail": json.dumps(detail)}]
        )["Entries"][0]["EventId"]

    def dead_letters(self) -> list[dict[str, str]]:
        messages = self.sqs.receive_message(
            QueueUrl=self.dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        return [
            {
                **{k: v["StringValue"] for k, v in m["MessageAttributes"].items()},
                "BODY": m["Body"],
            }
            for m in messages
        ]


def _destination(
    aws_client: Callable[[str], Any],
    endpoint_url: str,
    *,
    auth: dict[str, Any],
    auth_type: str = "API_KEY",
    retry: dict[str, int] | None = None,
    role_policy: bool = True,
    target_extra: dict[str, Any] | None = None,
) -> Destination:
    events, sqs, iam = aws_client("events"), aws_client("sqs"), aws_client("iam")
    connection = events.create_connection(
        Name="app", AuthorizationType=auth_type, AuthParameters=auth
    )["ConnectionArn"]
    destination = events.create_api_destination(
        Name="app",
        ConnectionArn=connection,
        InvocationEndpoint=f"https://{HOST}/v1/*/alerts",
        HttpMethod="POST",
        InvocationRateLimitPerSecond=10,
    )["ApiDestinationArn"]
    rule_arn = events.put_rule(Name="alerts", EventPattern=json.dumps({"source": ["app.test"]}))[
        "RuleArn"
    ]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        ],
    }
    role = iam.create_role(RoleName="invoke", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    if role_policy:
        iam.put_role_policy(
            RoleName="invoke",
            PolicyName="invoke",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "events:InvokeApiDestination",
                            "Resource": destination,
                        }
                    ],
                }
            ),
        )
    dlq_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sqs.set_queue_attributes(
        QueueUrl=dlq_url,
        Attributes={"Policy": service_policy("sqs:SendMessage", dlq_arn, rule_arn)},
    )
    target = {
        "Id": "api",
        "Arn": destination,
        "RoleArn": role["Arn"],
        "InputTransformer": {
            "InputPathsMap": {"id": "$.id", "title": "$.detail.title"},
            "InputTemplate": '{"dedup_key": <id>, "summary": <title>}',
        },
        "HttpParameters": {
            "PathParameterValues": ["tenant-1"],
            "HeaderParameters": {"X-Target": "yes"},
            "QueryStringParameters": {"from": "rule"},
        },
        "DeadLetterConfig": {"Arn": dlq_arn},
        "RetryPolicy": retry or {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
        **(target_extra or {}),
    }
    events.put_targets(Rule="alerts", Targets=[target])
    return Destination(events, sqs, iam, rule_arn, destination, "invoke", dlq_url, endpoint_url)


API_KEY = {
    "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cr3t"},
    "InvocationHttpParameters": {
        "HeaderParameters": [{"Key": "X-Connection", "Value": "c", "IsValueSecret": False}],
        "QueryStringParameters": [{"Key": "token", "Value": "q", "IsValueSecret": True}],
        "BodyParameters": [{"Key": "routing_key", "Value": "R" * 32, "IsValueSecret": True}],
    },
}


def test_the_request_is_the_documented_one(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess, receiver: Receiver
) -> None:
    destination = _destination(aws_client, clean_emulator.endpoint_url, auth=API_KEY)
    event_id = destination.put({"title": 'a "quoted"\ntitle'})
    (request,) = receiver.requests
    assert request["path"] == "/v1/tenant-1/alerts?token=q&from=rule"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    # "Headers included in requests to API destinations", and the connection's API key.
    assert {k: headers[k] for k in ("user-agent", "content-type", "range", "accept-encoding")} == {
        "user-agent": "Amazon/EventBridge/ApiDestinations",
        "content-type": "application/json; charset=utf-8",
        "range": "bytes=0-1048575",
        "accept-encoding": "gzip,deflate",
    }
    assert headers["connection"] == "close"
    assert headers["host"] == HOST
    assert (headers["x-api-key"], headers["x-connection"], headers["x-target"]) == (
        "s3cr3t",
        "c",
        "yes",
    )
    assert json.loads(request["body"]) == {
        "dedup_key": event_id,
        "summary": 'a "quoted"\ntitle',
        "routing_key": "R" * 32,
    }
    assert destination.dead_letters() == []


def test_basic_authorization(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess, receiver: Receiver
) -> None:
    destination = _destination(
        aws_client,
        clean_emulator.endpoint_url,
        auth={"BasicAuthParameters": {"Username": "user", "Password": "pass"}},
        auth_type="BASIC",
    )
    destination.put({"title": "t"})
    (request,) = receiver.requests
    expected = "Basic " + base64.b64encode(b"user:pass").decode()
    assert {k.lower(): v for k, v in request["headers"].items()}["authorization"] == expected


def test_a_4xx_is_not_retried_and_goes_to_the_dead_letter_queue(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess, receiver: Receiver
) -> None:
    destination = _destination(aws_client, clean_emulator.endpoint_url, auth=API_KEY)
    receiver.statuses = [400]
    destination.put({"title": "refused"})
    (letter,) = destination.dead_letters()
    assert letter["ERROR_CODE"] == "ApiDestination.Http400"
    assert (letter["RULE_ARN"], letter["TARGET_ARN"]) == (
        destination.rule_arn,
        destination.destination_arn,
    )
    assert letter["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in letter
    assert json.loads(letter["BODY"])["detail"] == {"title": "refused"}
    advance_clock(clean_emulator.endpoint_url, 3600)
    assert len(receiver.requests) == 1


def test_429_and_5xx_are_retried_until_delivered(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess, receiver: Receiver
) -> None:
    destination = _destination(aws_client, clean_emulator.endpoint_url, auth=API_KEY)
    receiver.statuses = [503, 429]
    destination.put({"title": "eventually"})
    advance_clock(clean_emulator.endpoint_url, 60)
    advance_clock(clean_emulator.endpoint_url, 60)
    assert [json.loads(r["body"])["summary"] for r in receiver.requests] == ["eventually"] * 3
    assert destination.dead_letters() == []


def test_retries_stop_at_the_retry_policy(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess, receiver: Receiver
) -> None:
    destination = _destination(
        aws_client,
        clean_emulator.endpoint_url,
        auth=API_KEY,
        retry={"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 3600},
    )
    receiver.statuses = [500, 500, 500]
    destination.put({"title": "never"})
    advance_clock(clean_emulator.endpoint_url, 60)
    (letter,) = destination.dead_letters()
    assert letter["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert (letter["ERROR_CODE"], letter["RETRY_ATTEMPTS"]) == ("ApiDestination.Http500", "1")
    assert len(receiver.requests) == 2


def test_an_unreachable_endpoint_is_retried_until_the_event_is_too_old(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess
) -> None:
    closed = Receiver()
    closed.server_close()  # nothing listens on its port any more
    redirect_api_destinations(
        clean_emulator.endpoint_url, {HOST: f"http://127.0.0.1:{closed.server_port}"}
    )
    destination = _destination(aws_client, clean_emulator.endpoint_url, auth=API_KEY)
    destination.put({"title": "nobody home"})
    assert destination.dead_letters() == []
    advance_clock(clean_emulator.endpoint_url, 86400)
    (letter,) = destination.dead_letters()
    assert letter["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"
    assert letter["ERROR_CODE"] == "ApiDestination.Unreachable"


def test_the_role_must_let_eventbridge_invoke_the_destination(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess, receiver: Receiver
) -> None:
    destination = _destination(
        aws_client, clean_emulator.endpoint_url, auth=API_KEY, role_policy=False
    )
    destination.put({"title": "no permission"})
    (letter,) = destination.dead_letters()
    assert letter["ERROR_CODE"] == "AccessDeniedException"
    assert receiver.requests == []
