"""Runtime Monitoring coverage of ECS (Fargate) clusters, for the emulator (a test backend).

moto 5.2.5 has neither ListCoverage nor GetCoverageStatistics and never emits GuardDuty events.
This extension derives the coverage of each ECS cluster from moto's ECS state and the detector's
features, serves ``ListCoverage`` (``POST /detector/{detectorId}/coverage``) and
``GetCoverageStatistics`` (``POST /detector/{detectorId}/coverage/statistics``) with the shapes
of botocore's GuardDuty model (``updatedAt`` as epoch seconds, as the model's timestamps are),
and puts a ``GuardDuty Runtime Protection Unhealthy``/``Healthy`` event on the default bus when
the status of a cluster changes.

What the emulator decides, following "Runtime coverage and troubleshooting for Amazon ECS
clusters" (https://docs.aws.amazon.com/guardduty/latest/ug/gdu-assess-coverage-ecs.html):

- Runtime Monitoring on: the detector's ``RUNTIME_MONITORING`` feature is ``ENABLED``, from the
  moment an UpdateDetector (or CreateDetector) turned it on; automated agent configuration:
  its ``ECS_FARGATE_AGENT_MANAGEMENT`` additional configuration is ``ENABLED`` as well. The
  emulator records when each was turned on; turning one off forgets the time. Without Runtime
  Monitoring the detector has no coverage (ListCoverage is empty; no events).
- A cluster is managed with agent management on, unless tagged ``GuardDutyManaged = false``
  (excluded), and with the tag ``GuardDutyManaged = true`` (the inclusion tag) even without
  agent management. It is monitored since the latest of: Runtime Monitoring on, agent management
  on (or the inclusion tag set), the exclusion tag removed.
- Workloads of a cluster: its running Fargate tasks (launch type or capacity provider FARGATE,
  ``desiredStatus`` RUNNING, i.e. until StopTask; started when RunTask returned), and its ACTIVE
  Fargate services with ``desiredCount`` > 0. moto starts no tasks for services, so a service
  stands for its tasks, deployed when CreateService returned or when UpdateService made a new
  deployment (``forceNewDeployment`` or another task definition); scaling a service does not
  redeploy it, as on AWS, where GuardDuty adds its sidecar to new service deployments. A
  workload is covered when it started after the cluster became monitored.
- A cluster is listed once it has workloads while managed or excluded, and stays listed until
  the cluster is deleted or Runtime Monitoring is turned off (the guide counts tasks that "have
  recently finished running"). ``resourceId`` is the cluster name; EC2 container instances are
  not emulated (``containerInstanceDetails`` counts are 0).
- Status and issue (``issue`` is the guide's issue type, ``fargateDetails.issues`` its "extra
  information" texts): no workloads -> UNHEALTHY ``Agent not reporting`` ("Agent not reporting
  for tasks in TaskDefinition - 'family:revision'", for the task definitions it last ran); an
  uncovered workload -> UNHEALTHY ``Agent not provisioned`` with the guide's text for tasks or
  services started while the cluster had the exclusion tag, before Runtime Monitoring, or before
  automated agent configuration; otherwise HEALTHY. ``managementType`` is AUTO_MANAGED for a
  managed cluster, DISABLED otherwise.
- ``updatedAt`` changes when the status, the issues or the management type change, or when a
  workload starts (the guide: "when either a new task gets created ... or there is change in
  the corresponding coverage status").
- Events: one per status change of a listed cluster (HEALTHY <-> UNHEALTHY), with
  ``previousStatus``; a cluster's first listing and its removal send none. The ``detail`` is
  shaped like ``guardduty_ecs.events.ecs_coverage_change`` with ``resourceDetails`` as
  ListCoverage returns them.
- Coverage is recomputed after every ECS call that changes clusters, tags, tasks or services,
  after GuardDuty feature updates, and before ListCoverage and GetCoverageStatistics.
- ListCoverage: ``filterCriteria`` (every ``criterionKey`` of the model, ANDed; ``equals`` and
  ``notEquals``; keys about EKS, EC2 or agent versions have no value for an ECS cluster, so
  ``equals`` never and ``notEquals`` always matches them; ``CLUSTER_NAME`` is the EKS cluster
  name, ``CLUSTER_ARN`` the ECS cluster ARN), ``sortCriteria`` (every ``attributeName`` of the
  model, ASC by default, missing values last; without it, by cluster name), ``maxResults`` 1-50
  (50 by default; more is a ``BadRequestException``) and ``nextToken``.
- GetCoverageStatistics: ``COUNT_BY_RESOURCE_TYPE`` and ``COUNT_BY_COVERAGE_STATUS`` over the
  filtered resources; only counts above 0 appear.
"""

