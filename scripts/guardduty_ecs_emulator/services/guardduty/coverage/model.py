"""The coverage of one ECS cluster, derived from moto's ECS state and the detector's features.

What a cluster's workloads are, since when GuardDuty monitors it, and which status and issues
that gives (``evaluate``); the marks this extension keeps on moto's objects (when a task started,
a service was deployed, the cluster's tag changed). See the package's docstring for the rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from moto.ecs.exceptions import TaskDefinitionNotFoundException
from moto.ecs.models import EC2ContainerServiceBackend
from moto.guardduty.models import Detector

from guardduty_ecs_emulator.core.state import state_of

HEALTHY, UNHEALTHY = "HEALTHY", "UNHEALTHY"
RUNTIME_MONITORING = "RUNTIME_MONITORING"
FARGATE_AGENT = "ECS_FARGATE_AGENT_MANAGEMENT"
TAG = "GuardDutyManaged"
MAX_ISSUES = 50  # FargateDetails.issues holds at most 50 texts

# Issue types and texts of "Troubleshooting Amazon ECS-Fargate runtime coverage issues",
# https://docs.aws.amazon.com/guardduty/latest/ug/gdu-assess-coverage-ecs.html
AGENT_NOT_REPORTING = "Agent not reporting"
AGENT_NOT_PROVISIONED = "Agent not provisioned"
NOT_REPORTING = "Agent not reporting for tasks in TaskDefinition - '{}'"
TASK_ISSUES = {
    "excluded": "Tasks started when clusters had exclusion tag are excluded from Runtime "
    "Monitoring. Impacted task ID(s): '{}'",
    "runtime": "Tasks started before enabling Runtime Monitoring require a relaunch. "
    "Impacted task ID(s): '{}'",
    "agent": "Tasks started before enabling Automated Agent Configuration are not covered. "
    "Impacted task ID(s): '{}'",
}
SERVICE_ISSUES = {
    "excluded": "Services deployed when clusters had exclusion tag are excluded from Runtime "
    "Monitoring. Impacted service name(s): '{}'",
    "agent": "Services deployed before enabling Automated Agent Configuration are not covered. "
    "Impacted service name(s): '{}'",
}
# One text per service, as the guide words it.
SERVICE_NEEDS_DEPLOYMENT = (
    "Service '{0}' requires a new deployment to fix/troubleshoot. Refer documentation, "
    "Impacted service name(s): '{0}'"
)


def is_fargate_task(task: Any) -> bool:
    return getattr(task, "launch_type", "") == "FARGATE" or getattr(
        task, "capacity_provider_name", None
    ) in ("FARGATE", "FARGATE_SPOT")


@dataclass(frozen=True)
class Workload:
    """A running Fargate task, or a Fargate service with tasks, of a cluster."""

    kind: str  # "task" or "service"
    name: str  # task ID or service name
    started_at: float  # epoch seconds: task start or service deployment
    task_definition: str  # family:revision


@dataclass
class Record:
    """The coverage of one listed cluster, as the detector last computed it."""

    cluster_arn: str
    status: str
    issue: str
    issues: list[str]
    management_type: str
    updated_at: float
    task_definitions: list[str] = field(default_factory=list)
    newest_workload: float = 0.0

    def same_coverage(self, other: Record) -> bool:
        return (self.status, self.issue, self.issues, self.management_type) == (
            other.status,
            other.issue,
            other.issues,
            other.management_type,
        )


# --------------------------------------------------------------------------------------------
# Marks on moto's objects: when things started, and the cluster tag history
# --------------------------------------------------------------------------------------------


def mark(obj: Any, name: str, default: Any = None) -> Any:
    return obj.__dict__.get(f"_guardduty_ecs_{name}", default)


def set_mark(obj: Any, name: str, value: Any) -> None:
    obj.__dict__[f"_guardduty_ecs_{name}"] = value


def _tag(cluster: Any) -> str | None:
    tags = {tag.get("key"): tag.get("value") for tag in getattr(cluster, "tags", None) or []}
    return tags.get(TAG)


def services_by_cluster(backend: EC2ContainerServiceBackend) -> dict[str, dict[str, Any]]:
    """The backend's services by cluster name (moto keys them by ``cluster:service``)."""
    return backend.__dict__.setdefault("_guardduty_ecs_services", {})


def index_services(backend: EC2ContainerServiceBackend) -> None:
    by_cluster = services_by_cluster(backend)
    by_cluster.clear()
    for service in backend.services.values():
        by_cluster.setdefault(service.cluster_name, {})[service.name] = service


def services_of(backend: EC2ContainerServiceBackend, cluster_name: str) -> list[Any]:
    return list(services_by_cluster(backend).get(cluster_name, {}).values())


def sync_marks(backend: EC2ContainerServiceBackend, cluster: Any, now: float) -> None:
    """Stamp the cluster's new tasks, services and tag value with ``now``; remember when its
    exclusion ended."""
    value = _tag(cluster)
    if mark(cluster, "tag_since") is None:
        set_mark(cluster, "tag", value)
        set_mark(cluster, "tag_since", now)
    elif mark(cluster, "tag") != value:
        if mark(cluster, "tag") == "false":
            set_mark(cluster, "exclusion_ended", now)
        set_mark(cluster, "tag", value)
        set_mark(cluster, "tag_since", now)
    for service in services_of(backend, cluster.name):
        if mark(service, "deployed_at") is None:
            set_mark(service, "deployed_at", now)
    for task in backend.tasks.get(cluster.name, {}).values():
        if mark(task, "started_at") is None:
            set_mark(task, "started_at", now)


