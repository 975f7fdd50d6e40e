"""``guardduty-ecs drill``: the blog's experiments as a check that alerts reach people, on every
channel.

1. Finds what the account has in the Region (``discovery``): the detector, the EventBridge rules
   that take GuardDuty events and their channels (SNS topics: e-mail, chat, raw events; API
   destinations: PagerDuty); Terraform state or outputs only narrow that. With no detector, or
   no rule that could deliver, it stops: nothing would alert.
2. Subscribes a temporary probe queue to each of those topics.
3. Creates GuardDuty sample findings of the chosen types, reads them back, asks EventBridge
   (TestEventPattern, with each deployed rule's own pattern) which rules deliver each one, and
   waits until each routed finding's alert arrives on the probe of every topic those rules send
   it to (matched by the finding ID the alert carries). Each arrival is read as its channel
   needs (``messages``): the chat topic's a custom notification threaded by the finding ID, the
   raw-events topic's the event with the sample's finding ID; the e-mail names it. A sample that
   no rule delivers is reported as not routed, with the rules tried.
4. An API destination's delivery cannot be observed from the account: EventBridge records
   "invocations that failed permanently" (FailedInvocations, EventBridge user guide,
   "Monitoring Amazon EventBridge") and puts what it gives up in the dead-letter queue, and
   nothing when the endpoint answers 2xx. So an API destination is NOT OBSERVABLE (never PASS)
   unless the rule's FailedInvocations since the drill began, or a message of its dead-letter
   queue for that target and sample, shows a failure: then FAIL. The drill reads both while it
   waits: after the topics' alerts have arrived, for ``API_DESTINATION_SETTLE_SECONDS`` more
   ("EventBridge sends metrics to Amazon CloudWatch every minute"), or until the deadline when
   an API destination is a sample's only channel. It peeks at the queue (``VisibilityTimeout``
   0) and leaves its messages there.
5. Optionally scales an ECS service to 0, waits for the cluster's Unhealthy alert on each
   channel, and restores the service's task count, whatever happened.
6. Archives its samples (ArchiveFindings), removes the probes and reports each result, and each
   channel's.

A sample PASSes when its alert arrived, as its channel needs, on every topic it was routed to
and no channel failed; it FAILs when a channel failed; it is NOT OBSERVABLE when its only
channels are API destinations that showed no failure.

Works against AWS and the emulator. On AWS, GuardDuty exports a new finding "within about 5
minutes", and "new occurrences of existing findings" only at the detector's finding publishing
frequency (GuardDuty user guide, "Exporting findings"). A second drill finds its sample findings
already there: CreateSampleFindings then updates them, and their alerts come at that frequency
(15 minutes to 6 hours). The drill says up front which case it is in and, unless given a
timeout, waits long enough for it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

import boto3
from botocore.exceptions import ClientError

from guardduty_ecs.aws import client
from guardduty_ecs.discovery import (
    API_DESTINATION,
    CHANNELS,
    CHAT,
    EMAIL,
    RAW,
    Deployment,
    Hints,
    NothingWouldAlert,
    Rule,
    Target,
    discover,
    envelope,
    finding_event,
    resource_name,
    routes,
)
from guardduty_ecs.errors import UserError
from guardduty_ecs.events import (
    FINDING_DETAIL_TYPE,
    UNHEALTHY_DETAIL_TYPE,
    EcsTask,
    ecs_coverage_change,
)
from guardduty_ecs.messages import chat_errors, raw_event_errors
from guardduty_ecs.probe import Alert, TopicProbe

# High, Medium and the ECS attack sequence (Critical): one sample of each severity a default
# deployment alerts on.
DEFAULT_FINDING_TYPES = (
    "Execution:Runtime/ReverseShell",
    "CryptoCurrency:Runtime/BitcoinTool.B",
    "Execution:Runtime/NewBinaryExecuted",
    "AttackSequence:ECS/CompromisedCluster",
)
PASS, FAIL, NOT_ROUTED = "PASS", "FAIL", "NOT ROUTED"
NOT_OBSERVABLE = "NOT OBSERVABLE"
STATUSES = (PASS, FAIL, NOT_ROUTED, NOT_OBSERVABLE)
# How long the drill still watches an API destination's failure signals once the topics' alerts
# of its samples have arrived: EventBridge "sends metrics to Amazon CloudWatch every minute".
API_DESTINATION_SETTLE_SECONDS = 60
# How often the failure signals are read.
SIGNAL_POLL_SECONDS = 5

# "within about 5 minutes" for a new finding, plus room for EventBridge and SNS.
NEW_FINDING_WAIT_SECONDS = 6 * 60
# How long a service stays at 0 tasks at most while the drill waits for its Unhealthy alert; the
# findings' wait (up to the publishing frequency) never applies to it.
SCALE_TO_ZERO_WAIT_SECONDS = 15 * 60
PUBLISHING_FREQUENCY_SECONDS = {"FIFTEEN_MINUTES": 900, "ONE_HOUR": 3600, "SIX_HOURS": 21600}


@dataclass(frozen=True)
class ChannelResult:
    """One channel of one sample: did its alert arrive there, as the channel needs it.

    ``status`` is PASS (it arrived, and reads as its channel needs), FAIL (it did not arrive,
    arrived wrong, or EventBridge reports a failure) or NOT OBSERVABLE (an API destination that
    showed no failure: its delivery cannot be seen from the account)."""

    channel: str  # e-mail, chat, raw events, API destination
    target: str  # the topic's or API destination's ARN
    rules: str  # the rules that send the sample there
    status: str
    latency_seconds: float | None
    detail: str = ""
    text: str = ""  # the message as the channel's subscriber reads it (topics)


@dataclass(frozen=True)
class DrillResult:
    """One sample: through which rules EventBridge routes it, did its alert arrive, how fast,
    and on each channel (``channels``).

    ``status`` is PASS (it arrived on every topic it was routed to, and no channel failed), FAIL
    (a channel failed), NOT ROUTED (no deployed rule delivers it to a channel) or NOT OBSERVABLE
    (its only channels are API destinations, which showed no failure). ``latency_seconds`` and
    ``text`` are those of its first arrival (the e-mail's when there is one)."""

    name: str
    rule: str
    status: str
    latency_seconds: float | None
    detail: str = ""
    text: str = ""  # the alert as a subscriber reads it
    channels: tuple[ChannelResult, ...] = ()

    @property
    def passed(self) -> bool:
        return self.status == PASS


def _samples(
    guardduty: Any, detector_id: str, finding_types: list[str], **criteria: Any
) -> list[dict[str, Any]]:
    """The detector's sample findings of ``finding_types`` that meet the other ``criteria``."""
    criterion = {
        "type": {"Eq": finding_types},
        "service.additionalInfo.sample": {"Eq": ["true"]},
        **criteria,
    }
    ids = [
        finding_id
        for page in guardduty.get_paginator("list_findings").paginate(
            DetectorId=detector_id, FindingCriteria={"Criterion": criterion}
        )
        for finding_id in page["FindingIds"]
    ]
    return [
        finding
        for start in range(0, len(ids), 50)
        for finding in guardduty.get_findings(
            DetectorId=detector_id, FindingIds=ids[start : start + 50]
        )["Findings"]
    ]


def _sample_findings(
    guardduty: Any, detector_id: str, finding_types: list[str], since_ms: int, deadline: float
) -> list[dict[str, Any]]:
    """The sample findings created since ``since_ms``: one per type, waiting until all exist."""
    since = {"updatedAt": {"GreaterThanOrEqual": since_ms}}
    while True:
        latest = {
            finding["Type"]: finding
            for finding in _samples(guardduty, detector_id, finding_types, **since)
        }
        if set(latest) >= set(finding_types) or time.monotonic() > deadline:
            return list(latest.values())
        time.sleep(5)


def existing_sample_types(guardduty: Any, detector_id: str, finding_types: list[str]) -> set[str]:
    """The types among ``finding_types`` that already have a sample finding in the detector (a
    new CreateSampleFindings only updates those)."""
    return {finding["Type"] for finding in _samples(guardduty, detector_id, finding_types)}


def plan_wait(
    guardduty: Any, detector_id: str, finding_types: list[str], timeout: float | None
) -> tuple[float, list[str]]:
    """How long to wait for the alerts, and what to tell the operator about it up front."""
    updates = sorted(existing_sample_types(guardduty, detector_id, finding_types))
    notes = [
        f"{len(finding_types) - len(updates)} new sample finding(s): GuardDuty publishes new "
        "findings within about 5 minutes"
    ]
    needed = float(NEW_FINDING_WAIT_SECONDS)
    if updates:
        frequency = guardduty.get_detector(DetectorId=detector_id).get(
            "FindingPublishingFrequency", "SIX_HOURS"
        )
        needed += PUBLISHING_FREQUENCY_SECONDS.get(frequency, 21600)
        notes.append(
            f"{len(updates)} type(s) already have a sample finding ({', '.join(updates)}): this "
            "run updates them, and GuardDuty publishes updates only at the detector's finding "
            f"publishing frequency, {frequency}"
        )
    if timeout is None:
        notes.append(f"waiting up to {needed / 60:.0f} min")
        return needed, notes
    if timeout < needed:
        notes.append(
            f"the timeout of {timeout:.0f}s may end before GuardDuty publishes "
            f"(up to {needed / 60:.0f} min)"
        )
    return timeout, notes


@dataclass(frozen=True)
class _Sample:
    """What the drill waits for: one sample's alert (``key``: the finding ID, or the cluster),
    the rules that deliver it, how an alert is told to be its own, and what each channel must
    read (``errors``: channel, text -> why not)."""

    key: str
    name: str
    delivering: tuple[Rule, ...]
    belongs: Callable[[str], bool]
    errors: Callable[[str, str], list[str]]

    @property
    def channels(self) -> dict[str, tuple[Target, tuple[str, ...]]]:
        """Each target the sample is routed to: the target (its first rule's) and every rule
        that sends it there."""
        found: dict[str, tuple[Target, tuple[str, ...]]] = {}
        for rule in self.delivering:
            for target in rule.channels:
                first, rules = found.get(target.arn, (target, ()))
                found[target.arn] = (first, (*rules, rule.name))
        order = sorted(found, key=lambda arn: (CHANNELS.index(found[arn][0].channel), arn))
        return {arn: found[arn] for arn in order}


def _wait(
    probes: dict[str, TopicProbe],
    samples: list[_Sample],
    deadline: float,
    progress: TextIO,
) -> dict[tuple[str, str], Alert]:
    """Read the probes until each sample's alert has arrived on every topic it was routed to,
    or the deadline passes: (sample key, topic ARN) -> the alert."""
    wanted = {
        (sample.key, arn)
        for sample in samples
        for arn, (target, _) in sample.channels.items()
        if target.is_topic
    }
    arrived: dict[tuple[str, str], Alert] = {}
    # One long poll at a time; with several topics each waits its share of a 5 s turn.
    poll = max(1, 5 // max(1, len(probes)))
    while wanted - set(arrived) and time.monotonic() < deadline:
        remaining = max(1, int(deadline - time.monotonic()))
        for topic, probe in probes.items():
            for alert in probe.receive(wait_seconds=min(poll, remaining)):
                for sample in samples:
                    key = (sample.key, topic)
                    if key in wanted and key not in arrived and sample.belongs(alert.text):
                        arrived[key] = alert
                        progress.write(f"  arrived: {sample.key} on {resource_name(topic)}\n")
        progress.write(
            f"  waiting for {len(wanted - set(arrived))} alert(s), "
            f"{max(0, deadline - time.monotonic()):.0f}s left\r"
        )
    progress.write("\n")
    return arrived


class _FailureSignals:
    """What EventBridge reports of a failed delivery: the rule's FailedInvocations since the
    drill began, and the dead-letter queue's messages for a target (read without taking them:
    ``VisibilityTimeout`` 0). A signal that cannot be read is noted, not raised: the drill has
    already created its samples."""

    def __init__(self, session: boto3.Session, endpoint_url: str | None, since: datetime) -> None:
        self._session, self._endpoint_url, self._since = session, endpoint_url, since
        self.notes: dict[str, str] = {}

    def failed_invocations(self, rule: str) -> int:
        cloudwatch = client(self._session, "cloudwatch", self._endpoint_url)
        try:
            points = cloudwatch.get_metric_statistics(
                Namespace="AWS/Events",
                MetricName="FailedInvocations",
                Dimensions=[{"Name": "RuleName", "Value": rule}],
                StartTime=self._since - timedelta(minutes=1),
                EndTime=datetime.now(UTC) + timedelta(minutes=1),
                Period=60,
                Statistics=["Sum"],
            )["Datapoints"]
        except ClientError as error:
            self.notes[rule] = f"FailedInvocations not readable ({_code(error)})"
            return 0
        return int(sum(point.get("Sum", 0) for point in points))

    def dead_letters(self, queue_arn: str) -> list[tuple[dict[str, str], str]]:
        """Up to 10 messages of a dead-letter queue, left there: (attributes, body) each."""
        sqs = client(self._session, "sqs", self._endpoint_url, queue_arn.split(":")[3])
        owner, name = queue_arn.split(":")[4:6]
        try:
            url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=owner)["QueueUrl"]
            messages = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=0,
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
        except ClientError as error:
            self.notes[queue_arn] = f"dead-letter queue {name} not readable ({_code(error)})"
            return []
        return [
            (
                {
                    attribute: value.get("StringValue", "")
                    for attribute, value in message.get("MessageAttributes", {}).items()
                },
                message.get("Body", ""),
            )
            for message in messages
        ]


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "error"))