from __future__ import annotations

import copy
import functools
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.ecs.exceptions import TaskDefinitionNotFoundException
from moto.ecs.models import EC2ContainerServiceBackend, ecs_backends
from moto.guardduty.models import Detector, GuardDutyBackend
from moto.guardduty.responses import GuardDutyResponse

from guardduty_ecs.emulator.findings import (
    LOCK,
    add_route,
    detector_of,
    detectors,
    paginate,
    publish,
    request_body,
    state_of,
)
from guardduty_ecs.emulator.guardduty import BadRequestException
from guardduty_ecs.events import (
    HEALTHY_DETAIL_TYPE,
    UNHEALTHY_DETAIL_TYPE,
    EcsTask,
    ecs_coverage_change,
)

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

CRITERION_KEYS = (
    "ACCOUNT_ID",
    "CLUSTER_NAME",
    "RESOURCE_TYPE",
    "COVERAGE_STATUS",
    "ADDON_VERSION",
    "MANAGEMENT_TYPE",
    "EKS_CLUSTER_NAME",
    "ECS_CLUSTER_NAME",
    "AGENT_VERSION",
    "INSTANCE_ID",
    "CLUSTER_ARN",
)
SORT_KEYS = (
    "ACCOUNT_ID",
    "CLUSTER_NAME",
    "COVERAGE_STATUS",
    "ISSUE",
    "ADDON_VERSION",
    "UPDATED_AT",
    "EKS_CLUSTER_NAME",
    "ECS_CLUSTER_NAME",
    "INSTANCE_ID",
)
STATISTICS_TYPES = ("COUNT_BY_RESOURCE_TYPE", "COUNT_BY_COVERAGE_STATUS")


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


def _mark(obj: Any, name: str, default: Any = None) -> Any:
    return obj.__dict__.get(f"_guardduty_ecs_{name}", default)


def _set_mark(obj: Any, name: str, value: Any) -> None:
    obj.__dict__[f"_guardduty_ecs_{name}"] = value


def _tag(cluster: Any) -> str | None:
    tags = {tag.get("key"): tag.get("value") for tag in getattr(cluster, "tags", None) or []}
    return tags.get(TAG)


def _sync_marks(backend: EC2ContainerServiceBackend, now: float) -> None:
    """Stamp new tasks, services and tag values with ``now``; remember when exclusion ended."""
    for cluster in backend.clusters.values():
        value = _tag(cluster)
        if _mark(cluster, "tag_since") is None:
            _set_mark(cluster, "tag", value)
            _set_mark(cluster, "tag_since", now)
        elif _mark(cluster, "tag") != value:
            if _mark(cluster, "tag") == "false":
                _set_mark(cluster, "exclusion_ended", now)
            _set_mark(cluster, "tag", value)
            _set_mark(cluster, "tag_since", now)
    for service in backend.services.values():
        if _mark(service, "deployed_at") is None:
            _set_mark(service, "deployed_at", now)
    for tasks in backend.tasks.values():
        for task in tasks.values():
            if _mark(task, "started_at") is None:
                _set_mark(task, "started_at", now)


def _definition_name(backend: EC2ContainerServiceBackend, reference: str | None) -> str:
    if not reference:
        return ""
    try:
        definition = backend.describe_task_definition(reference)
    except (TaskDefinitionNotFoundException, ValueError):
        return reference.split("/")[-1]
    return f"{definition.family}:{definition.revision}"


