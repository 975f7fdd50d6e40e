"""``guardduty-ecs drill``: the blog's experiments as a check that alerts reach people.

1. Subscribes a temporary probe queue to the stack's alert topic.
2. Creates GuardDuty sample findings of the chosen runtime types, reads their severities back,
   and waits until each finding whose band has a rule arrives on the probe (matched by finding ID
   in the message's console link).
3. Optionally scales an ECS service to 0, waits for the cluster's Unhealthy alert, and restores
   the service's task count, whatever happened.
4. Removes the probe and reports pass/fail and latency per alert.

Works against AWS and the emulator. On AWS, GuardDuty exports a new finding "within about 5
minutes", and "new occurrences of existing findings" only at the detector's finding publishing
frequency (GuardDuty user guide, "Exporting findings"). A second drill finds its sample findings
already there: CreateSampleFindings then updates them, and their alerts come at that frequency
(15 minutes to 6 hours). The drill says up front which case it is in and, unless given a
timeout, waits long enough for it.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

import boto3

from guardduty_ecs.aws import client, findings_rule_arns
from guardduty_ecs.errors import UserError
from guardduty_ecs.probe import Alert, TopicProbe

DEFAULT_FINDING_TYPES = (
    "Execution:Runtime/ReverseShell",
    "CryptoCurrency:Runtime/BitcoinTool.B",
    "Execution:Runtime/NewBinaryExecuted",
)
_FINDING_ID = re.compile(r"fId=([0-9a-zA-Z]+)")

# "within about 5 minutes" for a new finding, plus room for EventBridge and SNS.
NEW_FINDING_WAIT_SECONDS = 6 * 60
# How long a service stays at 0 tasks at most while the drill waits for its Unhealthy alert; the
# findings' wait (up to the publishing frequency) never applies to it.
SCALE_TO_ZERO_WAIT_SECONDS = 15 * 60
PUBLISHING_FREQUENCY_SECONDS = {"FIFTEEN_MINUTES": 900, "ONE_HOUR": 3600, "SIX_HOURS": 21600}


def severity_band(severity: float) -> str:
    """GuardDuty's band of a severity, as the findings rules name them."""
    if severity >= 9:
        return "critical"
    if severity >= 7:
        return "high"
    return "medium" if severity >= 4 else "low"


@dataclass(frozen=True)
class DrillResult:
    """One expected alert: did it arrive, through which rule, and how fast."""

    name: str
    rule: str
    passed: bool
    latency_seconds: float | None
    detail: str = ""
    text: str = ""  # the alert as a subscriber reads it


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
    probe: TopicProbe,
    wanted: Callable[[Alert], str | None],
    keys: set[str],
    deadline: float,
    progress: TextIO,
) -> dict[str, Alert]:
    """Read the probe until an alert has arrived for every key, or the deadline passes."""
    arrived: dict[str, Alert] = {}
    while keys - set(arrived) and time.monotonic() < deadline:
        remaining = max(1, int(deadline - time.monotonic()))
        for alert in probe.receive(wait_seconds=min(5, remaining)):
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


