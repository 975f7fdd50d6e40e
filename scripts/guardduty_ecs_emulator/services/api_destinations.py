"""EventBridge API destinations and their connections, for moto's rules (a test backend).

moto 5.2.6 invokes an API destination only when ``MOTO_EVENTS_INVOKE_HTTP`` is set, and then sends
no body, no authorization and none of the documented headers; its DescribeConnection answers the
connection's secrets. This extension invokes API destinations as the EventBridge user guide, "API
destinations", describes them; each rule is quoted next to its code and in
docs/emulator-fidelity.md:

- the request: the destination's method and endpoint (``*`` path parameters from the target's
  ``HttpParameters``), the documented headers, the connection's authorization header (API key or
  Basic) and its header, query string and body parameters, the target's own header and query
  string parameters, and the body the target's input (or input transformer) gives
  (``build_request``);
- the role: the target's role must trust ``events.amazonaws.com`` for this rule and allow
  ``events:InvokeApiDestination`` on the destination (``check_role``);
- the answer: 2xx delivers; 429, 5xx, a timeout after 5 seconds and an unreachable endpoint are
  retried under the target's retry policy (on the emulator's clock, which tests move); any other
  status is not retried; what is given up goes to the target's dead-letter queue with the
  documented attributes, and is counted in ``FailedInvocations``;
- DescribeConnection answers the connection without its secret values.

Test-only: ``HOST_REDIRECTS`` (``POST /moto-api/guardduty-ecs/api-destination-hosts``) sends the
requests for a host to a local receiver instead (the tests' stand-in for PagerDuty); the request's
``Host`` header still names the destination's host. **Chosen**: AWS has no such setting.
"""

from __future__ import annotations

import base64
import http.client
import json
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from moto.events import models
from moto.events.models import events_backends
from moto.iam.models import iam_backends
from moto.moto_api._internal import urls as moto_api_urls
from moto.moto_api._internal.models import MotoAPIBackend
from moto.utilities.arns import parse_arn

from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.services import eventbridge, iam
from guardduty_ecs_emulator.services.eventbridge import DeliveryFailure

# EventBridge user guide, "API destinations": "EventBridge requests to an API destination endpoint
# must have a maximum client execution timeout of 5 seconds. If the target endpoint takes longer
# than 5 seconds to respond, EventBridge times out the request. EventBridge retries timed out
# requests up to the maximums that are configured on your retry policy."
TIMEOUT_SECONDS = 5.0

# Same page, "Headers included in requests to API destinations": "In addition to the
# authorization headers defined for the connection used for an API destination, EventBridge
# includes the following headers in each request" (Content-Length and Host as HTTP sets them).
DOCUMENTED_HEADERS = {
    "User-Agent": "Amazon/EventBridge/ApiDestinations",
    "Content-Type": "application/json; charset=utf-8",
    "Range": "bytes=0-1048575",
    "Accept-Encoding": "gzip,deflate",
    "Connection": "close",
}

# EventBridge user guide, "Event retry policy and using dead-letter queues": "By default,
# EventBridge retries sending the event for 24 hours and up to 185 times with an exponential back
# off and jitter". The back-off itself (1 s, doubling, at most 512 s, no jitter, so that the 24
# hours end before the 185 attempts, as the defaults read) is **chosen**.
DEFAULT_RETRY_ATTEMPTS = 185
DEFAULT_EVENT_AGE_SECONDS = 86400
FIRST_BACKOFF_SECONDS = 1
MAX_BACKOFF_SECONDS = 512

# Test-only: host -> base URL of a local receiver (see the module docstring).
HOST_REDIRECTS: dict[str, str] = {}