def _watch_api_destinations(
    samples: list[_Sample],
    signals: _FailureSignals,
    until: float,
    progress: TextIO,
) -> dict[tuple[str, str], str]:
    """Read the failure signals of the samples' API destinations until each has failed or
    ``until`` passes: (sample key, destination ARN) -> what failed."""
    pending = {
        (sample.key, arn): target
        for sample in samples
        for arn, (target, _) in sample.channels.items()
        if target.channel == API_DESTINATION
    }
    failed: dict[tuple[str, str], str] = {}
    if pending:
        progress.write(
            f"watching {len(pending)} API destination delivery(ies) for failures "
            f"(FailedInvocations, dead letters) for up to {max(0, until - time.monotonic()):.0f}s\n"
        )
    while pending:
        # One read of each rule's metric and each queue per round.
        counts: dict[str, int] = {}
        letters: dict[str, list[tuple[dict[str, str], str]]] = {}
        for (key, arn), target in list(pending.items()):
            if target.rule not in counts:
                counts[target.rule] = signals.failed_invocations(target.rule)
            queue = target.dead_letter_arn
            if queue and queue not in letters:
                letters[queue] = signals.dead_letters(queue)
            letter = next(
                (
                    attributes
                    for attributes, body in letters.get(queue, [])
                    if attributes.get("TARGET_ARN") == arn and key in body
                ),
                None,
            )
            if letter is not None:
                failed[(key, arn)] = (
                    f"in the dead-letter queue {resource_name(queue)}: "
                    f"{letter.get('ERROR_CODE', '')} {letter.get('ERROR_MESSAGE', '')}".rstrip()
                )
            elif counts[target.rule]:
                failed[(key, arn)] = (
                    f"FailedInvocations of rule {target.rule}: {counts[target.rule]} since the "
                    "drill began (the metric counts every target of the rule)"
                )
            if (key, arn) in failed:
                del pending[(key, arn)]
        if not pending or time.monotonic() >= until:
            break
        time.sleep(min(SIGNAL_POLL_SECONDS, max(0.0, until - time.monotonic())))
    return failed


