"""Benchmark: put-event to probe-queue latency of the alerts, against the emulator.

Applies ``examples/complete``, subscribes a probe to its topic, puts runtime findings one at a
time and measures how long each takes to arrive; then destroys everything. The figures describe
the emulator on the machine that runs it, not AWS (where GuardDuty, EventBridge and SNS add their
own delays).

The coverage benchmarks time ``guardduty-ecs coverage``: over N clusters of one account
(``measure_coverage``), or from a delegated administrator over members x regions x clusters
(``measure_organization_coverage``), each with the time the emulator took to build them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from guardduty_ecs import coverage
from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs.deployment import deployed
from guardduty_ecs.emulator import EmulatorProcess
from guardduty_ecs.errors import UserError
from guardduty_ecs.events import FINDING_DETAIL_TYPE, RUNTIME_FINDING_TYPES, runtime_finding
from guardduty_ecs.harness import emulated_workbench
from guardduty_ecs.workloads import (
    RUNTIME_MONITORING_WITH_FARGATE_AGENT,
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


# Clients that build at once: the emulator (a threaded server) works while a client signs and
# parses, so the build measures the emulator rather than one client's round trips.
BUILD_THREADS = 4


def _in_parallel(work: Callable[[Any], None], items: Iterable[Any]) -> None:
    with ThreadPoolExecutor(max_workers=BUILD_THREADS) as pool:
        for done in [pool.submit(work, item) for item in items]:
            done.result()  # raise the first failure


@dataclass(frozen=True)
class CoverageFigures:
    """What reading the coverage of many clusters took."""

    clusters: int
    rows: int
    api_calls: int
    seconds: float
    build_seconds: float = 0.0  # creating the clusters and services in the emulator


def measure_coverage(clusters: int, work_dir: Path | None = None) -> CoverageFigures:
    """Time ``guardduty-ecs coverage`` over ``clusters`` monitored Fargate clusters."""
    if clusters < 1:
        raise UserError("the benchmark needs at least one cluster")
    with EmulatorProcess(log_dir=work_dir) as emulator:
        session = session_from_environment(emulator.environment())
        guardduty = client(session, "guardduty", emulator.endpoint_url)
        ecs = client(session, "ecs", emulator.endpoint_url)
        building = time.monotonic()
        enable_fargate_runtime_monitoring(guardduty)
        register_fargate_task_definition(ecs)

        def build(part: int) -> None:
            ecs = client(session, "ecs", emulator.endpoint_url)
            for index in range(part, clusters, BUILD_THREADS):
                name = f"cluster-{index:04d}"
                ecs.create_cluster(clusterName=name)
                ecs.create_service(
                    cluster=name,
                    serviceName="app",
                    taskDefinition="app",
                    desiredCount=1,
                    launchType="FARGATE",
                )

        _in_parallel(build, range(BUILD_THREADS))
        started = time.monotonic()
        (result,) = coverage.coverage(
            session, [emulator.environment()["AWS_REGION"]], emulator.endpoint_url
        )
        seconds = time.monotonic() - started
    if result.error:
        raise RuntimeError(result.error)
    return CoverageFigures(
        clusters, len(result.resources), result.api_calls, seconds, started - building
    )


# Regions of the organization benchmark, in the order they are taken.
BENCHMARK_REGIONS = (
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ca-central-1",
    "sa-east-1",
)
MEMBERS_PER_CALL = 50  # CreateMembers and UpdateMemberDetectors take at most 50 accounts


@dataclass(frozen=True)
class OrganizationCoverageFigures:
    """What reading an organization's coverage from its delegated administrator took."""

    accounts: int  # member accounts
    regions: int
    clusters: int  # per member and region
    rows: int
    accounts_seen: int  # distinct account IDs in the rows
    api_calls: int
    seconds: float
    build_seconds: float


class _ActAs:
    """A botocore hook that sends ``x-moto-account-id``: the emulator then acts as ``account``."""

    def __init__(self, account: str = "") -> None:
        self.account = account

    def __call__(self, request: Any, **_: Any) -> None:
        if self.account:
            request.headers["x-moto-account-id"] = self.account