class Retriable(DeliveryFailure):
    """A failure EventBridge retries: "Events associated with error codes 429 and 5xx are
    retried" and timed-out requests (user guide, "API destinations"); an unreachable endpoint,
    as "the target resource is unavailable ... or due to network conditions" ("Event retry
    policy and using dead-letter queues")."""

    def __init__(self, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


# --------------------------------------------------------------------------------------------
# The request
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiRequest:
    """One request to an API destination, as EventBridge sends it."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes


def _backend(arn: str) -> Any:
    parsed = parse_arn(arn)
    return events_backends[parsed.account][parsed.region]


def find_destination(arn: str) -> models.Destination:
    destination = _backend(arn).destinations.get(parse_arn(arn).resource_id.split("/")[0])
    if destination is None or destination.arn != arn:
        # "a target resource that no longer exists": not retried ("Event retry policy and
        # using dead-letter queues").
        raise DeliveryFailure("ResourceNotFoundException", f"API destination {arn} not found")
    return destination


def find_connection(arn: str) -> models.Connection:
    for connection in _backend(arn).connections.values():
        if connection.arn == arn:
            return connection
    raise DeliveryFailure("ResourceNotFoundException", f"Connection {arn} not found")


def _parameters(entries: list[dict[str, Any]] | None) -> list[tuple[str, str]]:
    return [(str(entry["Key"]), str(entry.get("Value", ""))) for entry in entries or []]


def _authorization_headers(connection: models.Connection) -> dict[str, str]:
    """ "For Basic and API Key authorization, EventBridge populates the required authorization
    headers for you" (user guide, "Connections for API destinations"): the API key as a header of
    its name, Basic as ``Authorization: Basic``. OAuth is not emulated."""
    kind = connection.authorization_type
    parameters = connection.auth_parameters or {}
    if kind == "API_KEY":
        key = parameters.get("ApiKeyAuthParameters") or {}
        return {str(key.get("ApiKeyName")): str(key.get("ApiKeyValue", ""))}
    if kind == "BASIC":
        basic = parameters.get("BasicAuthParameters") or {}
        pair = f"{basic.get('Username', '')}:{basic.get('Password', '')}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    raise DeliveryFailure(
        "NotEmulated", f"The emulator does not send {kind} authorization (only API_KEY, BASIC)"
    )


def _with_body_parameters(body: str, parameters: list[tuple[str, str]]) -> str:
    """The connection's body parameters added to the body: EventBridge API reference,
    ConnectionBodyParameter: "Additional parameter included in the body. You can include up to
    100 additional body parameters per request." That they become top-level keys of a JSON object
    body, replacing a key of the same name, and are left out of any other body, is **chosen**."""
    if not parameters:
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body
    document.update(dict(parameters))
    return json.dumps(document, ensure_ascii=False)


def build_request(
    rule: models.Rule, target: dict[str, Any], event: dict[str, Any]
) -> tuple[ApiRequest, models.Destination]:
    """The request EventBridge sends to the target's API destination for ``event``."""
    destination = find_destination(target["Arn"])
    connection = find_connection(destination.connection_arn)
    invocation = (connection.auth_parameters or {}).get("InvocationHttpParameters") or {}
    http_parameters = target.get("HttpParameters") or {}

    # PutTargets, HttpParameters.PathParameterValues: "The path parameter values to be used to
    # populate API Gateway API or EventBridge ApiDestination path wildcards ("*")."
    endpoint = destination.invocation_endpoint
    for value in http_parameters.get("PathParameterValues") or []:
        endpoint = endpoint.replace("*", urllib.parse.quote(str(value), safe=""), 1)
    query = [
        *_parameters(invocation.get("QueryStringParameters")),
        *(http_parameters.get("QueryStringParameters") or {}).items(),
    ]
    if query:
        separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
        endpoint += separator + urllib.parse.urlencode(query)

    headers = dict(DOCUMENTED_HEADERS)
    headers.update(_authorization_headers(connection))
    headers.update(dict(_parameters(invocation.get("HeaderParameters"))))
    headers.update(
        {str(k): str(v) for k, v in (http_parameters.get("HeaderParameters") or {}).items()}
    )
    headers["Host"] = urllib.parse.urlsplit(endpoint).netloc

    body = eventbridge.target_input(target, event, rule.arn)
    body = _with_body_parameters(body, _parameters(invocation.get("BodyParameters")))
    return ApiRequest(destination.http_method, endpoint, headers, body.encode()), destination


def check_role(rule: models.Rule, target: dict[str, Any], destination_arn: str) -> None:
    """EventBridge assumes the target's role to invoke the destination.

    User guide, "API destinations": "To use an API destination as a target, you must provide an
    IAM role with the correct permissions"; the role's trust policy is asked with the keys of
    "Cross-service confused deputy prevention": "For EventBridge event bus rule targets, the value
    of aws:SourceArn must be the rule ARN" (and ``aws:SourceAccount``, the rule's account); the
    role's policies must allow ``events:InvokeApiDestination`` on the destination. A failure is a
    missing permission, sent to the dead-letter queue without retries ("for errors that result
    from missing permissions to a target ... EventBridge sends these events directly to the
    DLQ"). The error code: **chosen**.
    """
    role_arn = target.get("RoleArn")
    if not role_arn:
        raise DeliveryFailure("AccessDeniedException", "The target has no role to invoke it with")
    parsed = parse_arn(role_arn)
    try:
        role = iam_backends[parsed.account]["aws"].get_role_by_arn(role_arn)
    except Exception as error:  # moto's NoSuchEntity
        raise DeliveryFailure("AccessDeniedException", f"Role {role_arn} not found") from error
    context = {"aws:SourceArn": rule.arn, "aws:SourceAccount": rule.account_id}
    assume = iam.Request(
        "sts:AssumeRole", role_arn, service_principal=eventbridge.EVENTS_PRINCIPAL, context=context
    )
    if not iam.decide(role.assume_role_policy_document, assume, kind=iam.TRUST):
        raise DeliveryFailure(
            "AccessDeniedException",
            f"The trust policy of {role_arn} does not let {eventbridge.EVENTS_PRINCIPAL} assume it "
            f"for rule {rule.arn}",
        )
    documents = [*role.policies.values()]
    for policy in role.managed_policies.values():
        documents += [v.document for v in policy.versions if v.is_default]
    invoke = iam.Request("events:InvokeApiDestination", destination_arn)
    statements = [statement for document in documents for statement in _statements(document)]
    if not iam.decide({"Statement": statements}, invoke, kind=iam.IDENTITY):
        raise DeliveryFailure(
            "AccessDeniedException",
            f"{role_arn} is not allowed events:InvokeApiDestination on {destination_arn}",
        )


def _statements(document: Any) -> list[dict[str, Any]]:
    parsed = json.loads(urllib.parse.unquote(document)) if isinstance(document, str) else document
    statements = (parsed or {}).get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _target_address(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and path of the request, after the test-only host redirects."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    redirect = HOST_REDIRECTS.get(parts.hostname or "")
    if redirect:
        base = urllib.parse.urlsplit(redirect)
        path = base.path.rstrip("/") + path
        parts = base
    default_port = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname or "", parts.port or default_port, path


def send(request: ApiRequest) -> int:
    """Send ``request``; its HTTP status, or Retriable for a timeout or an unreachable endpoint."""
    scheme, host, port, path = _target_address(request.url)
    connection_class = (
        http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(host, port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request(request.method, path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        response.read()
        retry_after = response.getheader("Retry-After")
        status = response.status
    except TimeoutError as error:
        raise Retriable(
            "ApiDestination.Timeout", f"No answer from {request.url} within 5 seconds"
        ) from error
    except OSError as error:
        raise Retriable(
            "ApiDestination.Unreachable", f"{request.url} cannot be reached: {error}"
        ) from error
    finally:
        connection.close()
    # "Events associated with error codes 429 and 5xx are retried. Events associated with error
    # codes 1xx, 2xx, 3xx, and 4xx (excluding 429) aren't retried."
    if status == 429 or 500 <= status <= 599:
        raise Retriable(
            f"ApiDestination.Http{status}",
            f"{request.url} answered HTTP {status}",
            _seconds(retry_after),
        )
    if not 200 <= status <= 299:
        raise DeliveryFailure(
            f"ApiDestination.Http{status}", f"{request.url} answered HTTP {status}"
        )
    return status


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# Delivery, retries and dead letters
# --------------------------------------------------------------------------------------------


@dataclass
class Pending:
    """A delivery waiting for its next retry, on the emulator's clock."""

    rule: models.Rule
    target: dict[str, Any]
    event: dict[str, Any]
    first_attempt: datetime
    due: datetime
    retries: int = 0
    last_failure: DeliveryFailure = field(default_factory=lambda: DeliveryFailure("", ""))


_PENDING: list[Pending] = []
_PENDING_LOCK = threading.Lock()


def _retry_policy(target: dict[str, Any]) -> tuple[int, int]:
    policy = target.get("RetryPolicy") or {}
    return (
        int(policy.get("MaximumRetryAttempts", DEFAULT_RETRY_ATTEMPTS)),
        int(policy.get("MaximumEventAgeInSeconds", DEFAULT_EVENT_AGE_SECONDS)),
    )


def _give_up(pending: Pending, exhausted: str | None) -> None:
    """Count the failure and send the event to the target's dead-letter queue, with the
    attributes of "Event retry policy and using dead-letter queues": "EventBridge includes event
    metadata and message attributes in the message, including: the Error Code, Error Message, the
    Exhausted Retry Condition, Rule ARN, Retry Attempts, and the Target ARN"."""
    rule, failure = pending.rule, pending.last_failure
    eventbridge.record_metric(rule, "FailedInvocations")
    queue_arn = (pending.target.get("DeadLetterConfig") or {}).get("Arn")
    if not queue_arn:
        return
    attributes = {
        "RULE_ARN": rule.arn,
        "TARGET_ARN": pending.target["Arn"],
        "RETRY_ATTEMPTS": str(pending.retries),
    }
    if exhausted:
        attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted
    sent = eventbridge.send_to_dead_letter_queue(
        queue_arn, pending.event, failure, attributes, eventbridge.dead_letter_request_context(rule)
    )
    eventbridge.record_metric(
        rule, "InvocationsSentToDlq" if sent else "InvocationsFailedToBeSentToDlq"
    )


def _attempt(pending: Pending) -> None:
    """One attempt; a retriable failure is scheduled again, any other goes to dead letters."""
    try:
        request, destination = build_request(pending.rule, pending.target, pending.event)
        check_role(pending.rule, pending.target, destination.arn)
        send(request)
    except Retriable as failure:
        pending.last_failure = failure
        attempts, _ = _retry_policy(pending.target)
        if pending.retries >= attempts:
            _give_up(pending, "MaximumRetryAttempts")
            return
        # "EventBridge chooses the more conservative value between the defined retry policy and
        # the Retry-After header. If Retry-After value is negative, EventBridge stops retrying
        # delivery for that event." (user guide, "API destination error codes")
        if failure.retry_after is not None and failure.retry_after < 0:
            _give_up(pending, "RetryAfter")
            return
        backoff = min(FIRST_BACKOFF_SECONDS * 2**pending.retries, MAX_BACKOFF_SECONDS)
        wait = max(backoff, failure.retry_after or 0)
        pending.due = CLOCK.now() + timedelta(seconds=wait)
        with _PENDING_LOCK:
            _PENDING.append(pending)
    except DeliveryFailure as failure:
        pending.last_failure = failure
        _give_up(pending, None)


def deliver_to_api_destination(
    rule: models.Rule, target: dict[str, Any], original_event: dict[str, Any]
) -> None:
    """Deliver one matched event to one API destination target (first attempt at once)."""
    event = eventbridge.as_delivered(original_event)
    eventbridge.record_metric(rule, "Invocations")
    now = CLOCK.now()
    _attempt(Pending(rule, target, event, first_attempt=now, due=now))


def retry_due_deliveries() -> None:
    """Make the retries that are due on the emulator's clock, or give up on those whose event is
    older than the target's ``MaximumEventAgeInSeconds`` (checked before each retry)."""
    now = CLOCK.now()
    with _PENDING_LOCK:
        due = [pending for pending in _PENDING if pending.due <= now]
        _PENDING[:] = [pending for pending in _PENDING if pending.due > now]
    for pending in due:
        _, max_age = _retry_policy(pending.target)
        if now - pending.first_attempt >= timedelta(seconds=max_age):
            _give_up(pending, "MaximumEventAgeInSeconds")
            continue
        pending.retries += 1
        _attempt(pending)


def _retry_as_time_passes() -> None:
    while True:
        time.sleep(1)
        try:
            retry_due_deliveries()
        except Exception as error:  # keep retrying later deliveries; say what went wrong
            sys.stderr.write(f"guardduty-ecs api destinations: a retry failed: {error!r}\n")


# --------------------------------------------------------------------------------------------
# DescribeConnection without secrets; the test-only host redirects
# --------------------------------------------------------------------------------------------


def redacted(auth_parameters: dict[str, Any]) -> dict[str, Any]:
    """A connection's authorization parameters as DescribeConnection answers them.

    EventBridge API reference, DescribeConnection, AuthParameters: "The parameters to use for
    authorization for the connection", of type ConnectionAuthResponseParameters, whose
    ``ApiKeyAuthParameters`` (ConnectionApiKeyAuthResponseParameters) hold only ``ApiKeyName``,
    ``BasicAuthParameters`` (ConnectionBasicAuthResponseParameters) only ``Username``, and
    ``OAuthParameters`` (ConnectionOAuthResponseParameters) a ``ClientParameters`` of only
    ``ClientID``. That a body, header or query string parameter with ``IsValueSecret`` true is
    answered without its ``Value`` is **chosen** ("IsValueSecret: Specifies whether the value is
    secret", ConnectionBodyParameter).
    """
    shown: dict[str, Any] = {}
    for name, value in (auth_parameters or {}).items():
        if name == "ApiKeyAuthParameters":
            shown[name] = {"ApiKeyName": value.get("ApiKeyName")}
        elif name == "BasicAuthParameters":
            shown[name] = {"Username": value.get("Username")}
        elif name == "OAuthParameters":
            oauth = {k: v for k, v in value.items() if k != "ClientParameters"}
            oauth["ClientParameters"] = {
                "ClientID": (value.get("ClientParameters") or {}).get("ClientID")
            }
            shown[name] = oauth
        elif name == "InvocationHttpParameters":
            shown[name] = {
                kind: [
                    {
                        k: v
                        for k, v in entry.items()
                        if not (k == "Value" and entry.get("IsValueSecret"))
                    }
                    for entry in entries
                ]
                for kind, entries in value.items()
            }
        else:
            shown[name] = value
    return shown


def _redacted_describe(original: Any) -> Any:
    def describe(self: models.Connection) -> dict[str, Any]:
        answer = original(self)
        answer["AuthParameters"] = redacted(answer.get("AuthParameters") or {})
        return answer

    return describe


def _host_redirects(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``POST /moto-api/guardduty-ecs/api-destination-hosts`` with ``{"hosts": {host: base URL}}``
    replaces the test-only redirects (``{}`` removes them); ``GET`` answers them."""
    if request.method == "POST":
        body = request.get_data() if hasattr(request, "get_data") else request.body
        hosts = json.loads(body or b"{}").get("hosts") or {}
        if not isinstance(hosts, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in hosts.items()
        ):
            return 400, {}, json.dumps({"message": "hosts must map host names to base URLs"})
        HOST_REDIRECTS.clear()
        HOST_REDIRECTS.update(hosts)
    return 200, {"Content-Type": "application/json"}, json.dumps({"hosts": HOST_REDIRECTS})


def install() -> None:
    """Deliver to API destination targets, answer DescribeConnection without secrets, and serve
    the test-only host redirects."""
    eventbridge.TARGET_DELIVERERS[("events", "api-destination")] = deliver_to_api_destination
    models.Connection.describe = _redacted_describe(models.Connection.describe)  # type: ignore[method-assign]
    moto_api_urls.url_paths["{0}/moto-api/guardduty-ecs/api-destination-hosts"] = _host_redirects
    CLOCK.after_advance.append(retry_due_deliveries)
    original_reset = MotoAPIBackend.reset

    def reset(self: MotoAPIBackend) -> None:
        original_reset(self)
        with _PENDING_LOCK:
            _PENDING.clear()
        HOST_REDIRECTS.clear()

    MotoAPIBackend.reset = reset  # type: ignore[method-assign]
    threading.Thread(target=_retry_as_time_passes, daemon=True, name="api-destinations").start()