def _channel_results(
    sample: _Sample,
    arrived: dict[tuple[str, str], Alert],
    failed: dict[tuple[str, str], str],
    signals: _FailureSignals,
    *,
    started: float,
    timeout: float,
    watched: float,
) -> list[ChannelResult]:
    """Each channel's result: a topic's from its probe (the alert, read as the channel needs
    it), an API destination's from its failure signals, watched until ``watched``."""
    results = []
    for arn, (target, rules) in sample.channels.items():
        rule_names = ", ".join(rules)
        if target.channel == API_DESTINATION:
            failure = failed.get((sample.key, arn))
            notes = [
                note
                for key, note in signals.notes.items()
                if key in (*rules, target.dead_letter_arn)
            ]
            detail = failure or (
                "EventBridge reports no delivery to an API destination, only failures, and none "
                f"showed within {watched - started:.0f}s (the rule's FailedInvocations, the "
                "dead-letter queue); look for it at the receiving end (PagerDuty: an incident "
                "whose dedup key is the finding ID)"
            )
            results.append(
                ChannelResult(
                    target.channel,
                    arn,
                    rule_names,
                    FAIL if failure else NOT_OBSERVABLE,
                    None,
                    "; ".join([detail, *notes]),
                )
            )
            continue
        alert = arrived.get((sample.key, arn))
        if alert is None:
            results.append(
                ChannelResult(
                    target.channel, arn, rule_names, FAIL, None, f"no alert within {timeout:.0f}s"
                )
            )
            continue
        errors = sample.errors(target.channel, alert.text)
        results.append(
            ChannelResult(
                target.channel,
                arn,
                rule_names,
                FAIL if errors else PASS,
                alert.received_at - started,
                f"arrived, but {'; '.join(errors)}" if errors else "",
                alert.text,
            )
        )
    return results