def run_drill(
    session: boto3.Session,
    outputs: dict[str, Any],
    finding_types: list[str],
    timeout: float | None = None,
    *,
    scale_to_zero: str | None = None,
    endpoint_url: str | None = None,
    progress: TextIO | None = None,
) -> list[DrillResult]:
    """Run the experiments; each expected alert gives one result.

    Without ``timeout``, the drill waits as long as GuardDuty may take to publish (see the module
    docstring); with one, it waits that long and warns when that may be too short.
    """
    progress = progress or sys.stderr
    if scale_to_zero:
        _cluster_and_service(scale_to_zero)  # a wrong target fails before anything is created
    scale_timeout = min(timeout or SCALE_TO_ZERO_WAIT_SECONDS, SCALE_TO_ZERO_WAIT_SECONDS)
    guardduty = client(session, "guardduty", endpoint_url)
    rules = findings_rule_arns(outputs)
    results: list[DrillResult] = []
    timeout, notes = plan_wait(guardduty, outputs["detector_id"], finding_types, timeout)
    for note in notes:
        progress.write(f"{note}\n")
    with TopicProbe(session, outputs["sns_topic_arn"], endpoint_url) as probe:
        since_ms = int(datetime.now(UTC).timestamp() * 1000) - 1000
        started = time.monotonic()
        deadline = started + timeout
        progress.write(f"creating sample findings: {', '.join(finding_types)}\n")
        guardduty.create_sample_findings(
            DetectorId=outputs["detector_id"], FindingTypes=finding_types
        )
        findings = _sample_findings(
            guardduty, outputs["detector_id"], finding_types, since_ms, deadline
        )
        expected = {
            finding["Id"]: finding
            for finding in findings
            if severity_band(finding["Severity"]) in rules
        }
        for finding in findings:
            if finding["Id"] not in expected:
                band = severity_band(finding["Severity"])
                results.append(
                    DrillResult(
                        f"{finding['Type']} ({finding['Severity']})",
                        f"findings-{band}",
                        True,
                        None,
                        "below min_severity: no alert, as configured",
                    )
                )
        missing_types = set(finding_types) - {finding["Type"] for finding in findings}
        results += [
            DrillResult(kind, "-", False, None, "GuardDuty did not create this sample finding")
            for kind in sorted(missing_types)
        ]

        def finding_of(alert: Alert) -> str | None:
            match = _FINDING_ID.search(alert.text)
            return match.group(1) if match else None

        arrived = _wait(probe, finding_of, set(expected), deadline, progress)
        for finding_id, finding in expected.items():
            alert = arrived.get(finding_id)
            results.append(
                DrillResult(
                    f"{finding['Type']} ({finding['Severity']})",
                    f"findings-{severity_band(finding['Severity'])}",
                    alert is not None,
                    alert.received_at - started if alert else None,
                    "" if alert else f"no alert within {timeout:.0f}s",
                    alert.text if alert else "",
                )
            )
        if scale_to_zero:
            results.append(
                _scale_to_zero_drill(
                    session,
                    endpoint_url,
                    probe,
                    target=scale_to_zero,
                    timeout=scale_timeout,
                    progress=progress,
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
    probe: TopicProbe,
    *,
    target: str,
    timeout: float,
    progress: TextIO,
) -> DrillResult:
    """Scale CLUSTER/SERVICE to 0, wait for the cluster's Unhealthy alert, restore the count."""
    cluster, service = _cluster_and_service(target)
    ecs = client(session, "ecs", endpoint_url)
    (current,) = ecs.describe_services(cluster=cluster, services=[service])["services"]
    desired = current["desiredCount"]
    started = time.monotonic()
    progress.write(f"scaling {target} from {desired} to 0 tasks\n")
    ecs.update_service(cluster=cluster, service=service, desiredCount=0)
    try:

        def unhealthy_of(alert: Alert) -> str | None:
            text = alert.text
            if "coverage is UNHEALTHY" in text and f"ECS cluster: {cluster}" in text:
                return cluster
            return None

        arrived = _wait(probe, unhealthy_of, {cluster}, started + timeout, progress)
    finally:
        progress.write(f"restoring {target} to {desired} tasks\n")
        ecs.update_service(cluster=cluster, service=service, desiredCount=desired)
    alert = arrived.get(cluster)
    return DrillResult(
        f"Unhealthy after scaling {target} to 0",
        "coverage",
        alert is not None,
        alert.received_at - started if alert else None,
        "" if alert else f"no Unhealthy alert within {timeout:.0f}s",
        alert.text if alert else "",
    )


def report(results: list[DrillResult], out: TextIO) -> None:
    for result in results:
        latency = f"{result.latency_seconds:.2f}s" if result.latency_seconds is not None else "-"
        verdict = "PASS" if result.passed else "FAIL"
        line = f"{verdict}  {result.rule:<18} {latency:>8}  {result.name}"
        out.write(line + (f"  ({result.detail})" if result.detail else "") + "\n")
    failed = sum(not result.passed for result in results)
    out.write(f"{len(results) - failed} passed, {failed} failed\n")
