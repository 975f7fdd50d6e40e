"""Benchmark: put-event to probe-queue latency of the alerts, against the emulator.

Applies ``modules/alerts``, subscribes a probe to its topic, puts runtime findings one at a
time and measures how long each takes to arrive; then destroys everything. The figures describe
the emulator on the machine that runs it, not AWS (where GuardDuty, EventBridge and SNS add their
own delays).

The coverage benchmarks time ``guardduty-ecs coverage``: over N clusters of one account
(``measure_coverage``), or from a delegated administrator over members x regions x clusters
(``measure_organization_coverage``), each with the time the emulator took to build them;
``measure_organization`` times ``coverage`` and ``cost`` on one such organization (the issue's
scale target: 100 members x 4 Regions x 10 clusters, each command within 10 s).

``measure_table`` and ``render_table`` (``guardduty-ecs-bench benchmark --table``, ``make bench``)
put every figure into one Markdown report: the test suite per layer, plans, apply and destroy of
each example, validation cases per second, coverage paging and alert latency per rule.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from guardduty_ecs import cost, coverage
from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs.errors import UserError
from guardduty_ecs.events import (
    FINDING_DETAIL_TYPE,
    UNHEALTHY_DETAIL_TYPE,
    EcsTask,
    ecs_coverage_change,
    runtime_finding,
)
from guardduty_ecs.prices import default_table
from guardduty_ecs.probe import TopicProbe
from guardduty_ecs_bench.deployment import Deployment, deployed
from guardduty_ecs_bench.harness import Stack, Workbench, emulated_workbench
from guardduty_ecs_bench.provider_server import SHARE_VARIABLE
from guardduty_ecs_bench.workloads import (
    RUNTIME_MONITORING_WITH_FARGATE_AGENT,
    enable_fargate_runtime_monitoring,
    register_fargate_task_definition,
)
from guardduty_ecs_emulator import ActAs, EmulatorProcess, act_as
from guardduty_ecs_emulator.services.guardduty.finding_types import RUNTIME_FINDING_TYPES
from guardduty_ecs_emulator.services.guardduty.organization.model import member_association_delay

# The alert path alone (rules, topic, key, dead-letter queue): what the latency goes through.
BENCHMARK_EXAMPLE = "modules/alerts"


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
    with (
        emulated_workbench(repo, work_dir) as (workbench, _),
        deployed(workbench, BENCHMARK_EXAMPLE, {}) as deployment,
    ):
        return alert_latency(deployment, events)


def _delivery_ms(
    deployment: Deployment, probe: TopicProbe, detail_type: str, detail: dict[str, Any]
) -> float:
    """Milliseconds from putting one event to its alert reaching ``probe``."""
    started = time.monotonic()
    deployment.put(detail_type, detail)
    (alert,) = probe.wait_for(1, timeout=10)
    return (alert.received_at - started) * 1000


def alert_latency(deployment: Deployment, events: int) -> LatencySummary:
    """Put ``events`` High runtime findings one by one into an applied alerts stack (the
    emulator only); return how long each took to reach a probe of its topic."""
    with deployment.probe() as probe:
        samples = [
            _delivery_ms(
                deployment,
                probe,
                FINDING_DETAIL_TYPE,
                runtime_finding(
                    RUNTIME_FINDING_TYPES[index % len(RUNTIME_FINDING_TYPES)], 8, "benchmark"
                ),
            )
            for index in range(events)
        ]
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


@contextmanager
def _empty_emulator(
    work_dir: Path | None, emulator: EmulatorProcess | None
) -> Iterator[EmulatorProcess]:
    """``emulator`` emptied before and after the measurement, or one started for it alone."""
    if emulator is None:
        with EmulatorProcess(log_dir=work_dir) as started:
            yield started
        return
    emulator.reset()
    try:
        yield emulator
    finally:
        emulator.reset()


def measure_coverage(
    clusters: int, work_dir: Path | None = None, emulator: EmulatorProcess | None = None
) -> CoverageFigures:
    """Time ``guardduty-ecs coverage`` over ``clusters`` monitored Fargate clusters (in
    ``emulator``, emptied, if given; otherwise in one started with its log in ``work_dir``)."""
    if clusters < 1:
        raise UserError("the benchmark needs at least one cluster")
    with _empty_emulator(work_dir, emulator) as running:
        session = session_from_environment(running.environment())
        guardduty = client(session, "guardduty", running.endpoint_url)
        ecs = client(session, "ecs", running.endpoint_url)
        building = time.monotonic()
        enable_fargate_runtime_monitoring(guardduty)
        register_fargate_task_definition(ecs)

        def build(part: int) -> None:
            ecs = client(session, "ecs", running.endpoint_url)
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
            session, [running.environment()["AWS_REGION"]], running.endpoint_url
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


@dataclass(frozen=True)
class BuiltOrganization:
    """An organization built in the emulator: its administrator, members and Regions."""

    emulator: EmulatorProcess
    admin: str
    members: list[str]
    regions: tuple[str, ...]
    build_seconds: float

    def admin_session(self) -> Any:
        """A session that the emulator answers as the administrator."""
        session = session_from_environment(self.emulator.environment())
        session.events.register("before-sign.*.*", ActAs(self.admin))
        return session


@contextmanager
def _organization(
    accounts: int,
    regions: int,
    clusters: int,
    work_dir: Path | None,
    emulator: EmulatorProcess | None,
    *,
    usage_hours: float = 0.0,
) -> Iterator[BuiltOrganization]:
    """A delegated GuardDuty administrator whose ``accounts`` members each have ``clusters``
    Fargate clusters with a running task in each of ``regions`` regions (Runtime Monitoring and
    its Fargate agent on, set by the administrator with UpdateMemberDetectors; in ``emulator``,
    emptied, if given, otherwise in one started with its log in ``work_dir``); the emulator's
    clock then moves ``usage_hours`` on, so that the tasks have run that long."""
    if accounts < 1 or clusters < 1:
        raise UserError("the benchmark needs at least one member account and one cluster")
    if not 1 <= regions <= len(BENCHMARK_REGIONS):
        raise UserError(f"the benchmark takes 1 to {len(BENCHMARK_REGIONS)} regions")
    names = BENCHMARK_REGIONS[:regions]
    with _empty_emulator(work_dir, emulator) as running:
        endpoint = running.endpoint_url
        session = session_from_environment(running.environment())
        building = time.monotonic()
        organizations = client(session, "organizations", endpoint)
        organizations.create_organization(FeatureSet="ALL")

        def new_account(name: str) -> str:
            status = organizations.create_account(AccountName=name, Email=f"{name}@example.com")
            return str(status["CreateAccountStatus"]["AccountId"])

        admin = new_account("security")
        members = [new_account(f"workload-{index:03d}") for index in range(accounts)]
        as_admin = ActAs(admin)
        for region in names:
            client(session, "guardduty", endpoint, region).enable_organization_admin_account(
                AdminAccountId=admin
            )
            guardduty = act_as(client(session, "guardduty", endpoint, region), as_admin)
            detector = enable_fargate_runtime_monitoring(guardduty)
            batches = [
                members[start : start + MEMBERS_PER_CALL]
                for start in range(0, len(members), MEMBERS_PER_CALL)
            ]
            for batch in batches:
                guardduty.create_members(
                    DetectorId=detector,
                    AccountDetails=[
                        {"AccountId": member, "Email": f"{member}@example.com"} for member in batch
                    ],
                )
            # New members take their features only once associated: the emulator's clock moves
            # past that window (emulator's organization/model.py) instead of the benchmark sleeping.
            running.advance_clock(member_association_delay(os.environ).total_seconds())
            for batch in batches:
                guardduty.update_member_detectors(
                    DetectorId=detector,
                    AccountIds=batch,
                    Features=RUNTIME_MONITORING_WITH_FARGATE_AGENT,
                )

        def build(part: int) -> None:
            as_member = ActAs()
            for region in names:
                ecs = act_as(client(session, "ecs", endpoint, region), as_member)
                for member in members[part::BUILD_THREADS]:
                    as_member.account = member
                    # No awsvpc network (moto then wants subnets): coverage does not look at
                    # it. moto's RunTask adds up the containers' memory.
                    ecs.register_task_definition(
                        family="app",
                        cpu="256",
                        containerDefinitions=[{"name": "app", "image": "nginx", "memory": 512}],
                    )
                    for index in range(clusters):
                        name = f"cluster-{index:04d}"
                        ecs.create_cluster(clusterName=name)
                        ecs.run_task(cluster=name, taskDefinition="app", launchType="FARGATE")

        _in_parallel(build, range(BUILD_THREADS))
        if usage_hours:
            running.advance_clock(usage_hours * 3600)
        yield BuiltOrganization(running, admin, members, names, time.monotonic() - building)


def measure_organization_coverage(
    accounts: int,
    regions: int,
    clusters: int,
    work_dir: Path | None = None,
    emulator: EmulatorProcess | None = None,
) -> OrganizationCoverageFigures:
    """Time ``guardduty-ecs coverage`` from a delegated GuardDuty administrator whose
    ``accounts`` members each have ``clusters`` Fargate clusters with a running task in each of
    ``regions`` regions (see ``_organization``)."""
    with _organization(accounts, regions, clusters, work_dir, emulator) as built:
        started = time.monotonic()
        results = coverage.coverage(
            built.admin_session(), list(built.regions), built.emulator.endpoint_url
        )
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
        built.build_seconds,
    )


# The organization of the issue's scale target: `coverage` and `cost` within 10 s each.
ORGANIZATION_SCALE = (100, 4, 10)  # member accounts, Regions, clusters per member and Region
ORGANIZATION_USAGE_HOURS = 24.0  # how long the tasks have run when `cost` reads their usage


@dataclass(frozen=True)
class OrganizationFigures:
    """``coverage`` and ``cost`` from a delegated administrator over one organization."""

    accounts: int  # member accounts
    regions: int
    clusters: int  # per member and Region
    build_seconds: float
    coverage_rows: int
    coverage_calls: int
    coverage_seconds: float
    cost_accounts: int  # accounts with spend read, in every Region
    cost_calls: int
    cost_seconds: float
    cost_usd: float  # the organization's Runtime Monitoring spend read, all Regions


def measure_organization(
    accounts: int,
    regions: int,
    clusters: int,
    work_dir: Path | None = None,
    emulator: EmulatorProcess | None = None,
) -> OrganizationFigures:
    """Time ``guardduty-ecs coverage`` and ``guardduty-ecs cost`` (spend of every member, the
    administrator's projection and alert resources) from a delegated administrator over
    ``accounts`` members x ``regions`` x ``clusters`` (see ``_organization``), after the tasks
    ran ORGANIZATION_USAGE_HOURS on the emulator's clock."""
    with _organization(
        accounts, regions, clusters, work_dir, emulator, usage_hours=ORGANIZATION_USAGE_HOURS
    ) as built:
        session, endpoint = built.admin_session(), built.emulator.endpoint_url
        started = time.monotonic()
        covered = coverage.coverage(session, list(built.regions), endpoint)
        coverage_seconds = time.monotonic() - started
        started = time.monotonic()
        costs = cost.cost(session, list(built.regions), default_table(), endpoint_url=endpoint)
        cost_seconds = time.monotonic() - started
    errors = [f"{r.region}: {r.error}" for r in [*covered, *costs] if r.error]
    errors += [f"{r.region}: {warning}" for r in costs for warning in r.warnings]
    if errors:
        raise RuntimeError("; ".join(errors))
    spends = [row for r in costs if r.spend for row in r.spend.accounts]
    return OrganizationFigures(
        accounts,
        regions,
        clusters,
        built.build_seconds,
        sum(len(r.resources) for r in covered),
        sum(r.api_calls for r in covered),
        coverage_seconds,
        len({row.account for row in spends}),
        # + the command's one GetCallerIdentity
        sum(r.api_calls for r in costs) + 1,
        cost_seconds,
        sum(row.total for row in spends),
    )


def report(summary: LatencySummary, out: TextIO) -> None:
    out.write(
        f"put-event to probe latency over {summary.count} alerts: "
        f"min {summary.minimum:.1f} ms, median {summary.median:.1f} ms, "
        f"p95 {summary.p95:.1f} ms, max {summary.maximum:.1f} ms\n"
    )


# --- The benchmark table (``guardduty-ecs-bench benchmark --table``, ``make bench``) ------------
#
# Every figure of the issue's list in one run, so that anyone can re-run it and compare: the suite
# per layer, plans as a ratio to an empty plan of the same run (which cancels the machine's
# speed), apply and destroy of each example, validation cases per second, coverage paging and
# alert latency per rule. Speed targets are read from this table; no test asserts a duration.

LAYERS = ("static", "plan", "emulator", "apply")
PLAN_RUNS = 3  # the median of three smooths out one slow run (a cold page cache, a GC pause)
COVERAGE_CLUSTERS = (1000, 10000)
DEFAULT_EVENTS_PER_RULE = 20
# The variables each example needs beyond its defaults, for a plan.
EXAMPLE_PLAN_VARIABLES: dict[str, dict[str, Any]] = {
    "examples/organization": {"administrator_account_id": "111122223333"}
}
EMPTY_CONFIG_DIR = "benchmark-empty-config"
EMPTY_CONFIG = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region = "us-east-1"
}
"""
VALIDATION_TEST = "tests/plan/test_validation.py"
VALIDATION_CASES = "test_bad_input_fails_at_plan"
# What the alert rules of the benchmark stack receive, by rule key (modules/alerts names them
# <name>-findings-<band> and <name>-coverage): a finding inside each band, and an Unhealthy change.
ALERT_RULE_SEVERITIES = {"findings-medium": 5.0, "findings-high": 8.0, "findings-critical": 9.5}
COVERAGE_RULE = "coverage"


@dataclass(frozen=True)
class MachineInfo:
    """Where and with what the table was measured."""

    date: str  # UTC
    cores: int
    memory_gib: float
    python: str
    terraform: str
    provider: str
    commit: str
    load_average: float = 0.0  # 1-minute load when measuring began: others' work skews figures


@dataclass(frozen=True)
class Timing:
    """Wall-clock and CPU seconds of one step; CPU is that of the child processes."""

    wall: float
    cpu: float


@dataclass(frozen=True)
class SuiteRun:
    """One pytest run of the checkout, as a subprocess."""

    label: str  # "static", "plan", "apply" or "all"
    timing: Timing
    counts: dict[str, int]  # passed, failed, skipped, error... from pytest's last line


@dataclass(frozen=True)
class PlanTiming:
    """Median plan of a configuration over PLAN_RUNS runs."""

    name: str
    timing: Timing


@dataclass(frozen=True)
class LifecycleTiming:
    """Apply and destroy of an example against a reset emulator, wall seconds."""

    example: str
    apply_seconds: float
    destroy_seconds: float
    error: str = ""  # why apply or destroy failed: one failing example does not lose the rest


@dataclass(frozen=True)
class ValidationTiming:
    cases: int
    workers: int
    seconds: float


@dataclass(frozen=True)
class BenchmarkTable:
    """Every figure of ``guardduty-ecs-bench benchmark --table``; ``suite`` is empty with
    --skip-suite."""

    machine: MachineInfo
    workers: int
    suite: list[SuiteRun]
    empty_plan: PlanTiming
    plans: list[PlanTiming]
    lifecycles: list[LifecycleTiming]
    validation: ValidationTiming
    coverage: list[CoverageFigures]
    latency: dict[str, LatencySummary]
    organization: list[OrganizationFigures] = field(default_factory=list)


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{number} {outcome}" for outcome, number in counts.items()) or "no tests"


def render_table(table: BenchmarkTable) -> str:
    """The Markdown report of ``table``: a header line on the machine, then one table per part."""
    machine = table.machine
    lines = [
        "# Benchmarks",
        "",
        f"Measured {machine.date} on {machine.cores} cores, {machine.memory_gib:.0f} GiB; "
        f"Python {machine.python}, Terraform {machine.terraform}, hashicorp/aws "
        f"{machine.provider}; commit {machine.commit}; {table.workers} pytest workers; "
        f"load average {machine.load_average:.1f} at the start. "
        "Re-run with `make bench`. Figures are of the local emulator, not AWS.",
        "",
    ]
    if table.suite:
        lines += [
            "## Test suite",
            "",
            "CPU is user + system time of the pytest process and its children: the workers, "
            "Terraform, its provider plugins and the emulators.",
            "",
            "| Layer | Wall (s) | CPU (s) | Result |",
            "|---|---:|---:|---|",
        ]
        lines += [
            f"| {run.label} | {run.timing.wall:.1f} | {run.timing.cpu:.1f} | "
            f"{_counts_text(run.counts)} |"
            for run in table.suite
        ]
        lines.append("")
    else:
        lines += ["The test suite was not run for this table (`--skip-suite`).", ""]
    empty = table.empty_plan.timing
    lines += [
        "## Plans",
        "",
        f"Median of {PLAN_RUNS} `terraform plan` runs in one emulator, after init, as a user's "
        "Terraform runs them (the provider started for each walk, not the harness's shared one). "
        "CPU is that of Terraform and its provider plugin (not the emulator's). Ratio: the "
        "example's wall over the empty configuration's (one provider, no resources) in the same "
        "run.",
        "",
        "| Configuration | Wall (s) | CPU (s) | Ratio to empty |",
        "|---|---:|---:|---:|",
        f"| {table.empty_plan.name} | {empty.wall:.2f} | {empty.cpu:.2f} | 1.0 |",
    ]
    lines += [
        f"| {plan.name} | {plan.timing.wall:.2f} | {plan.timing.cpu:.2f} | "
        f"{plan.timing.wall / empty.wall:.1f} |"
        for plan in table.plans
    ]
    lines += [
        "",
        "## Apply and destroy",
        "",
        "Each example against a reset emulator (examples/organization with an organization and "
        "its administrator account created first), through the harness as the tests and the demo "
        "apply it: an example with one provider configuration reattaches to the harness's running "
        "provider; multi-region and organization start theirs.",
        "",
        "| Example | Apply (s) | Destroy (s) |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {run.example} | failed: {run.error} | |"
        if run.error
        else f"| {run.example} | {run.apply_seconds:.1f} | {run.destroy_seconds:.1f} |"
        for run in table.lifecycles
    ]
    validation = table.validation
    rate = validation.cases / validation.seconds if validation.seconds else 0.0
    lines += [
        "",
        "## Validation cases",
        "",
        f"`pytest {VALIDATION_TEST} -k {VALIDATION_CASES} -n {validation.workers}`, pytest's "
        "start and its emulators included.",
        "",
        "| Cases | Wall (s) | Cases/s |",
        "|---:|---:|---:|",
        f"| {validation.cases} | {validation.seconds:.1f} | {rate:.2f} |",
        "",
        "## Coverage command",
        "",
        "`guardduty-ecs coverage` over N monitored Fargate clusters of one account and region; "
        f"build: the emulator creating the clusters and services ({BUILD_THREADS} clients).",
        "",
        "| Clusters | API calls | Read (s) | Build (s) |",
        "|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {figures.clusters} | {figures.api_calls} | {figures.seconds:.2f} | "
        f"{figures.build_seconds:.1f} |"
        for figures in table.coverage
    ]
    if table.organization:
        lines += [
            "",
            "## Organization: coverage and cost",
            "",
            "`guardduty-ecs coverage` and `guardduty-ecs cost` from a delegated administrator "
            "over N member accounts x R Regions x C Fargate clusters with a running task each "
            f"(the tasks ran {ORGANIZATION_USAGE_HOURS:g} hours on the emulator's clock before "
            "`cost` reads their usage); build: the emulator creating the organization, members "
            f"and clusters ({BUILD_THREADS} clients). The target is 10 s for each command.",
            "",
            "| Members x Regions x clusters | Coverage rows | Coverage calls | Coverage (s) "
            "| Cost accounts | Cost calls | Cost (s) | Spend read (USD) | Build (s) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {f.accounts} x {f.regions} x {f.clusters} | {f.coverage_rows} | "
            f"{f.coverage_calls} | {f.coverage_seconds:.2f} | {f.cost_accounts} | "
            f"{f.cost_calls} | {f.cost_seconds:.2f} | {f.cost_usd:.2f} | {f.build_seconds:.1f} |"
            for f in table.organization
        ]
    lines += [
        "",
        "## Alert latency per rule",
        "",
        "PutEvents to the message in a queue subscribed to the topic of modules/alerts, one "
        "event at a time (the probe polls SQS, which adds up to its poll's round trip).",
        "",
        "| Rule | Events | Median (ms) | p95 (ms) | Max (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {rule} | {summary.count} | {summary.median:.0f} | {summary.p95:.0f} | "
        f"{summary.maximum:.0f} |"
        for rule, summary in table.latency.items()
    ]
    return "\n".join(lines) + "\n"


def _children_cpu() -> float:
    """User + system seconds of every child process that has ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(action: Callable[[], Any]) -> Timing:
    """Wall and child CPU of ``action``. Child CPU counts only processes that end within it:
    a long-running emulator started before is not in it."""
    cpu = _children_cpu()
    started = time.monotonic()
    action()
    return Timing(time.monotonic() - started, _children_cpu() - cpu)


