"""The README's main job: apply the complete example against the emulator, show the alerts that
people would receive, and take it all down."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, TextIO

from guardduty_ecs.aws import client, read_detector, remaining_resources, session_from_environment
from guardduty_ecs.events import (
    FINDING_DETAIL_TYPE,
    UNHEALTHY_DETAIL_TYPE,
    ecs_coverage_change,
    put_guardduty_event,
    runtime_finding,
)
from guardduty_ecs.harness import emulated_workbench, timed
from guardduty_ecs.probe import ProbeTimeout, TopicProbe

DEMO_EXAMPLE = "examples/complete"


class DemoFailure(RuntimeError):
    """The demo found the deployment not as it should be."""


def run_demo(out: TextIO, work_dir: Path | None = None) -> None:
    """Apply, inspect, re-plan and destroy ``examples/complete`` against a fresh emulator."""
    with emulated_workbench(work_dir) as (workbench, emulator):
        mirror = workbench.settings.mirror
        out.write(f"emulator: {emulator.endpoint_url} (moto server with project extensions)\n")
        out.write(f"provider: {f'filesystem mirror {mirror}' if mirror else 'public registry'}\n")
        stack, seconds = timed(lambda: workbench.stack(DEMO_EXAMPLE))
        out.write(f"\n== terraform init {DEMO_EXAMPLE} ({seconds:.1f}s)\n")
        _, seconds = timed(stack.apply)
        out.write(f"== terraform apply ({seconds:.1f}s) created:\n")
        for address in stack.managed_resources():
            out.write(f"   {address}\n")

        outputs = stack.outputs()
        out.write("\n== outputs\n")
        for name, value in outputs.items():
            out.write(f"   {name} = {json.dumps(value)}\n")

        session = session_from_environment(workbench.environment)
        detector = read_detector(
            client(session, "guardduty", emulator.endpoint_url), outputs["detector_id"]
        )
        out.write(f"\n== GuardDuty reports for detector {detector.detector_id}\n")
        out.write(
            f"   status {detector.status}, publishing {detector.finding_publishing_frequency}\n"
        )
        for name, status in sorted(detector.features.items()):
            extra = detector.additional_configuration.get(name) or {}
            details = ", ".join(f"{key} {value}" for key, value in sorted(extra.items()))
            out.write(f"   {name:<24} {status}{f'  ({details})' if details else ''}\n")

        _show_alerts(out, session, emulator.endpoint_url, outputs["sns_topic_arn"])

        changes = stack.pending_changes()
        out.write(f"\n== second plan: {'empty' if not changes else 'NOT EMPTY'}\n")
        for change in changes:
            out.write(f"   {change}\n")

        _, seconds = timed(stack.destroy)
        leftovers = remaining_resources(session, emulator.endpoint_url)
        out.write(f"== terraform destroy ({seconds:.1f}s): ")
        out.write("nothing left behind\n" if not leftovers else f"LEFT BEHIND {leftovers}\n")
        if changes or leftovers:
            raise DemoFailure("the complete example did not converge or left resources behind")


# One alert of each kind, as GuardDuty would send them for the blog's scenario: a reverse shell
# in a Fargate task, and the cluster's coverage turning unhealthy when its service is scaled to 0.
def _demo_events() -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            FINDING_DETAIL_TYPE,
            runtime_finding(
                "Execution:Runtime/ReverseShell",
                8,
                "Reverse shell executed in a container of ECS task payments.",
            ),
        ),
        (
            UNHEALTHY_DETAIL_TYPE,
            ecs_coverage_change(
                "UNHEALTHY", "HEALTHY", issue="No task of the cluster reports to GuardDuty"
            ),
        ),
    ]


def _show_alerts(out: TextIO, session: Any, endpoint_url: str, topic_arn: str) -> None:
    """Put each demo event on the bus and print what arrives on the topic, with its latency."""
    events = client(session, "events", endpoint_url)
    out.write(f"\n== alerts on {topic_arn}, as an e-mail subscriber reads them\n")
    with TopicProbe(session, topic_arn, endpoint_url) as probe:
        for detail_type, detail in _demo_events():
            started = time.monotonic()
            put_guardduty_event(events, detail_type, detail)
            try:
                alerts = probe.wait_for(1, timeout=10)
            except ProbeTimeout as error:
                raise DemoFailure(f"no alert for the {detail_type} event: {error}") from error
            latency_ms = (alerts[0].received_at - started) * 1000
            out.write(f"-- {detail_type}: delivered in {latency_ms:.0f} ms (put-event to probe)\n")
            for alert in alerts:
                for line in alert.text.splitlines():
                    out.write(f"   {line}\n")
