"""EventBridge delivery to SNS topics, with dead-letter queues, for moto's rules.

moto 5.2.5 matches event patterns but raises NotImplementedError for an SNS target, and its input
transformer cannot parse a template of several lines. This extension delivers to SNS as EventBridge
does; each rule cites its AWS source next to the code, and docs/emulator-fidelity.md lists them:

- the input transformer pastes values into the template as they are, without escaping (a
  finding title with quotes or line breaks appears in the message as it is), except that in a
  template that is a JSON object a string standing alone (not inside quotes) is written as a JSON
  string, quoted and escaped; it leaves out a variable whose path the event lacks
  (``render_input_template``);
- a publish fails when the topic does not exist, when the topic policy does not allow
  ``events.amazonaws.com`` to ``sns:Publish``, or when the topic's KMS key is not enabled or its
  key policy does not let ``events.amazonaws.com`` use it; neither request carries
  ``aws:SourceArn``, ``aws:SourceAccount`` or ``aws:SourceOrgID``, so statements conditioned on
  them do not apply (``TOPIC_REQUEST_CONTEXT``). A failed event goes, unchanged, to the target's
  dead-letter queue (if that queue's policy, and the policy of its key, let EventBridge send for
  this rule) with the ``RULE_ARN``, ``TARGET_ARN``, ``ERROR_CODE``, ``ERROR_MESSAGE`` and
  ``RETRY_ATTEMPTS`` attributes; the error codes are the emulator's choice (AWS documents the
  attributes, not the codes of each failure);
- the ``AWS/Events`` metrics ``Invocations``, ``FailedInvocations``, ``InvocationsSentToDlq`` and
  ``InvocationsFailedToBeSentToDlq`` are recorded per rule, for alarms to read;
- ``TestEventPattern`` (moto answers nothing) decides with moto's own pattern matcher, the one
  that routes every event of the emulator, after the checks the API reference documents
  (``event_pattern_matches``).

Retries are not emulated here: the failures above are the ones that AWS does not retry. API
destination targets (``api_destinations``), whose failures may be retried, register their own
deliverer in ``TARGET_DELIVERERS``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.exceptions import JsonRESTError
from moto.events import models
from moto.events.exceptions import InvalidEventPatternException
from moto.events.responses import EventsHandler
from moto.kms.exceptions import NotFoundException
from moto.kms.models import kms_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.utilities.arns import parse_arn

from guardduty_ecs_emulator.services import iam

EVENTS_PRINCIPAL = "events.amazonaws.com"

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.-]+)>")


class DeliveryFailure(Exception):
    """EventBridge could not deliver to a target."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Absent:
    """A JSON path that the event does not have."""


ABSENT = _Absent()


def resolve_path(event: dict[str, Any], path: str) -> Any:
    """The value at a JSON path of the syntax EventBridge supports (``$.a.b[0]``), or ABSENT."""
    value: Any = event
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path.removeprefix("$").lstrip(".")):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(value, list) or index >= len(value):
                return ABSENT
            value = value[index]
        else:
            if not isinstance(value, dict) or part not in value:
                return ABSENT
            value = value[part]
    return value


def is_json_object_template(template: str) -> bool:
    """Whether EventBridge reads ``template`` as a JSON object rather than as a string.

    EventBridge API reference, InputTransformer, InputTemplate: "If InputTemplate is a JSON
    object (surrounded by curly braces), the following restrictions apply"; otherwise the template
    is a string, as in its first example (``"<instance> is in state <status>"``).
    """
    stripped = template.strip()
    return stripped.startswith("{") and stripped.endswith("}")


def _as_text(value: Any, in_string: bool, json_object: bool = False) -> str:
    """A value as EventBridge writes it into a template.

    Inside quotes a value is never escaped. EventBridge user guide, "Amazon EventBridge input
    transformation", Common issues: "EventBridge doesn't escape values extracted by Input Path,
    when populating the Input Template for a target." A string goes in as its text (quotes and
    line breaks included); numbers, booleans and null as JSON. An object or array inside a string
    loses its inner quotes, as the guide's Pipes page says ("EventBridge removes any internal
    quotes to ensure a valid string"); for rules the guide is silent, and the emulator chose the
    same.

    Standing alone in a JSON object template, a string is written as a JSON string: the same
    guide's "Simple JSON" example turns ``{"instance" : <instance>, "state": <state>}`` into
    ``{"instance" : "i-0123456789", "state": "RUNNING"}``, and the API reference says "The
    InputTemplate can also be valid JSON with varibles in quotes or out". That the quotes and
    backslashes inside such a string are escaped (so that the result stays JSON) is **chosen**:
    the guide's examples hold no such character. Standing alone in a string template a string is
    pasted as it is (API reference, InputTransformer: ``"InputTemplate": "<instance> is in state
    <status>"``).
    """
    if isinstance(value, str):
        if json_object and not in_string:
            return json.dumps(value, ensure_ascii=False)
        return value
    text = json.dumps(value, separators=(",", ":"))
    return text.replace('"', "") if in_string and isinstance(value, (dict, list)) else text


