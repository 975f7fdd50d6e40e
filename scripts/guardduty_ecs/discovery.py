"""What is deployed in an account and Region, found by asking AWS, with Terraform as a hint.

The operator commands (``drill``, ``verify``) must work on an adopter's root, which nests the
module under any name and re-exports nothing. So they find the detector (ListDetectors), the
EventBridge rules of the default bus that take GuardDuty events (ListRules), and the SNS topics
those rules send to (ListTargetsByRule) themselves. Terraform only narrows the search: the state
(``terraform show -json``, nested modules included) or a stack's outputs name detectors, rules and
topics, and only those are kept.

Each target of a rule is one alert channel (``Target.channel``), told from the target itself,
as ListTargetsByRule gives it:

- an API destination (``arn:...:events:...:api-destination/...``, PagerDuty in this module);
- an SNS topic with no Input, InputPath or InputTransformer: the raw-events channel ("If you
  don't specify Input, InputPath, or InputTransformer, you must use the matched event",
  PutTargets), whose subscribers read the event unmodified;
- an SNS topic whose input template is a JSON object declaring ``"version": "1.0"`` and
  ``"source": "custom"``: the chat channel, Amazon Q Developer's custom notification ("version
  ... Must be 1.0", "source ... Must be custom", administrator guide, "Custom notifications");
- any other SNS target (an input transformer writing text, a constant Input, an InputPath):
  the e-mail channel.

Chat is told from e-mail by the template's shape, not by the topic's subscriptions or the chat
channel configurations: a chat topic may have no subscription yet (``chat = {}``, channel
configurations made later or in another Region), the chat API answers in four Regions only, and
what a channel can render is what the target writes. ``verify`` then holds the subscriptions
against it (a chat subscription on a topic whose target writes text fails), and Terraform hints
(``chat_topic_arn``, ``raw_events_topic_arn``, ``sns_topic_arn``, or the module's topic
resources in the state) say which channel a topic is meant to be.

Whether a rule takes an event is never decided here: EventBridge decides, through
TestEventPattern with the rule's own pattern (``routes``).
"""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from guardduty_ecs.errors import CheckFailed, UserError

GUARDDUTY_SOURCE = "aws.guardduty"
DEFAULT_BUS = "default"

_DETECTOR_ID = re.compile(r"^[0-9a-f]{32}$")
_DETECTOR_ARN = re.compile(r"^arn:[a-z-]+:guardduty:([a-z0-9-]+):\d{12}:detector/([0-9a-f]{32})$")
_TOPIC_ARN = re.compile(r"^arn:[a-z-]+:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]+$")
_RULE_ARN = re.compile(r"^arn:[a-z-]+:events:([a-z0-9-]+):\d{12}:rule/([A-Za-z0-9_.-]+)$")


# The alert channels a target can be (see the module docstring).
EMAIL, CHAT, RAW, API_DESTINATION = "e-mail", "chat", "raw events", "API destination"
CHANNELS = (EMAIL, CHAT, RAW, API_DESTINATION)
TOPIC_CHANNELS = (EMAIL, CHAT, RAW)
# Outputs of the module (and of the root) that name each channel's topic, and the topic
# resources of modules/alerts in a Terraform state (aws_sns_topic.<name>).
TOPIC_OUTPUTS = {"sns_topic_arn": EMAIL, "chat_topic_arn": CHAT, "raw_events_topic_arn": RAW}
TOPIC_RESOURCES = {"this": EMAIL, "chat": CHAT, "raw_events": RAW}
# The target resource of modules/alerts that sends to each of those topics.
TOPIC_TARGETS = {"this": "sns", "chat": "chat", "raw_events": "raw_events"}

_CUSTOM_VERSION = re.compile(r'"version"\s*:\s*"1\.0"')
_CUSTOM_SOURCE = re.compile(r'"source"\s*:\s*"custom"')