def _result(sample: _Sample, channels: list[ChannelResult]) -> DrillResult:
    """The sample's result from its channels' (see ``DrillResult``)."""
    statuses = {channel.status for channel in channels}
    status = (
        FAIL
        if FAIL in statuses
        else PASS
        if PASS in statuses
        else NOT_OBSERVABLE
        if channels
        else FAIL
    )
    arrivals = sorted(
        (c for c in channels if c.latency_seconds is not None),
        key=lambda c: (c.channel != EMAIL, c.latency_seconds),
    )
    others = [c for c in channels if c.status != PASS]
    if len(channels) == 1:
        detail = channels[0].detail if others else ""
    else:
        detail = "; ".join(
            f"{c.channel} {resource_name(c.target)}: "
            + (c.status if c.status == NOT_OBSERVABLE else c.detail)
            for c in others
        )
    return DrillResult(
        sample.name,
        ", ".join(rule.name for rule in sample.delivering),
        status,
        min((c.latency_seconds for c in arrivals if c.latency_seconds is not None), default=None),
        detail,
        arrivals[0].text if arrivals else "",
        tuple(channels),
    )


DRILL_NOTICE = (
    "The drill's sample findings are real GuardDuty findings downstream: every subscriber of "
    "the alert topics gets them, and they flow on to Security Hub, findings exports and, in a "
    "member account, the administrator's event bus. GuardDuty marks them as samples; the drill "
    "archives them when it ends."
)