def render_input_template(template: str, values: dict[str, Any]) -> str:
    """Fill ``<name>`` placeholders the way EventBridge does.

    A variable whose path the event lacks is replaced by nothing: "If you specify a variable to
    match a JSON path that doesn't exist in the event, that variable isn't created and won't appear
    in the output" (same page). A placeholder that names no variable is left as written (chosen:
    the guide says "There is no validation when creating JSON path for your template").
    """
    json_object = is_json_object_template(template)
    rendered: list[str] = []
    in_string = False
    position = 0
    while position < len(template):
        character = template[position]
        match = _PLACEHOLDER.match(template, position) if character == "<" else None
        if match and match.group(1) in values:
            value = values[match.group(1)]
            rendered.append("" if value is ABSENT else _as_text(value, in_string, json_object))
            position = match.end()
            continue
        if character == "\\" and in_string:
            rendered.append(template[position : position + 2])
            position += 2
            continue
        if character == '"':
            in_string = not in_string
        rendered.append(character)
        position += 1
    return "".join(rendered)


def target_input(target: dict[str, Any], event: dict[str, Any], rule_arn: str) -> str:
    """The text EventBridge sends to ``target`` for ``event``."""
    if "Input" in target:
        return str(target["Input"])
    if "InputPath" in target:
        selected = resolve_path(event, target["InputPath"])
        return json.dumps(None if selected is ABSENT else selected)
    transformer = target.get("InputTransformer")
    if not transformer:
        return json.dumps(event)
    values = {
        name: resolve_path(event, path)
        for name, path in (transformer.get("InputPathsMap") or {}).items()
    }
    values.update(
        {
            "aws.events.rule-arn": rule_arn,
            "aws.events.rule-name": rule_arn.rsplit("/", 1)[-1],
            "aws.events.event.json": event,
        }
    )
    return render_input_template(transformer["InputTemplate"], values)


# EventBridge -> encrypted SNS topic. SNS developer guide, "Key management", "Enable compatibility
# between event sources from AWS services and encrypted topics": the service needs
# "kms:GenerateDataKey* and kms:Decrypt" in the key policy, and "Adding the aws:SourceAccount,
# aws:SourceArn, and aws:SourceOrgID to a AWS KMS policy is not supported for
# EventBridge-to-encrypted topics". EventBridge user guide, "Using resource-based policies",
# Amazon SNS permissions: "You can't use Condition blocks in Amazon SNS topic policies for
# EventBridge." So the KMS and SNS requests of this path carry none of those condition keys: a
# statement conditioned on them does not apply.
TOPIC_REQUEST_CONTEXT: dict[str, str] = {}
# Both actions must be allowed (same SNS guide sentence); SQS developer guide, "Configure KMS
# permissions for AWS services", lists "kms:Decrypt" and "kms:GenerateDataKey" for a queue.
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


def dead_letter_request_context(rule: models.Rule) -> dict[str, str]:
    """Condition keys of EventBridge's SendMessage to a dead-letter queue and of its KMS calls.

    EventBridge user guide, "Using dead-letter queues": the queue policy example grants
    ``sqs:SendMessage`` on the condition ``"ArnEquals": {"aws:SourceArn": "<rule ARN>"}``. SQS
    developer guide, "Configure AWS KMS permissions with confused deputy protection": "When using
    SSE enabled Amazon SQS queues, the following services support aws:SourceArn: ... CloudWatch
    Events". ``aws:SourceAccount`` is sent along with it: chosen, the guides show only
    ``aws:SourceArn`` for this path.
    """
    return {"aws:SourceArn": rule.arn, "aws:SourceAccount": rule.account_id}