def is_custom_notification_template(template: str) -> bool:
    """Whether an input template writes an Amazon Q Developer custom notification: a JSON
    object that declares ``"version": "1.0"`` and ``"source": "custom"``."""
    return (
        template.lstrip().startswith("{")
        and bool(_CUSTOM_VERSION.search(template))
        and bool(_CUSTOM_SOURCE.search(template))
    )


def target_channel(target: dict[str, Any]) -> str:
    """The channel of a rule's target (ListTargetsByRule), or "" for a target of another kind
    (a Lambda function, a queue, another bus)."""
    service, resource = target["Arn"].split(":")[2], target["Arn"].split(":", 5)[-1]
    if service == "events" and resource.startswith("api-destination/"):
        return API_DESTINATION
    if service != "sns":
        return ""
    if not any(key in target for key in ("Input", "InputPath", "InputTransformer")):
        return RAW
    template = (target.get("InputTransformer") or {}).get("InputTemplate") or target.get(
        "Input", ""
    )
    return CHAT if is_custom_notification_template(template) else EMAIL


@dataclass(frozen=True)
class Target:
    """One target of a GuardDuty rule: where it delivers (``arn``), as which channel, with what
    message (the input template, or a constant Input; "" for the event itself), and what keeps
    an event it could not deliver."""

    rule: str
    rule_arn: str
    id: str
    arn: str
    channel: str
    template: str
    transformed: bool  # it has an Input, InputPath or InputTransformer
    retry_policy: dict[str, Any] | None
    dead_letter_arn: str
    role_arn: str

    @classmethod
    def of(cls, rule: str, rule_arn: str, target: dict[str, Any]) -> Target:
        return cls(
            rule,
            rule_arn,
            target.get("Id", ""),
            target["Arn"],
            target_channel(target),
            (target.get("InputTransformer") or {}).get("InputTemplate")
            or target.get("Input")
            or target.get("InputPath")
            or "",
            any(key in target for key in ("Input", "InputPath", "InputTransformer")),
            target.get("RetryPolicy"),
            (target.get("DeadLetterConfig") or {}).get("Arn", ""),
            target.get("RoleArn", ""),
        )

    @property
    def is_topic(self) -> bool:
        return self.channel in TOPIC_CHANNELS

    @property
    def name(self) -> str:
        """The topic's name, or the API destination's (``api-destination/<name>/<id>``)."""
        return resource_name(self.arn)


def resource_name(arn: str) -> str:
    """The name in an SNS topic, SQS queue, API destination or connection ARN."""
    resource = arn.split(":", 5)[-1]
    parts = resource.split("/")
    return parts[1] if len(parts) > 1 else resource


class NothingWouldAlert(CheckFailed):
    """The account and Region have nothing that could deliver an alert."""