def _command_output(command: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def git_commit(repo: Path) -> str:
    """The short commit of the checkout, with +dirty when it has uncommitted changes."""
    commit = _command_output(["git", "rev-parse", "--short", "HEAD"], repo) or "unknown"
    dirty = _command_output(["git", "status", "--porcelain", "--untracked-files=no"], repo)
    return f"{commit}+dirty" if dirty else commit


def _memory_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return 0.0


def machine_info(repo: Path, terraform_dir: Path, environment: dict[str, str]) -> MachineInfo:
    """The machine, the tools, and the provider version that ``terraform_dir`` was initialised
    with."""
    versions: dict[str, Any] = {}
    try:
        done = subprocess.run(
            ["terraform", "version", "-json"],
            cwd=terraform_dir,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        versions = json.loads(done.stdout or "{}")
    except (OSError, json.JSONDecodeError):
        pass
    providers = versions.get("provider_selections", {})
    return MachineInfo(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cores=os.cpu_count() or 0,
        memory_gib=_memory_gib(),
        python=platform.python_version(),
        terraform=str(versions.get("terraform_version", "unknown")),
        provider=str(providers.get("registry.terraform.io/hashicorp/aws", "unknown")),
        commit=git_commit(repo),
        load_average=os.getloadavg()[0],
    )


def pytest_workers(repo: Path, environ: dict[str, str] | None = None) -> int:
    """PYTEST_WORKERS as ``make test`` uses it: the environment's, else the Makefile's default."""
    environ = dict(os.environ) if environ is None else environ
    value = environ.get("PYTEST_WORKERS", "")
    if not value:
        try:
            makefile = (repo / "Makefile").read_text()
        except OSError:
            makefile = ""
        found = re.search(r"^PYTEST_WORKERS\s*\?=\s*(\S+)", makefile, re.MULTILINE)
        value = found.group(1) if found else "2"
    try:
        return int(value)
    except ValueError as error:
        raise UserError(f"PYTEST_WORKERS must be a number of workers, not {value!r}") from error


_OUTCOME = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected)")


def pytest_counts(output: str) -> dict[str, int]:
    """Outcome counts from pytest's summary line (the last line that has any)."""
    for line in reversed(output.strip().splitlines()):
        found = _OUTCOME.findall(line)
        if found:
            return {
                ("error" if outcome == "errors" else outcome): int(number)
                for number, outcome in found
            }
    return {}


def run_pytest(
    repo: Path, label: str, arguments: list[str], workers: int, progress: TextIO | None = None
) -> SuiteRun:
    """Run pytest of the checkout ``repo`` as ``make test`` does; time it and count outcomes."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-n",
        str(workers),
        "--dist",
        "loadgroup",
        "-p",
        "no:cacheprovider",
        "-q",
        *arguments,
    ]
    if progress:
        progress.write(f"benchmark: {' '.join(command[1:])}\n")
        progress.flush()
    output: list[str] = []

    def run() -> None:
        done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
        output.append(done.stdout)

    timing = measure(run)
    return SuiteRun(label, timing, pytest_counts(output[0]))


def measure_suite(repo: Path, workers: int, progress: TextIO | None = None) -> list[SuiteRun]:
    """Each layer on its own, then the whole suite in one run (what ``make test`` runs after
    lint, and what the issue's 3-minute target is about)."""
    runs = [run_pytest(repo, layer, ["-m", layer], workers, progress) for layer in LAYERS]
    runs.append(run_pytest(repo, "all (one run)", [], workers, progress))
    return runs


def _median_timing(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


def time_plan(stack: Stack, name: str) -> PlanTiming:
    """The median of PLAN_RUNS plans of an initialised stack."""
    return PlanTiming(name, _median_timing([measure(stack.plan) for _ in range(PLAN_RUNS)]))


def examples(repo: Path) -> list[str]:
    """Every example of the checkout, as ``examples/<name>``."""
    return sorted(
        f"examples/{path.name}" for path in (repo / "examples").iterdir() if path.is_dir()
    )


def _create_administrator_account(workbench: Workbench) -> str:
    """An organization of the emulator's management account, and a new account in it to
    administer GuardDuty (as tests/apply/conftest.py's ``organization`` fixture)."""
    session = session_from_environment(workbench.environment)
    organizations = client(session, "organizations", workbench.environment.get("AWS_ENDPOINT_URL"))
    organizations.create_organization(FeatureSet="ALL")
    status = organizations.create_account(AccountName="security", Email="security@example.com")
    return str(status["CreateAccountStatus"]["AccountId"])


def time_lifecycle(
    workbench: Workbench, emulator: EmulatorProcess, example: str
) -> LifecycleTiming:
    """Apply then destroy ``example`` against the emulator, reset first."""
    emulator.reset()
    tf_vars = dict(EXAMPLE_PLAN_VARIABLES.get(example, {}))
    if example == "examples/organization":
        tf_vars["administrator_account_id"] = _create_administrator_account(workbench)
    stack = workbench.stack(example, tf_vars)
    started = time.monotonic()
    try:
        stack.apply()
    except BaseException:
        stack.destroy()  # leave nothing half-applied behind for the next example
        raise
    applied = time.monotonic()
    stack.destroy()
    return LifecycleTiming(example, applied - started, time.monotonic() - applied)


def measure_plans_and_lifecycles(
    repo: Path, work_dir: Path | None = None, progress: TextIO | None = None
) -> tuple[MachineInfo, PlanTiming, list[PlanTiming], list[LifecycleTiming]]:
    """Plans of an empty configuration and of each example in one emulator, then apply and
    destroy of each example; and the machine (the provider version is the one installed)."""

    def say(text: str) -> None:
        if progress:
            progress.write(f"benchmark: {text}\n")
            progress.flush()

    with emulated_workbench(repo, work_dir) as (workbench, emulator):
        # Plans as a user's Terraform runs them, starting the provider for each walk: the
        # harness's shared provider (guardduty_ecs_bench.provider_server) would keep its CPU out of
        # these figures, which count only processes that end within the measurement.
        plain = Workbench(
            workbench.root, workbench.settings, {**workbench.environment, SHARE_VARIABLE: "0"}
        )
        empty_dir = workbench.root / EMPTY_CONFIG_DIR
        empty_dir.mkdir()
        (empty_dir / "main.tf").write_text(EMPTY_CONFIG)
        say("plan of the empty configuration")
        empty = time_plan(plain.stack(EMPTY_CONFIG_DIR), "empty configuration")
        machine = machine_info(repo, empty_dir, workbench.environment)
        plans: list[PlanTiming] = []
        for example in examples(repo):
            say(f"plan of {example}")
            stack = plain.stack(example, EXAMPLE_PLAN_VARIABLES.get(example, {}))
            plans.append(time_plan(stack, example))
        lifecycles: list[LifecycleTiming] = []
        for example in examples(repo):
            say(f"apply and destroy of {example}")
            try:
                lifecycles.append(time_lifecycle(workbench, emulator, example))
            except Exception as error:  # reported in the table: the other examples still count
                first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
                lifecycles.append(
                    LifecycleTiming(example, 0.0, 0.0, first_line[:120].replace("|", "/"))
                )
    return machine, empty, plans, lifecycles


def measure_validation(
    repo: Path, workers: int, progress: TextIO | None = None
) -> ValidationTiming:
    """How many validation cases the plan layer checks per second, with ``workers`` workers."""
    run = run_pytest(
        repo, "validation", [VALIDATION_TEST, "-k", VALIDATION_CASES], workers, progress
    )
    if run.counts.get("failed") or run.counts.get("error"):
        raise RuntimeError(f"validation cases failed: {_counts_text(run.counts)}")
    return ValidationTiming(run.counts.get("passed", 0), workers, run.timing.wall)


def _event_for(rule: str, index: int) -> tuple[str, dict[str, Any]]:
    """The ``index``-th event that only ``rule`` of the alerts matches."""
    if rule == COVERAGE_RULE:
        # A cluster of its own each time: the event is a change of that cluster's coverage.
        task = EcsTask(cluster=f"benchmark-{index:04d}")
        return UNHEALTHY_DETAIL_TYPE, ecs_coverage_change(
            "UNHEALTHY", "HEALTHY", issue="benchmark", task=task
        )
    finding_type = RUNTIME_FINDING_TYPES[index % len(RUNTIME_FINDING_TYPES)]
    return FINDING_DETAIL_TYPE, runtime_finding(
        finding_type, ALERT_RULE_SEVERITIES[rule], "benchmark"
    )


def measure_alert_latency_per_rule(
    events_per_rule: int, repo: Path, work_dir: Path | None = None
) -> dict[str, LatencySummary]:
    """Put ``events_per_rule`` events for each alert rule of the benchmark stack
    (modules/alerts), one at a time, in turns across the rules; return each rule's put-event to
    probe latencies."""
    if events_per_rule < 1:
        raise UserError("the benchmark needs at least one event")
    rules = [*ALERT_RULE_SEVERITIES, COVERAGE_RULE]
    samples: dict[str, list[float]] = {rule: [] for rule in rules}
    with (
        emulated_workbench(repo, work_dir) as (workbench, _),
        deployed(workbench, BENCHMARK_EXAMPLE, {}) as deployment,
        deployment.probe() as probe,
    ):
        for index in range(events_per_rule):
            for rule in rules:
                samples[rule].append(_delivery_ms(deployment, probe, *_event_for(rule, index)))
    return {rule: LatencySummary.of(values) for rule, values in samples.items()}


def measure_table(
    repo: Path,
    *,
    skip_suite: bool = False,
    events_per_rule: int = DEFAULT_EVENTS_PER_RULE,
    work_dir: Path | None = None,
    progress: TextIO | None = None,
) -> BenchmarkTable:
    """Measure every figure of the table, one part after the other (never two at once: they
    would compete for the same cores)."""

    def say(text: str) -> None:
        if progress:
            progress.write(f"benchmark: {text}\n")
            progress.flush()

    workers = pytest_workers(repo)
    suite = [] if skip_suite else measure_suite(repo, workers, progress)
    machine, empty, plans, lifecycles = measure_plans_and_lifecycles(
        repo, work_dir and work_dir / "plans", progress
    )
    validation = measure_validation(repo, workers, progress)
    coverage_figures: list[CoverageFigures] = []
    for clusters in COVERAGE_CLUSTERS:
        say(f"coverage of {clusters} clusters")
        coverage_figures.append(measure_coverage(clusters, work_dir and work_dir / "coverage"))
    accounts, regions, clusters = ORGANIZATION_SCALE
    say(f"coverage and cost of {accounts} members x {regions} Regions x {clusters} clusters")
    organization = [
        measure_organization(accounts, regions, clusters, work_dir and work_dir / "organization")
    ]
    say(f"alert latency, {events_per_rule} events per rule")
    latency = measure_alert_latency_per_rule(
        events_per_rule, repo, work_dir and work_dir / "latency"
    )
    return BenchmarkTable(
        machine,
        workers,
        suite,
        empty,
        plans,
        lifecycles,
        validation,
        coverage_figures,
        latency,
        organization,
    )