def _acting(made: Any, act_as: _ActAs) -> Any:
    made.meta.events.register("before-sign.*.*", act_as)
    return made


def measure_organization_coverage(
    accounts: int, regions: int, clusters: int, work_dir: Path | None = None
) -> OrganizationCoverageFigures:
    """Time ``guardduty-ecs coverage`` from a delegated GuardDuty administrator whose
    ``accounts`` members each have ``clusters`` Fargate clusters with a running task in each of
    ``regions`` regions (Runtime Monitoring and its Fargate agent on, set by the administrator
    with UpdateMemberDetectors)."""
    if accounts < 1 or clusters < 1:
        raise UserError("the benchmark needs at least one member account and one cluster")
    if not 1 <= regions <= len(BENCHMARK_REGIONS):
        raise UserError(f"the benchmark takes 1 to {len(BENCHMARK_REGIONS)} regions")
    names = BENCHMARK_REGIONS[:regions]
    with EmulatorProcess(log_dir=work_dir) as emulator:
        endpoint = emulator.endpoint_url
        session = session_from_environment(emulator.environment())
        building = time.monotonic()
        organizations = client(session, "organizations", endpoint)
        organizations.create_organization(FeatureSet="ALL")

        def new_account(name: str) -> str:
            status = organizations.create_account(AccountName=name, Email=f"{name}@example.com")
            return str(status["CreateAccountStatus"]["AccountId"])

        admin = new_account("security")
        members = [new_account(f"workload-{index:03d}") for index in range(accounts)]
        as_admin = _ActAs(admin)
        for region in names:
            client(session, "guardduty", endpoint, region).enable_organization_admin_account(
                AdminAccountId=admin
            )
            guardduty = _acting(client(session, "guardduty", endpoint, region), as_admin)
            detector = enable_fargate_runtime_monitoring(guardduty)
            for start in range(0, len(members), MEMBERS_PER_CALL):
                batch = members[start : start + MEMBERS_PER_CALL]
                guardduty.create_members(
                    DetectorId=detector,
                    AccountDetails=[
                        {"AccountId": member, "Email": f"{member}@example.com"} for member in batch
                    ],
                )
                guardduty.update_member_detectors(
                    DetectorId=detector,
                    AccountIds=batch,
                    Features=RUNTIME_MONITORING_WITH_FARGATE_AGENT,
                )

        def build(part: int) -> None:
            as_member = _ActAs()
            for region in names:
                ecs = _acting(client(session, "ecs", endpoint, region), as_member)
                for member in members[part::BUILD_THREADS]:
                    as_member.account = member
                    # No awsvpc network (moto then wants subnets): coverage does not look at
                    # it. moto's RunTask adds up the containers' memory.
                    ecs.register_task_definition(
                        family="app",
                        containerDefinitions=[{"name": "app", "image": "nginx", "memory": 512}],
                    )
                    for index in range(clusters):
                        name = f"cluster-{index:04d}"
                        ecs.create_cluster(clusterName=name)
                        ecs.run_task(cluster=name, taskDefinition="app", launchType="FARGATE")

        _in_parallel(build, range(BUILD_THREADS))
        admin_session = session_from_environment(emulator.environment())
        admin_session.events.register("before-sign.*.*", as_admin)
        started = time.monotonic()
        results = coverage.coverage(admin_session, list(names), endpoint)
        seconds = time.monotonic() - started
    errors = [f"{result.region}: {result.error}" for result in results if result.error]
    if errors:
        raise RuntimeError("; ".join(errors))
    rows = [row for result in results for row in result.resources]
    return OrganizationCoverageFigures(
        accounts,
        regions,
        clusters,
        len(rows),
        len({row.account for row in rows}),
        sum(result.api_calls for result in results),
        seconds,
        started - building,
    )


def report(summary: LatencySummary, out: TextIO) -> None:
    out.write(
        f"put-event to probe latency over {summary.count} alerts: "
        f"min {summary.minimum:.1f} ms, median {summary.median:.1f} ms, "
        f"p95 {summary.p95:.1f} ms, max {summary.maximum:.1f} ms\n"
    )