def _check_key(account: str, region: str, key_id: str, context: dict[str, str]) -> None:
    """Fail as the target service does when EventBridge may not use ``key_id``."""
    try:
        key = kms_backends[account][region].describe_key(key_id)
    except NotFoundException as error:
        raise DeliveryFailure("KMS.NotFoundException", f"Key {key_id} not found") from error
    if key.key_state != "Enabled":
        raise DeliveryFailure("KMS.DisabledException", f"Key {key_id} is {key.key_state}")
    for action in KEY_ACTIONS:
        request = iam.Request(action, key.arn, service_principal=EVENTS_PRINCIPAL, context=context)
        if not iam.decide(key.policy, request):
            raise DeliveryFailure(
                "KMS.AccessDeniedException",
                f"The key policy of {key.arn} does not allow {EVENTS_PRINCIPAL} {action}",
            )


def _publish_to_topic(topic_arn: str, message: str) -> None:
    arn = parse_arn(topic_arn)
    backend = sns_backends[arn.account][arn.region]
    topic = backend.topics.get(topic_arn)
    if topic is None:
        raise DeliveryFailure("NotFound", f"Topic {topic_arn} does not exist")
    request = iam.Request(
        "sns:Publish", topic_arn, service_principal=EVENTS_PRINCIPAL, context=TOPIC_REQUEST_CONTEXT
    )
    if not iam.decide(topic.policy, request):
        raise DeliveryFailure(
            "AuthorizationError",
            f"The topic policy of {topic_arn} does not allow {EVENTS_PRINCIPAL} to sns:Publish",
        )
    if topic.kms_master_key_id:
        _check_key(arn.account, arn.region, topic.kms_master_key_id, TOPIC_REQUEST_CONTEXT)
    backend.publish(message=message, arn=topic_arn)


def send_to_dead_letter_queue(
    queue_arn: str,
    event: dict[str, Any],
    failure: DeliveryFailure,
    attributes: dict[str, str],
    context: dict[str, str],
) -> bool:
    arn = parse_arn(queue_arn)
    backend = sqs_backends[arn.account][arn.region]
    queue = backend.queues.get(arn.resource_id)
    request = iam.Request(
        "sqs:SendMessage", queue_arn, service_principal=EVENTS_PRINCIPAL, context=context
    )
    if queue is None or not iam.decide(queue.policy, request):
        return False
    if queue.kms_master_key_id:
        try:
            _check_key(arn.account, arn.region, queue.kms_master_key_id, context)
        except DeliveryFailure:
            return False
    message_attributes = {
        name: {"DataType": "String", "StringValue": value}
        for name, value in {
            **attributes,
            "ERROR_CODE": failure.code,
            "ERROR_MESSAGE": failure.message,
        }.items()
    }
    backend.send_message(
        queue_name=arn.resource_id,
        message_body=json.dumps(event),
        message_attributes=message_attributes,
    )
    return True


def record_metric(rule: models.Rule, name: str) -> None:
    cloudwatch_backends[rule.account_id][rule.region_name].put_metric_data(
        "AWS/Events",
        [
            {
                "MetricName": name,
                "Value": 1.0,
                "Unit": "Count",
                # Naive UTC, as moto stores the data points it is sent.
                "Timestamp": datetime.now(UTC).replace(tzinfo=None),
                "Dimensions": [{"Name": "RuleName", "Value": rule.name}],
            }
        ],
    )


# EventBridge user guide, "Amazon EventBridge events": "Events are represented as JSON objects and
# they all have a similar structure, and the same top-level fields"; "The following fields appear
# in an event:" version, id, detail-type, source, account, time, region, resources, detail (in
# that order in every example). moto adds fields of its own (``ingestion-time``), which a target
# must not see: the raw event a target receives is the envelope alone.
EVENT_FIELDS = (
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
)