@dataclass(frozen=True)
class Hints:
    """Names that narrow the search, from Terraform or from flags; empty means "any"."""

    detector_ids: frozenset[str] = frozenset()
    # ARNs carry their Region: a multi-region stack names several, and each run keeps its own.
    topic_arns: frozenset[str] = frozenset()
    rule_arns: frozenset[str] = frozenset()
    # Rule name -> the event pattern Terraform says it should have (outputs of older releases).
    expected_patterns: dict[str, str] = field(default_factory=dict)
    source: str = "no hint: everything the account has"
    # Topic ARN -> the channel Terraform says it is (an output or resource name of the module).
    topic_channels: dict[str, str] = field(default_factory=dict)

    def topics_in(self, region: str) -> frozenset[str]:
        return frozenset(arn for arn in self.topic_arns if arn.split(":")[3] == region)

    def rules_in(self, region: str) -> frozenset[str]:
        return frozenset(arn for arn in self.rule_arns if arn.split(":")[3] == region)

    @property
    def empty(self) -> bool:
        return not (self.detector_ids or self.topic_arns or self.rule_arns)


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, leaf) pair of a JSON document, the key being the nearest object key."""
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from _walk(child, str(child_key))
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child, key)
    else:
        yield key, value


def hints_from_document(document: Any, source: str) -> Hints:
    """The detectors, topics and rules that a Terraform document names: ``terraform show
    -json`` (every module's resources) or ``terraform output -json`` (any output names).

    Detectors are read from detector ARNs and from values of keys that end in ``detector_id``;
    topics and rules from their ARNs wherever they stand.
    """
    detectors, topics, rules = set(), set(), set()
    for key, leaf in _walk(document):
        if not isinstance(leaf, str):
            continue
        if match := _DETECTOR_ARN.match(leaf):
            detectors.add(match[2])
        elif key.endswith("detector_id") and _DETECTOR_ID.match(leaf):
            detectors.add(leaf)
        elif _TOPIC_ARN.match(leaf):
            topics.add(leaf)
        elif _RULE_ARN.match(leaf):
            rules.add(leaf)
    return Hints(
        frozenset(detectors),
        frozenset(topics),
        frozenset(rules),
        source=source,
        topic_channels=_topic_channels(document),
    )


def _topic_channels(document: Any) -> dict[str, str]:
    """The channel of each topic a Terraform document names by a channel's output
    (``chat_topic_arn``, ...) or by a topic resource of modules/alerts: ``aws_sns_topic.chat``
    beside ``aws_cloudwatch_event_target.chat`` in the same module (so that another module's
    ``aws_sns_topic.this`` is not taken for the e-mail topic)."""
    found: dict[str, str] = {}

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            resources = value.get("resources")
            if isinstance(resources, list):
                found.update(_module_topics([r for r in resources if isinstance(r, dict)]))
            for key, child in value.items():
                if key in TOPIC_OUTPUTS and isinstance(child, str) and _TOPIC_ARN.match(child):
                    found[child] = TOPIC_OUTPUTS[key]
                else:
                    visit(child)
        elif isinstance(value, list):
            for child in value:
                visit(child)

    visit(document)
    return found


def _module_topics(resources: list[dict[str, Any]]) -> dict[str, str]:
    """The topics of one module's resources (a state's ``resources`` list) that are modules/alerts'
    channel topics: each with its own target resource beside it."""
    targets = {r.get("name") for r in resources if r.get("type") == "aws_cloudwatch_event_target"}
    found = {}
    for resource in resources:
        name, arn = resource.get("name"), (resource.get("values") or {}).get("arn")
        if (
            resource.get("type") == "aws_sns_topic"
            and name in TOPIC_RESOURCES
            and TOPIC_TARGETS[name] in targets
            and isinstance(arn, str)
            and _TOPIC_ARN.match(arn)
        ):
            found[arn] = TOPIC_RESOURCES[name]
    return found


def _pattern(output: str, value: Any) -> str:
    """An event pattern of the outputs, which verify compares with the rule's: JSON text."""
    try:
        json.loads(value)
    except (TypeError, ValueError) as error:
        raise UserError(
            f"--outputs: {output} is not an event pattern (JSON text): {error}",
            fix="give the file that `terraform output -json > FILE` wrote",
        ) from error
    return str(value)


def hints_from_outputs(outputs: dict[str, Any]) -> Hints:
    """Hints from a stack's outputs (``terraform output -json`` values), with the patterns of
    the module's rule outputs when they are there, for verify to compare."""
    hints = hints_from_document(outputs, "the stack's outputs")
    expected: dict[str, str] = {}

    def mapping(*keys: str) -> dict[str, Any]:  # an output of another shape names nothing
        value = next((outputs[key] for key in keys if outputs.get(key)), {})
        return value if isinstance(value, dict) else {}

    names, arns = mapping("findings_rule_names"), mapping("findings_rule_arns", "findings_rule_arn")
    for band, pattern in mapping("findings_event_patterns").items():
        name = names.get(band) or str(arns.get(band, "")).rsplit("/", 1)[-1]
        if name:
            expected[str(name)] = _pattern(f"findings_event_patterns.{band}", pattern)
    for arn_key, pattern_key in (
        ("coverage_rule_arn", "coverage_event_pattern"),
        ("attack_sequence_rule_arn", "attack_sequence_event_pattern"),
    ):
        if outputs.get(arn_key) and outputs.get(pattern_key):
            name = str(outputs[arn_key]).rsplit("/", 1)[-1]
            expected[name] = _pattern(pattern_key, outputs[pattern_key])
    return Hints(
        hints.detector_ids,
        hints.topic_arns,
        hints.rule_arns,
        expected,
        source=hints.source,
        topic_channels=hints.topic_channels,
    )


