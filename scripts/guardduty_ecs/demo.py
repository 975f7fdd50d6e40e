"""The README's main job: apply the complete example against the emulator and take it down."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from guardduty_ecs.aws import client, read_detector, remaining_resources, session_from_environment
from guardduty_ecs.harness import emulated_workbench, timed

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