def definition_name(backend: EC2ContainerServiceBackend, reference: str | None) -> str:
    if not reference:
        return ""
    try:
        definition = backend.describe_task_definition(reference)
    except (TaskDefinitionNotFoundException, ValueError):
        return reference.split("/")[-1]
    return f"{definition.family}:{definition.revision}"


def workloads_of(
    backend: EC2ContainerServiceBackend, cluster: Any, services: list[Any]
) -> list[Workload]:
    tasks = [
        Workload(
            "task",
            task.id,
            mark(task, "started_at", 0.0),
            definition_name(backend, task.task_definition_arn),
        )
        for task in backend.tasks.get(cluster.name, {}).values()
        if is_fargate_task(task) and task.desired_status == "RUNNING"
    ]
    return tasks + [
        Workload(
            "service",
            service.name,
            mark(service, "deployed_at", 0.0),
            definition_name(backend, service.task_definition),
        )
        for service in services
        if service.status == "ACTIVE" and service.launch_type == "FARGATE"
        if service.desired_count and service.desired_count > 0
    ]


# --------------------------------------------------------------------------------------------
# The coverage of a cluster
# --------------------------------------------------------------------------------------------


def feature_flags(detector: Detector) -> dict[str, bool]:
    """Whether Runtime Monitoring and Fargate agent management are enabled on the detector."""
    flags = {RUNTIME_MONITORING: False, FARGATE_AGENT: False}
    for feature in detector.features or []:
        if feature.get("name") != RUNTIME_MONITORING:
            continue
        flags[RUNTIME_MONITORING] = feature.get("status") == "ENABLED"
        for configuration in feature.get("additionalConfiguration") or []:
            if configuration.get("name") == FARGATE_AGENT:
                flags[FARGATE_AGENT] = configuration.get("status") == "ENABLED"
    return flags


def record_enablement(detector: Detector, before: dict[str, bool], now: float) -> None:
    enabled_at: dict[str, float] = state_of(detector, "enabled_at", dict)
    for name, enabled in feature_flags(detector).items():
        if not enabled:
            enabled_at.pop(name, None)
        elif not before.get(name) or name not in enabled_at:
            enabled_at[name] = now


@dataclass(frozen=True)
class Monitoring:
    """How GuardDuty treats one cluster now."""

    runtime_since: float
    since: float | None  # monitored since (None: not managed)
    excluded: bool  # agent management on and the exclusion tag set
    tag: str | None
    exclusion_ended: float

    @property
    def management_type(self) -> str:
        return "AUTO_MANAGED" if self.since is not None else "DISABLED"


def monitoring_of(cluster: Any, enabled_at: dict[str, float]) -> Monitoring | None:
    runtime = enabled_at.get(RUNTIME_MONITORING)
    if runtime is None:
        return None
    agent = enabled_at.get(FARGATE_AGENT)
    tag = mark(cluster, "tag")
    exclusion_ended = mark(cluster, "exclusion_ended", 0.0)
    starts = []
    if agent is not None and tag != "false":
        starts.append(max(runtime, agent, exclusion_ended))
    if tag == "true":
        starts.append(max(runtime, mark(cluster, "tag_since", 0.0)))
    return Monitoring(
        runtime_since=runtime,
        since=min(starts) if starts else None,
        excluded=agent is not None and tag == "false",
        tag=tag,
        exclusion_ended=exclusion_ended,
    )


def _reason(workload: Workload, monitoring: Monitoring) -> str:
    if monitoring.tag == "false":
        return "excluded"
    if workload.started_at < monitoring.runtime_since:
        return "runtime"
    if workload.started_at < monitoring.exclusion_ended:
        return "excluded"
    return "agent"


def _not_provisioned(uncovered: list[Workload], monitoring: Monitoring) -> list[str]:
    by_reason: dict[tuple[str, str], list[str]] = defaultdict(list)
    for workload in uncovered:
        by_reason[(workload.kind, _reason(workload, monitoring))].append(workload.name)
    issues = []
    for (kind, reason), names in sorted(by_reason.items()):
        if kind == "service" and reason == "runtime":
            issues += [SERVICE_NEEDS_DEPLOYMENT.format(name) for name in sorted(names)]
        else:
            texts = TASK_ISSUES if kind == "task" else SERVICE_ISSUES
            issues.append(texts[reason].format(", ".join(sorted(names))))
    return issues[:MAX_ISSUES]


def evaluate(
    monitoring: Monitoring, workloads: list[Workload], task_definitions: list[str]
) -> tuple[str, str, list[str]]:
    """(coverage status, issue type, issue texts) of a listed cluster."""
    if not workloads:
        texts = [NOT_REPORTING.format(name) for name in task_definitions] or [
            NOT_REPORTING.format("")
        ]
        return UNHEALTHY, AGENT_NOT_REPORTING, texts[:MAX_ISSUES]
    since = monitoring.since
    uncovered = [w for w in workloads if since is None or w.started_at < since]
    if uncovered:
        return UNHEALTHY, AGENT_NOT_PROVISIONED, _not_provisioned(uncovered, monitoring)
    return HEALTHY, "", []


def record_value(key: str, account_id: str, name: str, record: Record) -> str | float | None:
    """The value of a criterion or sort key for a cluster (None: an ECS cluster has none)."""
    values: dict[str, str | float | None] = {
        "ACCOUNT_ID": account_id,
        "RESOURCE_TYPE": "ECS",
        "COVERAGE_STATUS": record.status,
        "MANAGEMENT_TYPE": record.management_type,
        "ECS_CLUSTER_NAME": name,
        "CLUSTER_ARN": record.cluster_arn,
        "ISSUE": record.issue or None,
        "UPDATED_AT": record.updated_at,
    }
    return values.get(key)