def _archive(guardduty: Any, detector_id: str, finding_ids: list[str], progress: TextIO) -> None:
    """Archive the drill's own samples (ArchiveFindings, 50 at a time); a member account may not
    archive ("Only the administrator account can archive findings", API reference), so a
    refusal is reported, not raised."""
    try:
        for start in range(0, len(finding_ids), 50):
            guardduty.archive_findings(
                DetectorId=detector_id, FindingIds=finding_ids[start : start + 50]
            )
    except ClientError as error:
        progress.write(f"could not archive the drill's samples: {error}\n")
        return
    if finding_ids:
        progress.write(f"archived the drill's {len(finding_ids)} sample finding(s)\n")


def find_deployment(
    session: boto3.Session, endpoint_url: str | None, hints: Hints
) -> tuple[Deployment, Any, Any]:
    """The deployment in the session's account and Region, with GuardDuty and EventBridge
    clients; NothingWouldAlert when nothing there could deliver a finding's alert."""
    guardduty = client(session, "guardduty", endpoint_url)
    events = client(session, "events", endpoint_url)
    account = client(session, "sts", endpoint_url).get_caller_identity()["Account"]
    deployment = discover(guardduty, events, account, session.region_name or "", hints)
    if deployment.detector_id is None:
        raise NothingWouldAlert(
            f"nothing would alert: GuardDuty has no detector in {deployment.where()}"
        )
    return deployment, guardduty, events


