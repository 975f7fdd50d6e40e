"""EventBridge delivery to SNS topics, with dead-letter queues, for moto's rules.

moto 5.2.5 matches event patterns but raises NotImplementedError for an SNS target, and its input
transformer pastes values into the template without escaping them. This extension delivers to SNS
as EventBridge does:

- the input transformer escapes a value placed inside a JSON string of the template (so a finding
  title with quotes or newlines cannot break or forge the message) and writes JSON values
  elsewhere; a path that is absent from the event becomes an empty string inside a string and
  ``null`` elsewhere;
- a publish fails when the topic does not exist, when its KMS key is not enabled or its key
  policy does not let ``events.amazonaws.com`` use it, or when the topic policy does not allow
  ``events.amazonaws.com`` to ``sns:Publish`` for this rule; a failed event goes, unchanged, to
  the target's dead-letter queue (if that queue's policy, and the policy of its key, let
  EventBridge send) with the ``RULE_ARN``, ``TARGET_ARN``, ``ERROR_CODE`` and ``ERROR_MESSAGE``
  attributes;
- the ``AWS/Events`` metrics ``Invocations``, ``FailedInvocations``, ``InvocationsSentToDlq`` and
  ``InvocationsFailedToBeSentToDlq`` are recorded per rule, for alarms to read.

Retries are not emulated: the failures above are the ones that AWS does not retry.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.events import models
from moto.kms.exceptions import NotFoundException
from moto.kms.models import kms_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.utilities.arns import parse_arn

from guardduty_ecs.policy import EVENTS_PRINCIPAL, policy_allows

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.-]+)>")


class DeliveryFailure(Exception):
    """EventBridge could not deliver to a target."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def resolve_path(event: dict[str, Any], path: str) -> Any:
    """The value at a JSON path of the syntax EventBridge supports (``$.a.b[0]``), or None."""
    value: Any = event
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path.removeprefix("$").lstrip(".")):
        if part.startswith("["):
            index = int(part[1:-1])
            value = value[index] if isinstance(value, list) and index < len(value) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def render_input_template(template: str, values: dict[str, Any]) -> str:
    """Fill ``<name>`` placeholders the way EventBridge does, escaping inside strings."""
    rendered: list[str] = []
    in_string = False
    position = 0
    while position < len(template):
        character = template[position]
        match = _PLACEHOLDER.match(template, position) if character == "<" else None
        if match and match.group(1) in values:
            value = values[match.group(1)]
            if in_string:
                text = (
                    "" if value is None else value if isinstance(value, str) else json.dumps(value)
                )
                rendered.append(json.dumps(text)[1:-1])
            else:
                rendered.append(json.dumps(value))
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
        return json.dumps(resolve_path(event, target["InputPath"]))
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


def _check_key(account: str, region: str, key_id: str, context: dict[str, str]) -> None:
    """Fail as EventBridge does when it may not encrypt with ``key_id``."""
    try:
        key = kms_backends[account][region].describe_key(key_id)
    except NotFoundException as error:
        raise DeliveryFailure("KMS.NotFoundException", f"Key {key_id} not found") from error
    if key.key_state != "Enabled":
        raise DeliveryFailure("KMS.DisabledException", f"Key {key_id} is {key.key_state}")
    if not policy_allows(key.policy, "kms:GenerateDataKey", key.arn, context):
        raise DeliveryFailure(
            "KMS.AccessDeniedException",
            f"The key policy of {key.arn} does not allow {EVENTS_PRINCIPAL} kms:GenerateDataKey",
        )


def _publish_to_topic(topic_arn: str, message: str, context: dict[str, str]) -> None:
    arn = parse_arn(topic_arn)
    backend = sns_backends[arn.account][arn.region]
    topic = backend.topics.get(topic_arn)
    if topic is None:
        raise DeliveryFailure("NotFound", f"Topic {topic_arn} does not exist")
    if topic.kms_master_key_id:
        _check_key(arn.account, arn.region, topic.kms_master_key_id, context)
    if not policy_allows(topic.policy, "sns:Publish", topic_arn, context):
        raise DeliveryFailure(
            "AuthorizationError",
            f"The topic policy of {topic_arn} does not allow {EVENTS_PRINCIPAL} to sns:Publish",
        )
    backend.publish(message=message, arn=topic_arn)


def _send_to_dead_letter_queue(
    queue_arn: str,
    event: dict[str, Any],
    failure: DeliveryFailure,
    attributes: dict[str, str],
    context: dict[str, str],
) -> bool:
    arn = parse_arn(queue_arn)
    backend = sqs_backends[arn.account][arn.region]
    queue = backend.queues.get(arn.resource_id)
    if queue is None or not policy_allows(queue.policy, "sqs:SendMessage", queue_arn, context):
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


def _record_metric(rule: models.Rule, name: str) -> None:
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


def _as_delivered(event: dict[str, Any]) -> dict[str, Any]:
    """The event as targets see it: moto keeps ``time`` as epoch seconds, AWS sends ISO 8601."""
    delivered = dict(event)
    if isinstance(delivered.get("time"), (int, float)):
        delivered["time"] = datetime.fromtimestamp(delivered["time"], UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    return delivered


def deliver_to_sns(rule: models.Rule, target: dict[str, Any], event: dict[str, Any]) -> None:
    """Deliver one matched event to one SNS target, or to its dead-letter queue."""
    event = _as_delivered(event)
    rule_arn = rule.arn
    context = {"aws:sourcearn": rule_arn, "aws:sourceaccount": rule.account_id}
    _record_metric(rule, "Invocations")
    try:
        _publish_to_topic(target["Arn"], target_input(target, event, rule_arn), context)
    except DeliveryFailure as failure:
        _record_metric(rule, "FailedInvocations")
        queue_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
        if queue_arn:
            attributes = {"RULE_ARN": rule_arn, "TARGET_ARN": target["Arn"]}
            sent = _send_to_dead_letter_queue(queue_arn, event, failure, attributes, context)
            _record_metric(
                rule, "InvocationsSentToDlq" if sent else "InvocationsFailedToBeSentToDlq"
            )


def install() -> None:
    """Make moto's rules deliver to SNS targets; other targets keep moto's own delivery."""
    original = models.Rule.send_to_targets

    def send_to_targets(
        self: models.Rule, original_event: dict[str, Any], transform_input: bool = True
    ) -> None:
        sns_targets = [t for t in self.targets if parse_arn(t["Arn"]).service == "sns"]
        if not sns_targets:
            original(self, original_event, transform_input)
            return
        if not self.event_pattern.matches_event(original_event):
            return
        # A shallow copy keeps moto's handling of the other targets without touching the rule
        # that concurrent requests may be reading.
        others = copy.copy(self)
        others.targets = [t for t in self.targets if t not in sns_targets]
        if others.targets:
            original(others, original_event, transform_input)
        for target in sns_targets:
            deliver_to_sns(self, target, original_event)

    models.Rule.send_to_targets = send_to_targets  # type: ignore[method-assign]
