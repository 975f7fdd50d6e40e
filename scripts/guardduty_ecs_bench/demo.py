"""The README's main job: the blog scenario against the emulator, end to end.

Apply ``examples/ecs-fargate``, show the cluster's coverage as healthy, scale the service to 0 and
show the Unhealthy alert as the e-mail reads, create sample findings and show the finding alerts,
run ``verify``, check that a second plan is empty, and destroy everything (GuardDuty's endpoint in
the VPC included).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from guardduty_ecs import coverage, drill, verify
from guardduty_ecs.aws import session_from_environment
from guardduty_ecs.discovery import hints_from_outputs
from guardduty_ecs.errors import CheckFailed
from guardduty_ecs_bench.deployment import Deployment
from guardduty_ecs_bench.harness import Stack, Workbench, emulated_workbench, timed
from guardduty_ecs_bench.leftovers import remaining_resources

DEMO_EXAMPLE = "examples/ecs-fargate"


class DemoFailure(CheckFailed):
    """The demo found the deployment not as it should be."""


def _section(out: TextIO, title: str) -> None:
    out.write(f"\n== {title}\n")


def _indented(out: TextIO, text: str) -> None:
    for line in text.splitlines():
        out.write(f"   {line}\n")


def _applied(out: TextIO, workbench: Workbench, progress: TextIO | None) -> Stack:
    """The example initialised and applied, with what it created in the report."""
    stack, seconds = timed(lambda: workbench.stack(DEMO_EXAMPLE), progress, "terraform init")
    _section(out, f"terraform init {DEMO_EXAMPLE} ({seconds:.1f}s)")
    _, seconds = timed(stack.apply, progress, "terraform apply")
    created = Counter(
        address.split("[")[0].rsplit(".", 1)[0].rsplit(".", 1)[-1]
        for address in stack.managed_resources()
    )
    _section(out, f"terraform apply ({seconds:.1f}s): {sum(created.values())} resources")
    out.write("   " + ", ".join(f"{kind} x{count}" for kind, count in sorted(created.items())))
    out.write("\n")
    return stack


def run_demo(
    out: TextIO,
    repo: Path,
    work_dir: Path | None = None,
    progress: TextIO | None = None,
    after_apply: Callable[[Deployment], None] | None = None,
) -> None:
    """The blog scenario of the checkout ``repo`` against a fresh emulator; DemoFailure if any
    step is not as it should. ``progress`` (standard error, for a person) shows long steps as
    they run; ``out`` gets the report. ``after_apply`` sees the deployment before the scenario
    changes it: the example's own checks run there, so that the suite applies it once."""
    problems: list[str] = []
    with emulated_workbench(repo, work_dir) as (workbench, emulator):
        mirror = workbench.settings.mirror
        out.write(f"emulator: {emulator.endpoint_url} (moto server with project extensions)\n")
        out.write(f"provider: {f'filesystem mirror {mirror}' if mirror else 'public registry'}\n")
        stack = _applied(out, workbench, progress)
        outputs = stack.outputs()
        session = session_from_environment(workbench.environment)
        endpoint = emulator.endpoint_url
        region = session.region_name or "us-east-1"
        if after_apply:
            after_apply(Deployment(stack, outputs, session, endpoint))

        _section(out, "guardduty-ecs coverage")
        results = coverage.coverage(session, [region], endpoint)
        coverage.report(results, out)
        if not coverage.is_healthy(results):
            problems.append("the cluster's coverage is not healthy after apply")

        target = f"{outputs['cluster_name']}/{outputs['service_name']}"
        _section(out, f"guardduty-ecs drill --scale-to-zero {target}")
        hints = hints_from_outputs(outputs)
        drilled = drill.run_drill(
            session,
            list(drill.DEFAULT_FINDING_TYPES),
            timeout=30,
            hints=hints,
            scale_to_zero=target,
            endpoint_url=endpoint,
            progress=progress or io.StringIO(),
        )
        for result in drilled:
            latency = f"{result.latency_seconds * 1000:.0f} ms" if result.latency_seconds else "-"
            out.write(f"-- {result.rule}: {result.name} ({latency})\n")
            _indented(out, result.text or f"{result.status} {result.detail}")
        if not drill.report(drilled, out):
            problems.append("an expected alert did not arrive")

        _section(out, "guardduty-ecs coverage (service restored)")
        results = coverage.coverage(session, [region], endpoint)
        coverage.report(results, out)

        _section(out, "guardduty-ecs verify")
        checks = verify.verify(session, endpoint, hints=hints)
        if not verify.report(checks, out):
            problems.append("verify found problems")

        changes = stack.pending_changes()
        _section(out, f"second plan: {'empty' if not changes else 'NOT EMPTY'}")
        for change in changes:
            out.write(f"   {change}\n")
        problems += ["a second plan is not empty"] if changes else []

        _, seconds = timed(stack.destroy, progress, "terraform destroy")
        leftovers = remaining_resources(session, endpoint)
        _section(out, f"terraform destroy ({seconds:.1f}s): ")
        out.write("   nothing left behind\n" if not leftovers else f"   LEFT BEHIND {leftovers}\n")
        problems += ["destroy left resources behind"] if leftovers else []
    if problems:
        raise DemoFailure("; ".join(problems))