def run_drill(
    session: boto3.Session,
    finding_types: list[str],
    timeout: float | None = None,
    *,
    hints: Hints | None = None,
    scale_to_zero: str | None = None,
    endpoint_url: str | None = None,
    progress: TextIO | None = None,
) -> list[DrillResult]:
    """Run the experiments in the session's account and Region; each sample gives one result,
    with one per channel it is routed to.

    What is deployed is found in the account (``discovery``), narrowed by ``hints``. Which rule
    should deliver a sample is EventBridge's answer (TestEventPattern with each rule's own
    pattern); a sample PASSes only when its alert arrived on the topics it was routed to, as each
    channel needs it. Without ``timeout``, the drill waits as long as GuardDuty may take to
    publish (see the module docstring).
    """
    progress = progress or sys.stderr
    hints = hints or Hints()
    if scale_to_zero:
        check_target(scale_to_zero)  # a wrong target fails before anything is created
    scale_timeout = min(timeout or SCALE_TO_ZERO_WAIT_SECONDS, SCALE_TO_ZERO_WAIT_SECONDS)
    deployment, guardduty, events = find_deployment(session, endpoint_url, hints)
    detector_id = str(deployment.detector_id)
    delivering = [rule for rule in deployment.rules if rule.delivers]
    if not delivering:
        tried = ", ".join(rule.name for rule in deployment.rules) or "none"
        raise NothingWouldAlert(
            f"nothing would alert: no enabled EventBridge rule of the default bus in "
            f"{deployment.where()} takes GuardDuty events to an SNS topic or an API destination "
            f"(rules read: {tried})"
        )
    progress.write(f"{DRILL_NOTICE}\n")
    progress.write(
        f"{deployment.where()}: detector {detector_id}, rules "
        f"{', '.join(rule.name for rule in delivering)} ({hints.source})\n"
    )
    channels = {t.arn: t for rule in delivering for t in rule.channels}
    for target in channels.values():
        how = (
            "delivery cannot be observed from the account, only failures"
            if target.channel == API_DESTINATION
            else "a probe reads it"
        )
        progress.write(f"  {target.channel} {target.arn}: {how}\n")
    results: list[DrillResult] = []
    timeout, notes = plan_wait(guardduty, detector_id, finding_types, timeout)
    for note in notes:
        progress.write(f"{note}\n")
    with ExitStack() as stack:
        probes = {
            arn: stack.enter_context(TopicProbe(session, arn, endpoint_url))
            for arn, target in channels.items()
            if target.is_topic
        }
        since_ms = int(datetime.now(UTC).timestamp() * 1000) - 1000
        signals = _FailureSignals(session, endpoint_url, datetime.now(UTC))
        started = time.monotonic()
        deadline = started + timeout
        progress.write(f"creating sample findings: {', '.join(finding_types)}\n")
        guardduty.create_sample_findings(DetectorId=detector_id, FindingTypes=finding_types)
        findings = _sample_findings(guardduty, detector_id, finding_types, since_ms, deadline)
        try:
            results += _finding_results(
                guardduty,
                events,
                deployment,
                probes,
                findings,
                signals=signals,
                started=started,
                deadline=deadline,
                progress=progress,
            )
        finally:
            _archive(guardduty, detector_id, [f["Id"] for f in findings], progress)
        missing_types = set(finding_types) - {finding["Type"] for finding in findings}
        results += [
            DrillResult(kind, "-", FAIL, None, "GuardDuty did not create this sample finding")
            for kind in sorted(missing_types)
        ]
        if scale_to_zero:
            results.append(
                _scale_to_zero_drill(
                    session,
                    endpoint_url,
                    probes,
                    deployment,
                    events,
                    signals=signals,
                    target=scale_to_zero,
                    timeout=scale_timeout,
                    progress=progress,
                )
            )
    return results