def as_delivered(event: dict[str, Any]) -> dict[str, Any]:
    """The event as targets see it: the documented top-level fields, in the documented order;
    moto keeps ``time`` as epoch seconds, AWS sends ISO 8601."""
    delivered = {name: event[name] for name in EVENT_FIELDS if name in event}
    if isinstance(delivered.get("time"), (int, float)):
        delivered["time"] = datetime.fromtimestamp(delivered["time"], UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    return delivered


def deliver_to_sns(rule: models.Rule, target: dict[str, Any], event: dict[str, Any]) -> None:
    """Deliver one matched event to one SNS target, or to its dead-letter queue."""
    event = as_delivered(event)
    rule_arn = rule.arn
    record_metric(rule, "Invocations")
    try:
        _publish_to_topic(target["Arn"], target_input(target, event, rule_arn))
    except DeliveryFailure as failure:
        record_metric(rule, "FailedInvocations")
        queue_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
        if queue_arn:
            # Non-retriable failures go to the queue at once, so no retry was made (EventBridge
            # user guide, "Using dead-letter queues": "no retry attempts will happen").
            attributes = {
                "RULE_ARN": rule_arn,
                "TARGET_ARN": target["Arn"],
                "RETRY_ATTEMPTS": "0",
            }
            sent = send_to_dead_letter_queue(
                queue_arn, event, failure, attributes, dead_letter_request_context(rule)
            )
            record_metric(
                rule, "InvocationsSentToDlq" if sent else "InvocationsFailedToBeSentToDlq"
            )


# EventBridge API reference, TestEventPattern, Event: "The JSON must follow the format specified in
# AWS Events, and the following fields are mandatory: id, account, source, time, region,
# resources, detail-type." EventPattern: "Maximum length of 4096."
TEST_EVENT_MANDATORY_FIELDS = (
    "id",
    "account",
    "source",
    "time",
    "region",
    "resources",
    "detail-type",
)
MAX_EVENT_PATTERN_LENGTH = 4096


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)


def event_pattern_matches(event_pattern: str, event_text: str) -> bool:
    """Whether ``event_pattern`` matches the event, as TestEventPattern answers.

    The checks are the API reference's: both parameters are required, the pattern is at most
    4096 characters and the event carries every mandatory field. The error codes of a bad event
    (``ValidationException``) and of an over-long pattern (``InvalidEventPatternException``) are
    the emulator's choice: the reference lists only InvalidEventPatternException and
    InternalException. The match is moto's ``EventPattern``, which routes the emulator's events.
    """
    if not event_pattern or not event_text:
        raise ValidationException("EventPattern and Event are required.")
    if len(event_pattern) > MAX_EVENT_PATTERN_LENGTH:
        raise InvalidEventPatternException(
            reason=f"the pattern is longer than {MAX_EVENT_PATTERN_LENGTH} characters"
        )
    try:
        event = json.loads(event_text)
    except ValueError as error:
        raise ValidationException("Parameter Event is not valid JSON.") from error
    if not isinstance(event, dict):
        raise ValidationException("Parameter Event is not a JSON object.")
    missing = [name for name in TEST_EVENT_MANDATORY_FIELDS if name not in event]
    if missing:
        raise ValidationException(
            f"Parameter Event is not valid: it lacks the mandatory field(s) {', '.join(missing)}."
        )
    return bool(models.EventPattern.load(event_pattern).matches_event(event))


def _test_event_pattern(self: EventsHandler) -> str:
    result = event_pattern_matches(self._get_param("EventPattern"), self._get_param("Event"))
    return json.dumps({"Result": result})


# Deliverers of the target types the emulator delivers to itself, by the target ARN's service
# and resource type: SNS topics here; other extensions add theirs (``api_destinations``). Targets
# of other types keep moto's own delivery.
Deliverer = Callable[[models.Rule, dict[str, Any], dict[str, Any]], None]
TARGET_DELIVERERS: dict[tuple[str, str | None], Deliverer] = {("sns", None): deliver_to_sns}


def _deliverer(target: dict[str, Any]) -> Deliverer | None:
    arn = parse_arn(target["Arn"])
    return TARGET_DELIVERERS.get((arn.service, arn.resource_type))


def install() -> None:
    """Make moto's rules deliver to SNS targets (and the target types other extensions register
    in ``TARGET_DELIVERERS``; other targets keep moto's own delivery), and answer
    TestEventPattern."""
    EventsHandler.test_event_pattern = _test_event_pattern  # type: ignore[method-assign]
    original = models.Rule.send_to_targets

    def send_to_targets(
        self: models.Rule, original_event: dict[str, Any], transform_input: bool = True
    ) -> None:
        ours = [(t, d) for t in self.targets if (d := _deliverer(t)) is not None]
        if not ours:
            original(self, original_event, transform_input)
            return
        if not self.event_pattern.matches_event(original_event):
            return
        # A shallow copy keeps moto's handling of the other targets without touching the rule
        # that concurrent requests may be reading.
        others = copy.copy(self)
        others.targets = [t for t in self.targets if _deliverer(t) is None]
        if others.targets:
            original(others, original_event, transform_input)
        for target, deliver in ours:
            deliver(self, target, original_event)

    models.Rule.send_to_targets = send_to_targets  # type: ignore[method-assign]
