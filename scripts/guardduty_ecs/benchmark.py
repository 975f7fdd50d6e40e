"""Benchmark: put-event to probe-queue latency of the alerts, against the emulator.

Applies ``examples/complete``, subscribes a probe to its topic, puts runtime findings one at a
time and measures how long each takes to arrive; then destroys everything. The figures describe
the emulator on the machine that runs it, not AWS (where GuardDuty, EventBridge and SNS add their
own delays).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from guardduty_ecs import coverage
from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs.deployment import deployed
from guardduty_ecs.emulator import EmulatorProcess
from guardduty_ecs.errors import UserError
from guardduty_ecs.events import FINDING_DETAIL_TYPE, RUNTIME_FINDING_TYPES, runtime_finding
from guardduty_ecs.harness import emulated_workbench
from guardduty_ecs.workloads import (
    enable_fargate_runtime_monitoring,
    register_fargate_task_definition,
)

BENCHMARK_EXAMPLE = "examples/complete"


@dataclass(frozen=True)
class LatencySummary:
    """Put-event to probe latencies, in milliseconds."""

    count: int
    minimum: float
    median: float
    p95: float
    maximum: float

    @classmethod
    def of(cls, samples: list[float]) -> LatencySummary:
        ordered = sorted(samples)
        p95_index = max(0, round(0.95 * len(ordered)) - 1)
        return cls(
            len(ordered), ordered[0], statistics.median(ordered), ordered[p95_index], ordered[-1]
        )


def measure_alert_latency(events: int, repo: Path, work_dir: Path | None = None) -> LatencySummary:
    """Put ``events`` findings one by one into the stack of the checkout ``repo``; return how
    long each took to reach the probe."""
    if events < 1:
        raise UserError("the benchmark needs at least one event")
    samples: list[float] = []
    with (
        emulated_workbench(repo, work_dir) as (workbench, _),
        deployed(workbench, BENCHMARK_EXAMPLE, {}) as deployment,
        deployment.probe() as probe,
    ):
        for index in range(events):
            finding_type = RUNTIME_FINDING_TYPES[index % len(RUNTIME_FINDING_TYPES)]
            started = time.monotonic()
            deployment.put(FINDING_DETAIL_TYPE, runtime_finding(finding_type, 8, "benchmark"))
            (alert,) = probe.wait_for(1, timeout=10)
            samples.append((alert.received_at - started) * 1000)
    return LatencySummary.of(samples)


@dataclass(frozen=True)
class CoverageFigures:
    """What reading the coverage of many clusters took."""

    clusters: int
    rows: int
    api_calls: int
    seconds: float


def measure_coverage(clusters: int, work_dir: Path | None = None) -> CoverageFigures:
    """Time ``guardduty-ecs coverage`` over ``clusters`` monitored Fargate clusters."""
    if clusters < 1:
        raise UserError("the benchmark needs at least one cluster")
    with EmulatorProcess(log_dir=work_dir) as emulator:
        session = session_from_environment(emulator.environment())
        guardduty = client(session, "guardduty", emulator.endpoint_url)
        ecs = client(session, "ecs", emulator.endpoint_url)
        enable_fargate_runtime_monitoring(guardduty)
        register_fargate_task_definition(ecs)
        for index in range(clusters):
            name = f"cluster-{index:04d}"
            ecs.create_cluster(clusterName=name)
            ecs.create_service(
                cluster=name,
                serviceName="app",
                taskDefinition="app",
                desiredCount=1,
                launchType="FARGATE",
            )
        started = time.monotonic()
        (result,) = coverage.coverage(
            session, [emulator.environment()["AWS_REGION"]], emulator.endpoint_url
        )
        seconds = time.monotonic() - started
    if result.error:
        raise RuntimeError(result.error)
    return CoverageFigures(clusters, len(result.resources), result.api_calls, seconds)


def report(summary: LatencySummary, out: TextIO) -> None:
    out.write(
        f"put-event to probe latency over {summary.count} alerts: "
        f"min {summary.minimum:.1f} ms, median {summary.median:.1f} ms, "
        f"p95 {summary.p95:.1f} ms, max {summary.maximum:.1f} ms\n"
    )