def _workloads(
    backend: EC2ContainerServiceBackend, cluster: Any, services: list[Any]
) -> list[Workload]:
    tasks = [
        Workload(
            "task",
            task.id,
            _mark(task, "started_at", 0.0),
            _definition_name(backend, task.task_definition_arn),
        )
        for task in backend.tasks.get(cluster.name, {}).values()
        if is_fargate_task(task) and task.desired_status == "RUNNING"
    ]
    return tasks + [
        Workload(
            "service",
            service.name,
            _mark(service, "deployed_at", 0.0),
            _definition_name(backend, service.task_definition),
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


def _record_enablement(detector: Detector, before: dict[str, bool], now: float) -> None:
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


def _monitoring(cluster: Any, enabled_at: dict[str, float]) -> Monitoring | None:
    runtime = enabled_at.get(RUNTIME_MONITORING)
    if runtime is None:
        return None
    agent = enabled_at.get(FARGATE_AGENT)
    tag = _mark(cluster, "tag")
    exclusion_ended = _mark(cluster, "exclusion_ended", 0.0)
    starts = []
    if agent is not None and tag != "false":
        starts.append(max(runtime, agent, exclusion_ended))
    if tag == "true":
        starts.append(max(runtime, _mark(cluster, "tag_since", 0.0)))
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


# --------------------------------------------------------------------------------------------
# Recomputing, and the events of status changes
# --------------------------------------------------------------------------------------------


def _records(detector: Detector) -> dict[str, Record]:
    return state_of(detector, "coverage", dict)


def _refresh_detector(
    detector: Detector, backend: EC2ContainerServiceBackend, now: float
) -> list[tuple[str, Record, str]]:
    """Recompute the detector's coverage; return (cluster, record, previous status) changes."""
    records = _records(detector)
    enabled_at: dict[str, float] = state_of(detector, "enabled_at", dict)
    if RUNTIME_MONITORING not in enabled_at:
        records.clear()
        return []
    services: dict[str, list[Any]] = defaultdict(list)
    for service in backend.services.values():
        services[service.cluster_name].append(service)
    active = {name: c for name, c in backend.clusters.items() if c.status == "ACTIVE"}
    for name in [name for name in records if name not in active]:
        del records[name]
    changes = []
    for name, cluster in active.items():
        monitoring = _monitoring(cluster, enabled_at)
        workloads = _workloads(backend, cluster, services[name])
        known = records.get(name)
        if monitoring is None or (
            known is None
            and not (workloads and (monitoring.since is not None or monitoring.excluded))
        ):
            continue
        definitions = sorted({w.task_definition for w in workloads if w.task_definition})
        if not definitions and known is not None:
            definitions = known.task_definitions
        status, issue, issues = evaluate(monitoring, workloads, definitions)
        newest = max((w.started_at for w in workloads), default=0.0)
        record = Record(
            cluster.arn,
            status,
            issue,
            issues,
            monitoring.management_type,
            now,
            definitions,
            max(newest, known.newest_workload if known else 0.0),
        )
        if known is not None and record.same_coverage(known) and newest <= known.newest_workload:
            record.updated_at = known.updated_at
        records[name] = record
        if known is not None and known.status != status:
            changes.append((name, record, known.status))
    return changes


def resource_json(detector: Detector, account_id: str, name: str, record: Record) -> dict[str, Any]:
    """A CoverageResource of ListCoverage for the cluster ``name``."""
    resource: dict[str, Any] = {
        "resourceId": name,
        "detectorId": detector.id,
        "accountId": account_id,
        "resourceDetails": {
            "resourceType": "ECS",
            "ecsClusterDetails": {
                "clusterName": name,
                "fargateDetails": {
                    "issues": list(record.issues),
                    "managementType": record.management_type,
                },
                "containerInstanceDetails": {
                    "coveredContainerInstances": 0,
                    "compatibleContainerInstances": 0,
                },
            },
        },
        "coverageStatus": record.status,
        "updatedAt": record.updated_at,
    }
    if record.issue:
        resource["issue"] = record.issue
    return resource


def refresh(account_id: str, region: str) -> None:
    """Recompute the coverage of every detector of the account and region; publish changes."""
    with LOCK:
        now = time.time()
        backend = ecs_backends[account_id][region]
        _sync_marks(backend, now)
        for detector in detectors(account_id, region):
            for name, record, previous in _refresh_detector(detector, backend, now):
                detail = ecs_coverage_change(
                    record.status,
                    previous,
                    issue=record.issue,
                    task=EcsTask(account_id=account_id, region=region, cluster=name),
                )
                resource = resource_json(detector, account_id, name, record)
                detail["resourceDetails"] = copy.deepcopy(resource["resourceDetails"])
                detail_type = (
                    UNHEALTHY_DETAIL_TYPE if record.status == UNHEALTHY else HEALTHY_DETAIL_TYPE
                )
                publish(account_id, region, detail_type, [detail])


# --------------------------------------------------------------------------------------------
# ListCoverage and GetCoverageStatistics
# --------------------------------------------------------------------------------------------


def _criterion_value(key: str, resource: dict[str, Any], record: Record) -> str | None:
    ecs = resource["resourceDetails"]["ecsClusterDetails"]
    values = {
        "ACCOUNT_ID": resource["accountId"],
        "RESOURCE_TYPE": resource["resourceDetails"]["resourceType"],
        "COVERAGE_STATUS": resource["coverageStatus"],
        "MANAGEMENT_TYPE": ecs["fargateDetails"]["managementType"],
        "ECS_CLUSTER_NAME": ecs["clusterName"],
        "CLUSTER_ARN": record.cluster_arn,
        "ISSUE": resource.get("issue"),
        "UPDATED_AT": resource["updatedAt"],
    }
    return values.get(key)


def _check_criteria(criteria: list[dict[str, Any]]) -> None:
    for criterion in criteria:
        key = criterion.get("criterionKey")
        condition = criterion.get("filterCondition") or {}
        if key not in CRITERION_KEYS:
            raise BadRequestException(
                f"The request is rejected because the criterionKey {key} is not valid."
            )
        if not condition.get("equals") and not condition.get("notEquals"):
            raise BadRequestException(
                f"The request is rejected because the filterCondition of {key} has neither "
                "equals nor notEquals."
            )


def _selected(
    items: list[tuple[dict[str, Any], Record]], body: dict[str, Any]
) -> list[tuple[dict[str, Any], Record]]:
    criteria = (body.get("filterCriteria") or {}).get("filterCriterion") or []
    _check_criteria(criteria)

    def matches(resource: dict[str, Any], record: Record) -> bool:
        for criterion in criteria:
            value = _criterion_value(criterion["criterionKey"], resource, record)
            condition = criterion["filterCondition"]
            if condition.get("equals") and value not in condition["equals"]:
                return False
            if condition.get("notEquals") and value in condition["notEquals"]:
                return False
        return True

    return [(resource, record) for resource, record in items if matches(resource, record)]


def _sorted(
    items: list[tuple[dict[str, Any], Record]], sort: dict[str, Any] | None
) -> list[tuple[dict[str, Any], Record]]:
    ordered = sorted(items, key=lambda item: item[0]["resourceId"])
    if not sort:
        return ordered
    name, order = sort.get("attributeName"), sort.get("orderBy", "ASC")
    if name not in SORT_KEYS or order not in ("ASC", "DESC"):
        raise BadRequestException(
            f"The request is rejected because the sortCriteria {name} {order} is not valid."
        )
    present = [item for item in ordered if _criterion_value(name, *item) is not None]
    missing = [item for item in ordered if _criterion_value(name, *item) is None]
    present.sort(key=lambda item: _criterion_value(name, *item), reverse=order == "DESC")
    return present + missing


def _coverage(self: GuardDutyResponse, body: dict[str, Any]) -> list[tuple[dict[str, Any], Record]]:
    detector = detector_of(self)
    refresh(self.current_account, self.region)
    with LOCK:
        records = dict(_records(detector))
    items = [
        (resource_json(detector, self.current_account, name, record), record)
        for name, record in records.items()
    ]
    return _selected(items, body)


def _list_coverage(self: GuardDutyResponse) -> str:
    body = request_body(self)
    items = _sorted(_coverage(self, body), body.get("sortCriteria"))
    page, next_token = paginate([resource for resource, _ in items], body)
    result: dict[str, Any] = {"resources": page}
    if next_token:
        result["nextToken"] = next_token
    return json.dumps(result)


def _get_coverage_statistics(self: GuardDutyResponse) -> str:
    body = request_body(self)
    types = body.get("statisticsType") or []
    if not types or any(kind not in STATISTICS_TYPES for kind in types):
        raise BadRequestException(
            f"The request is rejected because statisticsType must be one or more of "
            f"{', '.join(STATISTICS_TYPES)}."
        )
    resources = [resource for resource, _ in _coverage(self, body)]
    statistics: dict[str, dict[str, int]] = {}
    if "COUNT_BY_RESOURCE_TYPE" in types:
        statistics["countByResourceType"] = dict(
            Counter(resource["resourceDetails"]["resourceType"] for resource in resources)
        )
    if "COUNT_BY_COVERAGE_STATUS" in types:
        statistics["countByCoverageStatus"] = dict(
            Counter(resource["coverageStatus"] for resource in resources)
        )
    return json.dumps({"coverageStatistics": statistics})


# --------------------------------------------------------------------------------------------
# Hooks into moto
# --------------------------------------------------------------------------------------------


def _refreshing(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an ECS backend method: recompute coverage after it changed something."""

    @functools.wraps(method)
    def wrapper(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        refresh(self.account_id, self.region_name)
        return result

    return wrapper


def _redeploying(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap UpdateService: a new task definition or forceNewDeployment is a new deployment."""

    @functools.wraps(method)
    def wrapper(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Any:
        requested = dict(service_properties)
        service = method(self, service_properties)
        definition = requested.get("task_definition")
        if requested.get("force_new_deployment") or (
            definition and _definition_name(self, definition) != _mark(service, "definition")
        ):
            _set_mark(service, "deployed_at", time.time())
        _set_mark(service, "definition", _definition_name(self, service.task_definition))
        refresh(self.account_id, self.region_name)
        return service

    return wrapper


def _remembering_definition(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap CreateService: remember the task definition, to see UpdateService change it."""

    @functools.wraps(method)
    def wrapper(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        service = method(self, *args, **kwargs)
        _set_mark(service, "definition", _definition_name(self, service.task_definition))
        refresh(self.account_id, self.region_name)
        return service

    return wrapper


def install() -> None:
    """Serve ListCoverage and GetCoverageStatistics; track ECS and GuardDuty changes."""
    add_route("coverage/statistics", "get_coverage_statistics", _get_coverage_statistics)
    add_route("coverage", "list_coverage", _list_coverage)

    backend = EC2ContainerServiceBackend
    for name in (
        "create_cluster",
        "delete_cluster",
        "run_task",
        "start_task",
        "stop_task",
        "delete_service",
        "tag_resource",
        "untag_resource",
    ):
        setattr(backend, name, _refreshing(getattr(backend, name)))
    backend.create_service = _remembering_definition(backend.create_service)  # type: ignore[method-assign]
    backend.update_service = _redeploying(backend.update_service)  # type: ignore[method-assign]

    create_detector = GuardDutyBackend.create_detector
    update_detector = GuardDutyBackend.update_detector

    @functools.wraps(create_detector)
    def creating(self: GuardDutyBackend, *args: Any, **kwargs: Any) -> str:
        detector_id = create_detector(self, *args, **kwargs)
        _record_enablement(self.detectors[detector_id], {}, time.time())
        refresh(self.account_id, self.region_name)
        return detector_id

    @functools.wraps(update_detector)
    def updating(self: GuardDutyBackend, detector_id: str, *args: Any, **kwargs: Any) -> None:
        detector = self.get_detector(detector_id)
        before = feature_flags(detector)
        update_detector(self, detector_id, *args, **kwargs)
        _record_enablement(detector, before, time.time())
        refresh(self.account_id, self.region_name)

    GuardDutyBackend.create_detector = creating  # type: ignore[method-assign]
    GuardDutyBackend.update_detector = updating  # type: ignore[method-assign]