def hints_from_terraform(directory: str) -> Hints:
    """Hints from the state of the Terraform root in ``directory`` (``terraform show -json``,
    which lists the resources of every nested module)."""
    if not Path(directory).is_dir():
        raise UserError(f"--terraform-dir: no folder {directory}")
    try:
        done = subprocess.run(
            ["terraform", "show", "-json"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UserError(f"cannot run terraform show in {directory}: {error}") from error
    if done.returncode != 0:
        # Terraform frames its diagnostics in box-drawing characters and colours them.
        plain = re.sub(r"\x1b\[[0-9;]*m", "", done.stderr)
        lines = [line.strip(" │╷╵") for line in plain.splitlines()]
        first_line = next((line for line in lines if line), "no output")
        raise UserError(
            f"terraform show failed in {directory}: {first_line} (run terraform init there, or "
            "leave out --terraform-dir to search the account)"
        )
    try:
        document = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise UserError(f"terraform show -json in {directory} gave no JSON: {error}") from error
    hints = hints_from_document(document.get("values") or {}, f"Terraform state in {directory}")
    if hints.empty:
        raise UserError(
            f"the Terraform state in {directory} has no GuardDuty detector, rule or topic "
            "(apply first, or leave out --terraform-dir to search the account)"
        )
    return hints


@dataclass(frozen=True)
class Rule:
    """An EventBridge rule of the default bus whose pattern may take GuardDuty events."""

    name: str
    arn: str
    state: str
    pattern: str
    targets: tuple[dict[str, Any], ...]

    @property
    def topic_arns(self) -> tuple[str, ...]:
        return tuple(t["Arn"] for t in self.targets if t["Arn"].split(":")[2] == "sns")

    @property
    def channels(self) -> tuple[Target, ...]:
        """Its targets that are alert channels: SNS topics and API destinations."""
        found = (Target.of(self.name, self.arn, target) for target in self.targets)
        return tuple(target for target in found if target.channel)

    @property
    def delivers(self) -> bool:
        """Enabled, with at least one alert channel (an SNS topic, an API destination)."""
        return self.state == "ENABLED" and bool(self.channels)


@dataclass(frozen=True)
class Deployment:
    """What an account has in one Region for GuardDuty alerts."""

    account: str
    region: str
    detector_id: str | None
    rules: tuple[Rule, ...]
    hints: Hints

    @property
    def topic_arns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(arn for rule in self.rules for arn in rule.topic_arns))

    @property
    def channels(self) -> tuple[Target, ...]:
        return tuple(target for rule in self.rules for target in rule.channels)

    def topic_channel(self, topic_arn: str) -> str:
        """What a topic is: the channel Terraform names it, else the channel its targets write
        (e-mail before chat before raw events, when rules write it differently)."""
        if topic_arn in self.hints.topic_channels:
            return self.hints.topic_channels[topic_arn]
        written = {t.channel for t in self.channels if t.arn == topic_arn}
        return next((channel for channel in TOPIC_CHANNELS if channel in written), EMAIL)

    def where(self) -> str:
        return f"account {self.account}, {self.region}"


def _may_take_guardduty_events(pattern: str) -> bool:
    """A cheap first sift before TestEventPattern: a pattern that names neither the source
    nor a GuardDuty detail-type is not read further. (A pattern such as {"source": [{"prefix":
    "aws."}]} is passed over; the README says so.)"""
    return GUARDDUTY_SOURCE in pattern or "GuardDuty" in pattern


def _rules(events: Any) -> Iterator[dict[str, Any]]:
    for page in events.get_paginator("list_rules").paginate(EventBusName=DEFAULT_BUS):
        yield from page.get("Rules", [])


def _targets(events: Any, name: str) -> tuple[dict[str, Any], ...]:
    return tuple(
        target
        for page in events.get_paginator("list_targets_by_rule").paginate(
            Rule=name, EventBusName=DEFAULT_BUS
        )
        for target in page.get("Targets", [])
    )


def discover(guardduty: Any, events: Any, account: str, region: str, hints: Hints) -> Deployment:
    """The detector and the GuardDuty rules of ``account`` in ``region``, narrowed by ``hints``.

    A UserError when the hints name things of which none is in this Region (the wrong Region,
    or the wrong account).
    """
    detectors = list(guardduty.list_detectors()["DetectorIds"])
    if hints.detector_ids:
        kept = [d for d in detectors if d in hints.detector_ids]
        if not kept and detectors:
            raise UserError(
                f"{hints.source} names detector(s) {', '.join(sorted(hints.detector_ids))}, "
                f"and {region} of account {account} has {detectors[0]}: give the Region "
                "(--region) and credentials of the stack"
            )
        detectors = kept
    topics, wanted_rules = hints.topics_in(region), hints.rules_in(region)
    if (hints.topic_arns or hints.rule_arns) and not (topics or wanted_rules):
        regions = sorted({arn.split(":")[3] for arn in hints.topic_arns | hints.rule_arns})
        raise UserError(
            f"{hints.source} names topics and rules in {', '.join(regions)} only, not in "
            f"{region}: run with --region {regions[0]}"
        )
    narrowed = bool(topics or wanted_rules)
    rules = []
    for rule in _rules(events):
        pattern = rule.get("EventPattern") or ""
        if not _may_take_guardduty_events(pattern):
            continue
        targets = _targets(events, rule["Name"])
        found = Rule(rule["Name"], rule["Arn"], rule.get("State", ""), pattern, targets)
        if narrowed and found.arn not in wanted_rules and not set(found.topic_arns) & topics:
            continue
        rules.append(found)
    return Deployment(account, region, next(iter(detectors), None), tuple(rules), hints)


def envelope(detail_type: str, detail: dict[str, Any], account: str, region: str) -> str:
    """An event as EventBridge delivers it, with every field TestEventPattern requires ("id,
    account, source, time, region, resources, detail-type", API reference)."""
    return json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": GUARDDUTY_SOURCE,
            "account": account,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": region,
            "resources": [],
            "detail": detail,
        }
    )