def _observe(
    samples: list[_Sample],
    probes: dict[str, TopicProbe],
    signals: _FailureSignals,
    *,
    started: float,
    deadline: float,
    progress: TextIO,
) -> list[DrillResult]:
    """Wait for the samples' alerts on their topics, then watch their API destinations' failure
    signals (see the module docstring); a result per sample."""
    arrived = _wait(probes, samples, deadline, progress)
    unobservable_only = any(
        all(target.channel == API_DESTINATION for target, _ in sample.channels.values())
        for sample in samples
    )
    until = (
        deadline
        if unobservable_only
        else min(deadline, time.monotonic() + API_DESTINATION_SETTLE_SECONDS)
    )
    failed = _watch_api_destinations(samples, signals, until, progress)
    timings = {"started": started, "timeout": deadline - started, "watched": time.monotonic()}
    return [
        _result(sample, _channel_results(sample, arrived, failed, signals, **timings))
        for sample in samples
    ]


def _finding_errors(finding: dict[str, Any]) -> Callable[[str, str], list[str]]:
    """What each channel must read for a finding: chat a custom notification threaded by the
    finding ID, raw events the finding's event; e-mail names it (how it was matched)."""

    def errors(channel: str, text: str) -> list[str]:
        if channel == CHAT:
            return chat_errors(text, thread_id=finding["Id"])
        if channel == RAW:
            return raw_event_errors(
                text, FINDING_DETAIL_TYPE, {"id": finding["Id"], "type": finding["Type"]}
            )
        return []

    return errors


def _finding_results(
    guardduty: Any,
    events: Any,
    deployment: Deployment,
    probes: dict[str, TopicProbe],
    findings: list[dict[str, Any]],
    *,
    signals: _FailureSignals,
    started: float,
    deadline: float,
    progress: TextIO,
) -> list[DrillResult]:
    """One result per sample: routed by which rules (EventBridge's answer), and did it arrive on
    each of their channels."""
    samples: list[_Sample] = []
    results: list[DrillResult] = []
    for finding in findings:
        name = f"{finding['Type']} ({finding['Severity']})"
        delivering, idle = routes(events, deployment.rules, finding_event(guardduty, finding))
        if delivering:
            # An alert names its finding's ID: the e-mail in its console link, the chat
            # notification in its threadId, the raw event in detail.id.
            samples.append(
                _Sample(
                    finding["Id"],
                    name,
                    tuple(delivering),
                    lambda text, finding_id=finding["Id"]: finding_id in text,
                    _finding_errors(finding),
                )
            )
            continue
        tried = ", ".join(rule.name for rule in deployment.rules)
        detail = f"no rule delivers it to a channel; rules tried: {tried}"
        if idle:
            detail += f"; it matches {', '.join(rule.name for rule in idle)}, which cannot deliver"
        results.append(DrillResult(name, "-", NOT_ROUTED, None, detail))
    return results + _observe(
        samples, probes, signals, started=started, deadline=deadline, progress=progress
    )


def check_target(target: str) -> tuple[str, str]:
    """The cluster and service of ``--scale-to-zero CLUSTER/SERVICE``; a UserError if it is not
    of that form."""
    cluster, _, service = target.partition("/")
    if not cluster or not service or "/" in service:
        raise UserError(f"--scale-to-zero takes CLUSTER/SERVICE, not {target!r}")
    return cluster, service


