"""``guardduty-ecs drill``: the blog's experiments as a check that alerts reach people.

1. Finds what the account has in the Region (``discovery``): the detector, the EventBridge rules
   that take GuardDuty events and the SNS topics they send to; Terraform state or outputs only
   narrow that. With no detector, or no rule that could deliver, it stops: nothing would alert.
2. Subscribes a temporary probe queue to each of those topics.
3. Creates GuardDuty sample findings of the chosen types, reads them back, asks EventBridge
   (TestEventPattern, with each deployed rule's own pattern) which rules deliver each one, and
   waits until each routed finding's alert arrives on a probe (matched by the finding ID the
   alert carries). A sample that no rule delivers is reported as not routed, with the rules tried.
4. Optionally scales an ECS service to 0, waits for the cluster's Unhealthy alert, and restores
   the service's task count, whatever happened.
5. Archives its samples (ArchiveFindings), removes the probes and reports each result.

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
from datetime import UTC, datetime
from typing import Any, TextIO

import boto3
from botocore.exceptions import ClientError

from guardduty_ecs.aws import client
from guardduty_ecs.discovery import (
    Deployment,
    Hints,
    NothingWouldAlert,
    Rule,
    discover,
    envelope,
    finding_event,
    routes,
)
from guardduty_ecs.errors import UserError
from guardduty_ecs.events import UNHEALTHY_DETAIL_TYPE, EcsTask, ecs_coverage_change
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

# "within about 5 minutes" for a new finding, plus room for EventBridge and SNS.
NEW_FINDING_WAIT_SECONDS = 6 * 60
# How long a service stays at 0 tasks at most while the drill waits for its Unhealthy alert; the
# findings' wait (up to the publishing frequency) never applies to it.
SCALE_TO_ZERO_WAIT_SECONDS = 15 * 60
PUBLISHING_FREQUENCY_SECONDS = {"FIFTEEN_MINUTES": 900, "ONE_HOUR": 3600, "SIX_HOURS": 21600}


@dataclass(frozen=True)
class DrillResult:
    """One sample: through which rules EventBridge routes it, did its alert arrive, how fast.

    ``status`` is PASS (the alert arrived), FAIL (routed, but no alert) or NOT ROUTED (no
    deployed rule delivers it to a topic)."""

    name: str
    rule: str
    status: str
    latency_seconds: float | None
    detail: str = ""
    text: str = ""  # the alert as a subscriber reads it

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


def _wait(
    probes: list[TopicProbe],
    wanted: Callable[[Alert], str | None],
    keys: set[str],
    deadline: float,
    progress: TextIO,
) -> dict[str, Alert]:
    """Read the probes until an alert has arrived for every key, or the deadline passes."""
    arrived: dict[str, Alert] = {}
    # One long poll at a time; with several topics each waits its share of a 5 s turn.
    poll = max(1, 5 // max(1, len(probes)))
    while keys - set(arrived) and time.monotonic() < deadline:
        remaining = max(1, int(deadline - time.monotonic()))
        alerts = [a for probe in probes for a in probe.receive(wait_seconds=min(poll, remaining))]
        for alert in alerts:
            key = wanted(alert)
            if key in keys and key not in arrived:
                arrived[key] = alert
                progress.write(f"  arrived: {key}\n")
        progress.write(
            f"  waiting for {len(keys - set(arrived))} alert(s), "
            f"{max(0, deadline - time.monotonic()):.0f}s left\r"
        )
    progress.write("\n")
    return arrived


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
    """Run the experiments in the session's account and Region; each sample gives one result.

    What is deployed is found in the account (``discovery``), narrowed by ``hints``. Which rule
    should deliver a sample is EventBridge's answer (TestEventPattern with each rule's own
    pattern); a sample PASSes only when its alert arrived on a topic. Without ``timeout``, the
    drill waits as long as GuardDuty may take to publish (see the module docstring).
    """
    progress = progress or sys.stderr
    hints = hints or Hints()
    if scale_to_zero:
        _cluster_and_service(scale_to_zero)  # a wrong target fails before anything is created
    scale_timeout = min(timeout or SCALE_TO_ZERO_WAIT_SECONDS, SCALE_TO_ZERO_WAIT_SECONDS)
    deployment, guardduty, events = find_deployment(session, endpoint_url, hints)
    detector_id = str(deployment.detector_id)
    delivering = [rule for rule in deployment.rules if rule.delivers]
    if not delivering:
        tried = ", ".join(rule.name for rule in deployment.rules) or "none"
        raise NothingWouldAlert(
            f"nothing would alert: no enabled EventBridge rule of the default bus in "
            f"{deployment.where()} takes GuardDuty events to an SNS topic (rules read: {tried})"
        )
    progress.write(f"{DRILL_NOTICE}\n")
    progress.write(
        f"{deployment.where()}: detector {detector_id}, rules "
        f"{', '.join(rule.name for rule in delivering)} ({hints.source})\n"
    )
    results: list[DrillResult] = []
    timeout, notes = plan_wait(guardduty, detector_id, finding_types, timeout)
    for note in notes:
        progress.write(f"{note}\n")
    with ExitStack() as stack:
        probes = [
            stack.enter_context(TopicProbe(session, topic, endpoint_url))
            for topic in dict.fromkeys(t for rule in delivering for t in rule.topic_arns)
        ]
        since_ms = int(datetime.now(UTC).timestamp() * 1000) - 1000
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
                    target=scale_to_zero,
                    timeout=scale_timeout,
                    progress=progress,
                )
            )
    return results


def _finding_results(
    guardduty: Any,
    events: Any,
    deployment: Deployment,
    probes: list[TopicProbe],
    findings: list[dict[str, Any]],
    *,
    started: float,
    deadline: float,
    progress: TextIO,
) -> list[DrillResult]:
    """One result per sample: routed by which rules (EventBridge's answer), and did it arrive."""
    routed: dict[str, tuple[dict[str, Any], list[Rule]]] = {}
    results: list[DrillResult] = []
    for finding in findings:
        name = f"{finding['Type']} ({finding['Severity']})"
        delivering, idle = routes(events, deployment.rules, finding_event(guardduty, finding))
        if delivering:
            routed[finding["Id"]] = (finding, delivering)
            continue
        tried = ", ".join(rule.name for rule in deployment.rules)
        detail = f"no rule delivers it to a topic; rules tried: {tried}"
        if idle:
            detail += f"; it matches {', '.join(rule.name for rule in idle)}, which cannot deliver"
        results.append(DrillResult(name, "-", NOT_ROUTED, None, detail))

    def finding_of(alert: Alert) -> str | None:
        # An alert names its finding's ID: the module's message in its console link, a rule
        # that sends the raw event in detail.id.
        return next((finding_id for finding_id in routed if finding_id in alert.text), None)

    arrived = _wait(probes, finding_of, set(routed), deadline, progress)
    timeout = deadline - started
    for finding_id, (finding, delivering) in routed.items():
        alert = arrived.get(finding_id)
        results.append(
            DrillResult(
                f"{finding['Type']} ({finding['Severity']})",
                ", ".join(rule.name for rule in delivering),
                PASS if alert else FAIL,
                alert.received_at - started if alert else None,
                "" if alert else f"no alert within {timeout:.0f}s",
                alert.text if alert else "",
            )
        )
    return results


def _cluster_and_service(target: str) -> tuple[str, str]:
    cluster, _, service = target.partition("/")
    if not cluster or not service or "/" in service:
        raise UserError(f"--scale-to-zero takes CLUSTER/SERVICE, not {target!r}")
    return cluster, service


def _scale_to_zero_drill(
    session: boto3.Session,
    endpoint_url: str | None,
    probes: list[TopicProbe],
    deployment: Deployment,
    events: Any,
    *,
    target: str,
    timeout: float,
    progress: TextIO,
) -> DrillResult:
    """Scale CLUSTER/SERVICE to 0, wait for the cluster's Unhealthy alert, restore the count.

    Nothing is scaled unless EventBridge says a deployed rule delivers the cluster's Unhealthy
    event (TestEventPattern with a coverage event of the documented schema)."""
    cluster, service = _cluster_and_service(target)
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
    ecs = client(session, "ecs", endpoint_url)
    (current,) = ecs.describe_services(cluster=cluster, services=[service])["services"]
    desired = current["desiredCount"]
    started = time.monotonic()
    progress.write(f"scaling {target} from {desired} to 0 tasks\n")
    ecs.update_service(cluster=cluster, service=service, desiredCount=0)
    try:

        def unhealthy_of(alert: Alert) -> str | None:
            return cluster if cluster in alert.text and "UNHEALTHY" in alert.text else None

        arrived = _wait(probes, unhealthy_of, {cluster}, started + timeout, progress)
    finally:
        progress.write(f"restoring {target} to {desired} tasks\n")
        ecs.update_service(cluster=cluster, service=service, desiredCount=desired)
    alert = arrived.get(cluster)
    return DrillResult(
        name,
        ", ".join(rule.name for rule in delivering),
        PASS if alert else FAIL,
        alert.received_at - started if alert else None,
        "" if alert else f"no Unhealthy alert within {timeout:.0f}s",
        alert.text if alert else "",
    )


def exit_verdict(results: list[DrillResult]) -> tuple[bool, str]:
    """Whether the drill proved its alerts: no routed sample failed and at least one alert
    arrived (a drill that saw no alert never passes); and the closing line."""
    counts = {status: sum(r.status == status for r in results) for status in (PASS, FAIL)}
    not_routed = len(results) - counts[PASS] - counts[FAIL]
    line = f"{counts[PASS]} passed, {counts[FAIL]} failed, {not_routed} not routed"
    if counts[PASS] == 0 and counts[FAIL] == 0:
        return False, f"{line}: no sample was routed to a topic, nothing would alert"
    return counts[FAIL] == 0 and counts[PASS] > 0, line


def report(results: list[DrillResult], out: TextIO) -> bool:
    """Print each result and the closing line; whether the drill passed."""
    for result in results:
        latency = f"{result.latency_seconds:.2f}s" if result.latency_seconds is not None else "-"
        line = f"{result.status:<10}  {latency:>8}  {result.name}  [{result.rule}]"
        out.write(line + (f"  ({result.detail})" if result.detail else "") + "\n")
    passed, line = exit_verdict(results)
    out.write(line + "\n")
    return passed