def routes(events: Any, rules: Iterable[Rule], event: str) -> tuple[list[Rule], list[Rule]]:
    """The rules whose pattern matches ``event``, as EventBridge's TestEventPattern says:
    (those that deliver it to a topic, those that match but do not deliver)."""
    delivering, idle = [], []
    for rule in rules:
        if events.test_event_pattern(EventPattern=rule.pattern, Event=event)["Result"]:
            (delivering if rule.delivers else idle).append(rule)
    return delivering, idle


def wire_format(shape: Any, value: Any) -> Any:
    """A value that boto3 parsed from a response, written back in the service's JSON names.

    A GuardDuty ``GuardDuty Finding`` event's ``detail`` is the finding as the API's JSON has it
    (camelCase members); boto3 hands back the model's member names. The model's
    ``locationName`` of each member maps one to the other.
    """
    if value is None:
        return None
    if shape.type_name == "structure":
        return {
            member.serialization.get("name", name): wire_format(member, value[name])
            for name, member in shape.members.items()
            if name in value
        }
    if shape.type_name == "list":
        return [wire_format(shape.member, item) for item in value]
    if shape.type_name == "map":
        return {key: wire_format(shape.value, item) for key, item in value.items()}
    if isinstance(value, datetime):
        return value.timestamp()
    return value


def finding_event(guardduty: Any, finding: dict[str, Any]) -> str:
    """The ``GuardDuty Finding`` event of a finding read with GetFindings."""
    shape = guardduty.meta.service_model.shape_for("Finding")
    detail = wire_format(shape, finding)
    return envelope("GuardDuty Finding", detail, detail["accountId"], detail["region"])