def _scale_to_zero_drill(
    session: boto3.Session,
    endpoint_url: str | None,
    probes: dict[str, TopicProbe],
    deployment: Deployment,
    events: Any,
    *,
    signals: _FailureSignals,
    target: str,
    timeout: float,
    progress: TextIO,
) -> DrillResult:
    """Scale CLUSTER/SERVICE to 0, wait for the cluster's Unhealthy alert on each channel,
    restore the count.

    Nothing is scaled unless EventBridge says a deployed rule delivers the cluster's Unhealthy
    event (TestEventPattern with a coverage event of the documented schema)."""
    cluster, service = check_target(target)
    name = f"Unhealthy after scaling {target} to 0"
    change = ecs_coverage_change(
        "UNHEALTHY",
        "HEALTHY",
        task=EcsTask(account_id=deployment.account, region=deployment.region, cluster=cluster),
    )
    event = envelope(UNHEALTHY_DETAIL_TYPE, change, deployment.account, deployment.region)
    delivering, _ = routes(events, deployment.rules, event)
    if not delivering:
        tried = ", ".join(rule.name for rule in deployment.rules)
        detail = f"no rule delivers the cluster's Unhealthy event; nothing scaled; tried: {tried}"
        return DrillResult(name, "-", NOT_ROUTED, None, detail)

    def errors(channel: str, text: str) -> list[str]:
        if channel == CHAT:
            return chat_errors(text)
        if channel == RAW:
            return raw_event_errors(
                text,
                UNHEALTHY_DETAIL_TYPE,
                {"resourceDetails.ecsClusterDetails.clusterName": cluster},
            )
        return []

    sample = _Sample(
        cluster,
        name,
        tuple(delivering),
        lambda text: cluster in text and "UNHEALTHY" in text,
        errors,
    )
    ecs = client(session, "ecs", endpoint_url)
    (current,) = ecs.describe_services(cluster=cluster, services=[service])["services"]
    desired = current["desiredCount"]
    started = time.monotonic()
    progress.write(f"scaling {target} from {desired} to 0 tasks\n")
    ecs.update_service(cluster=cluster, service=service, desiredCount=0)
    try:
        (result,) = _observe(
            [sample],
            {arn: probe for arn, probe in probes.items() if arn in sample.channels},
            signals,
            started=started,
            deadline=started + timeout,
            progress=progress,
        )
    finally:
        progress.write(f"restoring {target} to {desired} tasks\n")
        ecs.update_service(cluster=cluster, service=service, desiredCount=desired)
    return result


def exit_verdict(results: list[DrillResult]) -> tuple[bool, str]:
    """Whether the drill proved its alerts: no routed sample failed and at least one alert
    arrived (a drill that saw no alert never passes); and the closing line."""
    counts = {status: sum(r.status == status for r in results) for status in STATUSES}
    line = f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[NOT_ROUTED]} not routed" + (
        f", {counts[NOT_OBSERVABLE]} not observable" if counts[NOT_OBSERVABLE] else ""
    )
    if counts[PASS] == 0 and counts[FAIL] == 0:
        if counts[NOT_OBSERVABLE]:
            return False, (
                f"{line}: no alert could be observed (API destinations show only failures, "
                "and none showed)"
            )
        return False, f"{line}: no sample was routed to a channel, nothing would alert"
    return counts[FAIL] == 0 and counts[PASS] > 0, line


def _latency(seconds: float | None) -> str:
    return f"{seconds:.2f}s" if seconds is not None else "-"


def report(results: list[DrillResult], out: TextIO) -> bool:
    """Print each result, each of its channels under it, and the closing line; whether the
    drill passed."""
    for result in results:
        line = f"{result.status:<10}  {_latency(result.latency_seconds):>8}  {result.name}"
        line += f"  [{result.rule}]"
        out.write(line + (f"  ({result.detail})" if result.detail else "") + "\n")
        for channel in result.channels:
            line = f"  {channel.status:<14}  {_latency(channel.latency_seconds):>8}  "
            line += f"{channel.channel}: {resource_name(channel.target)}"
            shown = channel.detail and channel.detail != result.detail  # not twice
            out.write(line + (f"  ({channel.detail})" if shown else "") + "\n")
    passed, line = exit_verdict(results)
    out.write(line + "\n")
    return passed
