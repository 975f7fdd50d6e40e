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
- Coverage is recomputed after every ECS call that changes clusters, tags, tasks or services:
  only for the cluster the call named (a change costs the same however many clusters exist);
  a GuardDuty feature update (or CreateDetector) recomputes all of that detector's clusters.
  Each detector keeps its clusters' coverage, and sorted keys of it for each order asked for,
  updated with each change, so ListCoverage serves a page by bisection, not by sorting all.
- ListCoverage: ``filterCriteria`` (every ``criterionKey`` of the model, ANDed; ``equals`` and
  ``notEquals``; keys about EKS, EC2 or agent versions have no value for an ECS cluster, so
  ``equals`` never and ``notEquals`` always matches them; ``CLUSTER_NAME`` is the EKS cluster
  name, ``CLUSTER_ARN`` the ECS cluster ARN), ``sortCriteria`` (every ``attributeName`` of the
  model, ASC by default, missing values last, equal values by cluster name; without it, by
  cluster name; then by account), ``maxResults`` 1-50 (50 by default; more is a
  ``BadRequestException``) and ``nextToken``. The token (opaque on AWS; **chosen** here) holds
  the sort key of the page's last resource: the next page starts after it, so clusters added or
  removed between pages shift nothing.
- Administrator view: "Lists coverage details for your GuardDuty account. If you're a GuardDuty
  administrator, you can retrieve all resources associated with the active member accounts in
  your organization." (API reference, ListCoverage; GetCoverageStatistics says the same of the
  statistics), and the user guide, "Runtime coverage and troubleshooting for Amazon ECS
  clusters": "The coverage statistics for the Amazon ECS resources associated with your own
  account or your member accounts is the percentage of the healthy Amazon ECS clusters over all
  the Amazon ECS clusters in the selected AWS Region." So the caller's detector lists, besides
  its own clusters, those of the detectors of its members in the Region whose relationship is
  Enabled (``organization.member_account_ids``), each with its ``accountId`` (CoverageResource
  ``AccountId``: "The unique ID of the Amazon Web Services account.") and its own detector's
  ``detectorId`` (**chosen**: the model says only "The unique ID of the GuardDuty detector
  associated with the resource."); the ``ACCOUNT_ID`` criterion selects accounts. A member's
  coverage is its own detector's (Runtime Monitoring as its detector has it). Coverage events of
  a member's clusters are put on the member's bus, as before.
- GetCoverageStatistics: ``COUNT_BY_RESOURCE_TYPE`` and ``COUNT_BY_COVERAGE_STATUS`` over the
  filtered resources (the members' too, for an administrator); only counts above 0 appear.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import copy
import functools
import heapq
import inspect
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
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
    max_results,
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


def _services_by_cluster(backend: EC2ContainerServiceBackend) -> dict[str, dict[str, Any]]:
    """The backend's services by cluster name (moto keys them by ``cluster:service``)."""
    return backend.__dict__.setdefault("_guardduty_ecs_services", {})


def _index_services(backend: EC2ContainerServiceBackend) -> None:
    by_cluster = _services_by_cluster(backend)
    by_cluster.clear()
    for service in backend.services.values():
        by_cluster.setdefault(service.cluster_name, {})[service.name] = service


def _services_of(backend: EC2ContainerServiceBackend, cluster_name: str) -> list[Any]:
    return list(_services_by_cluster(backend).get(cluster_name, {}).values())


def _sync_marks(backend: EC2ContainerServiceBackend, cluster: Any, now: float) -> None:
    """Stamp the cluster's new tasks, services and tag value with ``now``; remember when its
    exclusion ended."""
    value = _tag(cluster)
    if _mark(cluster, "tag_since") is None:
        _set_mark(cluster, "tag", value)
        _set_mark(cluster, "tag_since", now)
    elif _mark(cluster, "tag") != value:
        if _mark(cluster, "tag") == "false":
            _set_mark(cluster, "exclusion_ended", now)
        _set_mark(cluster, "tag", value)
        _set_mark(cluster, "tag_since", now)
    for service in _services_of(backend, cluster.name):
        if _mark(service, "deployed_at") is None:
            _set_mark(service, "deployed_at", now)
    for task in backend.tasks.get(cluster.name, {}).values():
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


def _index(detector: Detector, account_id: str) -> Index:
    index = detector.__dict__.get("_guardduty_ecs_coverage_index")
    return (
        index
        if index is not None
        else state_of(detector, "coverage_index", lambda: Index(account_id))
    )


def _store(detector: Detector, account_id: str, name: str, record: Record | None) -> None:
    """Put (or, with None, remove) the record of cluster ``name``; keep the index in step."""
    records = _records(detector)
    old = records.pop(name, None) if record is None else records.get(name)
    if record is not None:
        records[name] = record
    _index(detector, account_id).replace(name, old, record)


def _refresh_detector(
    detector: Detector,
    account_id: str,
    backend: EC2ContainerServiceBackend,
    names: list[str],
    now: float,
) -> list[tuple[str, Record, str]]:
    """Recompute the coverage of the clusters ``names``; return (cluster, record, previous
    status) changes."""
    records = _records(detector)
    enabled_at: dict[str, float] = state_of(detector, "enabled_at", dict)
    if RUNTIME_MONITORING not in enabled_at:
        records.clear()
        _index(detector, account_id).clear()
        return []
    changes = []
    for name in names:
        cluster = backend.clusters.get(name)
        known = records.get(name)
        if cluster is None or cluster.status != "ACTIVE":
            if known is not None:
                _store(detector, account_id, name, None)
            continue
        monitoring = _monitoring(cluster, enabled_at)
        workloads = _workloads(backend, cluster, _services_of(backend, name))
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
            if record == known:
                continue  # nothing changed: the record and its index entries stay
        _store(detector, account_id, name, record)
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


def refresh(account_id: str, region: str, clusters: list[str] | None = None) -> None:
    """Recompute the coverage of the clusters named (all clusters: None) for every detector of
    the account and region; publish the status changes.

    An ECS call names the cluster it touched, so its cost does not grow with the number of
    clusters; a feature change of a detector recomputes all of them, once.
    """
    with LOCK:
        now = time.time()
        backend = ecs_backends[account_id][region]
        if clusters is None:
            _index_services(backend)
            names = list(backend.clusters)
            names += [name for d in detectors(account_id, region) for name in _records(d)]
            clusters = list(dict.fromkeys(names))
        for name in clusters:
            cluster = backend.clusters.get(name)
            if cluster is not None:
                _sync_marks(backend, cluster, now)
        for detector in detectors(account_id, region):
            for name, record, previous in _refresh_detector(
                detector, account_id, backend, clusters, now
            ):
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


def _value(key: str, account_id: str, name: str, record: Record) -> str | float | None:
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


def _criteria(body: dict[str, Any]) -> list[dict[str, Any]]:
    criteria = (body.get("filterCriteria") or {}).get("filterCriterion") or []
    _check_criteria(criteria)
    return criteria


def _matches(criteria: list[dict[str, Any]], account_id: str, name: str, record: Record) -> bool:
    for criterion in criteria:
        value = _value(criterion["criterionKey"], account_id, name, record)
        condition = criterion["filterCondition"]
        if condition.get("equals") and value not in condition["equals"]:
            return False
        if condition.get("notEquals") and value in condition["notEquals"]:
            return False
    return True


class Desc:
    """A value that sorts in reverse (for a DESC index of mixed, stable keys)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Desc) and self.value == other.value

    def __lt__(self, other: Desc) -> bool:
        return bool(other.value < self.value)

    __hash__ = None  # type: ignore[assignment]


View = tuple[str | None, str]  # (sort attribute or None for the default order, ASC/DESC)


class Index:
    """Sorted keys of one detector's records, one list per order asked for, kept up to date as
    records change, so that a page is found by bisection instead of sorting every cluster.

    Keys end with (cluster name, account ID), so that they are unique and the lists of several
    detectors merge into one order: the default order is by cluster name; a sort attribute
    orders by its value (DESC reverses only the value), then by cluster name, and resources
    without a value come last.
    """

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.views: dict[View, list[tuple[Any, ...]]] = {}

    def key(self, view: View, name: str, record: Record) -> tuple[Any, ...]:
        attribute, order = view
        if attribute is None:
            return (name, self.account_id)
        value = _value(attribute, self.account_id, name, record)
        if value is None:
            return (1, 0, name, self.account_id)
        return (0, Desc(value) if order == "DESC" else value, name, self.account_id)

    def view(self, view: View, records: dict[str, Record]) -> list[tuple[Any, ...]]:
        if view not in self.views:  # built once, on the first request in this order
            self.views[view] = sorted(self.key(view, n, r) for n, r in records.items())
        return self.views[view]

    def replace(self, name: str, old: Record | None, new: Record | None) -> None:
        for view, keys in self.views.items():
            before = self.key(view, name, old) if old is not None else None
            after = self.key(view, name, new) if new is not None else None
            if before == after:
                continue
            if before is not None:
                del keys[bisect.bisect_left(keys, before)]
            if after is not None:
                bisect.insort(keys, after)

    def clear(self) -> None:
        self.views.clear()


def _view(body: dict[str, Any]) -> View:
    sort = body.get("sortCriteria")
    if not sort:
        return (None, "ASC")
    name, order = sort.get("attributeName"), sort.get("orderBy", "ASC")
    if name not in SORT_KEYS or order not in ("ASC", "DESC"):
        raise BadRequestException(
            f"The request is rejected because the sortCriteria {name} {order} is not valid."
        )
    return (name, order)


INVALID_TOKEN = "The request is rejected because the input nextToken is not valid."


def _token(key: tuple[Any, ...]) -> str:
    parts = [part.value if isinstance(part, Desc) else part for part in key]
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


def _cursor(body: dict[str, Any], view: View) -> tuple[Any, ...] | None:
    """The key of the last resource of the previous page (the token holds it, not an offset,
    so that a page starts by bisection and clusters added or removed meanwhile shift nothing)."""
    token = body.get("nextToken") or ""
    if not token:
        return None
    try:
        parts = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
    except (ValueError, binascii.Error) as error:
        raise BadRequestException(INVALID_TOKEN) from error
    shape = 2 if view[0] is None else 4
    if not isinstance(parts, list) or len(parts) != shape:
        raise BadRequestException(INVALID_TOKEN)
    if shape == 4 and parts[0] == 0 and view[1] == "DESC":
        parts[1] = Desc(parts[1])
    return tuple(parts)


def _member_accounts(account_id: str, region: str) -> list[str]:
    """The member accounts (relationship Enabled) of a GuardDuty administrator, else none."""
    try:
        from guardduty_ecs.emulator.organization import (  # noqa: PLC0415 (written alongside)
            member_account_ids,
        )
    except ModuleNotFoundError as missing:  # organizations not emulated in this checkout
        if missing.name != "guardduty_ecs.emulator.organization":
            raise
        return []
    return [member for member in member_account_ids(account_id, region) if member != account_id]


def _scope(self: GuardDutyResponse, criteria: list[dict[str, Any]]) -> list[tuple[str, Detector]]:
    """(account, detector) of the caller's detector and, for an administrator, of the
    detectors of its members in the region; without the accounts an ACCOUNT_ID criterion
    excludes."""
    detector = detector_of(self)
    accounts = _member_accounts(self.current_account, self.region)
    scope = [(self.current_account, detector)] + [
        (member, member_detector)
        for member in accounts
        for member_detector in detectors(member, self.region)
    ]
    for criterion in criteria:
        if criterion["criterionKey"] == "ACCOUNT_ID":
            equals = criterion["filterCondition"].get("equals")
            not_equals = criterion["filterCondition"].get("notEquals") or []
            scope = [
                (account, d)
                for account, d in scope
                if (not equals or account in equals) and account not in not_equals
            ]
    return scope


def _stream(
    keys: list[tuple[Any, ...]],
    start: int,
    account: str,
    detector: Detector,
    records: dict[str, Record],
) -> Iterator[tuple[tuple[Any, ...], str, Detector, dict[str, Record]]]:
    for position in range(start, len(keys)):
        yield keys[position], account, detector, records


def _list_coverage(self: GuardDutyResponse) -> str:
    body = request_body(self)
    criteria = _criteria(body)
    view = _view(body)
    limit = max_results(body)
    cursor = _cursor(body, view)
    scope = _scope(self, criteria)
    page: list[tuple[tuple[Any, ...], str, Detector, Record]] = []
    with LOCK:
        streams = []
        for account, detector in scope:
            records = _records(detector)
            keys = _index(detector, account).view(view, records)
            try:
                start = bisect.bisect_right(keys, cursor) if cursor is not None else 0
            except TypeError as error:  # a token of another order
                raise BadRequestException(INVALID_TOKEN) from error
            streams.append(_stream(keys, start, account, detector, records))
        for key, account, detector, records in heapq.merge(*streams, key=lambda item: item[0]):
            name = key[-2]
            record = records[name]
            if _matches(criteria, account, name, record):
                page.append((key, account, detector, record))
                if len(page) > limit:
                    break
        resources = [
            resource_json(detector, account, key[-2], record)
            for key, account, detector, record in page[:limit]
        ]
    result: dict[str, Any] = {"resources": resources}
    if len(page) > limit:
        result["nextToken"] = _token(page[limit - 1][0])
    return json.dumps(result)


def _get_coverage_statistics(self: GuardDutyResponse) -> str:
    body = request_body(self)
    types = body.get("statisticsType") or []
    if not types or any(kind not in STATISTICS_TYPES for kind in types):
        raise BadRequestException(
            f"The request is rejected because statisticsType must be one or more of "
            f"{', '.join(STATISTICS_TYPES)}."
        )
    criteria = _criteria(body)
    by_status: Counter[str] = Counter()
    with LOCK:
        for account, detector in _scope(self, criteria):
            for name, record in _records(detector).items():
                if _matches(criteria, account, name, record):
                    by_status[record.status] += 1
    statistics: dict[str, dict[str, int]] = {}
    if "COUNT_BY_RESOURCE_TYPE" in types:
        total = sum(by_status.values())
        statistics["countByResourceType"] = {"ECS": total} if total else {}
    if "COUNT_BY_COVERAGE_STATUS" in types:
        statistics["countByCoverageStatus"] = dict(by_status)
    return json.dumps({"coverageStatistics": statistics})


# --------------------------------------------------------------------------------------------
# Hooks into moto
# --------------------------------------------------------------------------------------------


def _cluster_name(reference: str | None) -> str | None:
    """The cluster of a name or cluster ARN (None for another resource's ARN)."""
    if not reference:
        return None
    if reference.startswith("arn:"):
        resource = reference.split(":", 5)[-1]
        return resource.split("/", 1)[1] if resource.startswith("cluster/") else None
    return reference


def _touched(method: Callable[..., Any], argument: str) -> Callable[..., Any]:
    """Wrap an ECS backend method: recompute the coverage of the cluster that its
    ``argument`` (a cluster name or ARN, or the ARN of a tagged resource) names."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        reference = signature.bind(self, *args, **kwargs).arguments.get(argument)
        name = _cluster_name(reference)
        if name is not None:
            refresh(self.account_id, self.region_name, [name])
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
        refresh(self.account_id, self.region_name, [service.cluster_name])
        return service

    return wrapper


def _remembering_definition(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap CreateService: index the service by cluster and remember its task definition, to
    see UpdateService change it."""

    @functools.wraps(method)
    def wrapper(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        service = method(self, *args, **kwargs)
        with LOCK:
            by_cluster = _services_by_cluster(self)
            by_cluster.setdefault(service.cluster_name, {})[service.name] = service
        _set_mark(service, "definition", _definition_name(self, service.task_definition))
        refresh(self.account_id, self.region_name, [service.cluster_name])
        return service

    return wrapper


def install() -> None:
    """Serve ListCoverage and GetCoverageStatistics; track ECS and GuardDuty changes."""
    add_route("coverage/statistics", "get_coverage_statistics", _get_coverage_statistics)
    add_route("coverage", "list_coverage", _list_coverage)

    backend = EC2ContainerServiceBackend
    for name, argument in (
        ("create_cluster", "cluster_name"),
        ("delete_cluster", "cluster_str"),
        ("run_task", "cluster_str"),
        ("start_task", "cluster_str"),
        ("stop_task", "cluster_str"),
        ("delete_service", "cluster_name"),
        ("tag_resource", "arn"),
        ("untag_resource", "resource_arn"),
    ):
        setattr(backend, name, _touched(getattr(backend, name), argument))
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
