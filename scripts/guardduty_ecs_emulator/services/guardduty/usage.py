"""GuardDuty usage statistics and free-trial days, for the emulator (a test backend).

moto 5.2.6 has neither ``GetUsageStatistics`` (``POST /detector/{detectorId}/usage/statistics``)
nor ``GetRemainingFreeTrialDays`` (``POST /detector/{detectorId}/freeTrial/daysRemaining``).
This extension answers both from what the emulator runs: the ECS tasks, services and container
instances of each account and Region, how long they ran on the emulator's clock
(``core.clock.CLOCK``, which tests move instead of waiting), and the features of each detector
over time. Every rule below quotes AWS; where AWS is silent it says **chosen**.

What is monitored, and since when (the usage that GuardDuty bills):

- Runtime Monitoring is billed per monitored vCPU by the hour: CloudWatch usage metrics
  ``MonitoredVcpuHours`` "Fargate vCPU hours monitored by Runtime Monitoring" and "EC2 vCPU hours
  monitored by Runtime Monitoring" (user guide, "Monitoring GuardDuty usage and estimating
  costs"). A resource counts only while the detector's ``RUNTIME_MONITORING`` feature is
  ``ENABLED`` (the history of each detector's features is recorded at every CreateDetector and
  UpdateDetector, members' included, on the emulator's clock).
- Fargate: GuardDuty "installs the latest GuardDuty security agent as a sidecar container on all
  new standalone Fargate tasks, and new service deployments" (ECS developer guide, "Runtime
  Monitoring for Amazon ECS Fargate workloads"); a cluster tagged ``GuardDutyManaged``-``false``
  is excluded ("Add a tag to the Amazon ECS cluster for which you want to exclude all of the
  tasks. The key-value pair must be GuardDutyManaged-false.") and one tagged
  ``GuardDutyManaged``-``true`` is included without automated agent configuration ("Manage for
  selective (inclusion only) Amazon ECS clusters (cluster level)": "Add a tag to an Amazon ECS
  cluster for which you want to include all of the tasks. The key-value pair must be
  GuardDutyManaged-true."; user guide, "Managing automated security agent for Fargate (Amazon
  ECS only)"). So whether a task has the agent is decided when it starts (RunTask), and for a
  service's tasks when the service is deployed (CreateService, or UpdateService with
  ``forceNewDeployment`` or another task definition); scaling a service keeps its deployment's
  decision. A task counts from RunTask to StopTask; a service counts ``desiredCount`` tasks (moto
  starts none for a service) from each change to the next. A task's vCPUs are its task
  definition's ``cpu`` / 1024; without one, 256 units (Fargate's smallest task size):
  **chosen**.
- EC2 (ECS container instances): "When GuardDuty automated agent configuration is disabled,
  GuardDuty considers only those EC2 instances that have an inclusion tag
  (``GuardDutyManaged``:``true``)" (user guide, "Service-linked role permissions for
  GuardDuty"), and with it enabled "any EC2 instance that launches without an exclusion tag
  will be covered" ("Prerequisites for Amazon EC2 instance support"). An instance counts while it
  is registered, with its registered ``CPU`` / 1024 vCPUs, whenever ``EC2_AGENT_MANAGEMENT`` is
  on and the EC2 instance is not tagged ``GuardDutyManaged`` = ``false``, or whenever it is
  tagged ``true``. The instance's tags are read as they are now, not as they were: **chosen**.

GetUsageStatistics:

- "Lists Amazon GuardDuty usage statistics over the last 30 days for the specified detector ID.
  For newly enabled detectors or data sources, the cost returned will include only the usage so
  far under 30 days." (API reference). The window is the 30 days before the emulator's now.
- Amounts are costs: ``Total`` "Contains the total usage with the corresponding currency unit for
  that value", ``Unit`` USD ("Current valid values are USD."; another ``unit`` is refused with
  ``BadRequestException``, wording **chosen**). The cost of a monitored vCPU-hour is $1.50 / 730,
  the pricing page's "$1.50 per vCPU (for first 500 vCPUs)" a month over a 730-hour month
  (docs/cost.md), without the lower tiers, and during the free trial too ("During this trial
  period, you can: Monitor your actual usage through GuardDuty Usage metrics; Estimate your
  monthly costs", user guide, "Monitoring GuardDuty usage and estimating costs"): **chosen**. The
  emulator analyzes no logs: every other feature and data source costs 0 (**chosen**). The
  amount is a decimal string rounded to 6 places (**chosen**).
- The criteria must name data sources or features (user guide, "Reviewing GuardDuty estimated
  usage cost": "(Required) provide one or more data sources or features to query your usage
  statistics."); otherwise ``BadRequestException`` (wording **chosen**).
- An administrator gets its members' usage: "If you're a GuardDuty administrator account, you
  can view the cost estimates for each member account, broken down by data sources and
  accounts." (same page). The accounts are the caller's and those of its members whose
  relationship is Enabled in the Region; ``accountIds`` keeps some of them (others are left out:
  **chosen**); ``resources`` keeps resources by exact name ("Only accepts exact resource
  names.").
- Types: ``SUM_BY_ACCOUNT`` (every account of the scope, 0 included: **chosen**),
  ``SUM_BY_FEATURES`` and ``SUM_BY_DATA_SOURCE`` (each requested feature or data source),
  ``SUM_BY_RESOURCE`` (each resource with usage, by name), ``TOP_RESOURCES`` ("Lists the top 50
  resources that have generated the most GuardDuty usage, in order from most to least
  expensive.") and ``TOP_ACCOUNTS_BY_FEATURE`` ("Lists the top 50 accounts by feature that have
  generated the most GuardDuty usage, in the order from most to least expensive. Currently, this
  doesn't support RDS_LOGIN_EVENTS."; RDS_LOGIN_EVENTS is left out, accounts without usage too:
  **chosen**). A resource is the ECS cluster's ARN for Fargate usage and the EC2 instance ID for
  EC2 usage (**chosen**: AWS does not say what it names). Lists are paged like the other
  GuardDuty lists (``maxResults`` 1-50, ``nextToken``).

GetRemainingFreeTrialDays:

- "Provides the number of days left for each data source used in the free trial period." Per
  account: "The member accounts which were included in a request and were processed
  successfully."; ``accountIds`` "A list of account identifiers of the GuardDuty member account."
  The caller's own account and its Enabled members are processed; any other account is
  unprocessed with the emulator's not-a-member text; without ``accountIds``, the caller's own
  account (**chosen**).
- Days: 30 from when the trial started ("30-day free trial per account/Region", pricing page),
  counted down by whole days begun (**chosen**), never below 0. The foundational data sources
  (CLOUD_TRAIL, DNS_LOGS, FLOW_LOGS) start at the detector's creation; another feature when the
  detector first enabled it (**chosen**). Runtime Monitoring per resource type: "The 30-day free
  trial period works at the resource level. After the GuardDuty security agent gets deployed to
  a specific resource type, the 30-day free trial starts when GuardDuty receives its first
  runtime event associated with this resource type." (user guide, "How does 30-day free trial
  work in Runtime Monitoring"): FARGATE_RUNTIME_MONITORING from the first monitored Fargate
  vCPU-second, EC2_RUNTIME_MONITORING from the first monitored instance's, and 30 days until
  then (**chosen**). ``features`` lists "A list of features enabled for the GuardDuty account."
  (with Runtime Monitoring on: FARGATE_, EC2_ and EKS_RUNTIME_MONITORING), ``dataSources`` the
  legacy view of the same days.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ecs.models import EC2ContainerServiceBackend, ecs_backends
from moto.guardduty.models import Detector, GuardDutyBackend
from moto.guardduty.responses import GuardDutyResponse

from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.pagination import paginate
from guardduty_ecs_emulator.core.requests import detector_of, request_body
from guardduty_ecs_emulator.core.routing import add_route
from guardduty_ecs_emulator.core.state import detectors, state_of
from guardduty_ecs_emulator.services.guardduty.organization.model import (
    NOT_A_MEMBER,
    member_account_ids,
)

FARGATE = "FARGATE_RUNTIME_MONITORING"
EC2 = "EC2_RUNTIME_MONITORING"
EKS = "EKS_RUNTIME_MONITORING"
RUNTIME_MONITORING = "RUNTIME_MONITORING"
FARGATE_AGENT = "ECS_FARGATE_AGENT_MANAGEMENT"
EC2_AGENT = "EC2_AGENT_MANAGEMENT"
TAG = "GuardDutyManaged"
WINDOW = timedelta(days=30)  # "over the last 30 days" (API reference)
TRIAL_DAYS = 30  # "30-day free trial per account/Region" (pricing page)
HOURS_PER_MONTH = 730  # docs/cost.md: "A month is taken as 730 hours."
USD_PER_VCPU_HOUR = 1.50 / HOURS_PER_MONTH  # "$1.50 per vCPU (for first 500 vCPUs)", chosen
DEFAULT_CPU_UNITS = 256  # Fargate's smallest task size, for a definition without cpu: chosen
TOP = 50  # "the top 50 resources", "the top 50 accounts by feature"
FOUNDATIONAL = ("CLOUD_TRAIL", "DNS_LOGS", "FLOW_LOGS")
# Detector features with a free trial of their own, by the FreeTrialFeatureResult name.
TRIAL_FEATURES = {
    "S3_DATA_EVENTS": "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS": "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION": "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS": "RDS_LOGIN_EVENTS",
    "LAMBDA_NETWORK_LOGS": "LAMBDA_NETWORK_LOGS",
    "EKS_RUNTIME_MONITORING": EKS,
}
STATISTIC_TYPES = (
    "SUM_BY_ACCOUNT",
    "SUM_BY_DATA_SOURCE",
    "SUM_BY_RESOURCE",
    "TOP_RESOURCES",
    "SUM_BY_FEATURES",
    "TOP_ACCOUNTS_BY_FEATURE",
)

Interval = tuple[float, float]


# --------------------------------------------------------------------------------------------
# What the emulator records: feature history, and when ECS things started and stopped
# --------------------------------------------------------------------------------------------


def _now() -> float:
    return CLOCK.now().timestamp()


def _mark(obj: Any, name: str, default: Any = None) -> Any:
    return obj.__dict__.get(f"_guardduty_ecs_usage_{name}", default)


def _set_mark(obj: Any, name: str, value: Any) -> None:
    obj.__dict__[f"_guardduty_ecs_usage_{name}"] = value


def _flags(detector: Detector) -> dict[str, bool]:
    """Which features and agent configurations are ENABLED on the detector now."""
    flags: dict[str, bool] = {}
    for feature in detector.features or []:
        flags[feature.get("name", "")] = feature.get("status") == "ENABLED"
        for configuration in feature.get("additionalConfiguration") or []:
            flags[configuration.get("name", "")] = configuration.get("status") == "ENABLED"
    return flags


def _history(detector: Detector) -> list[tuple[float, dict[str, bool]]]:
    """(when, flags) at the detector's creation and after each change of its features."""
    history: list[tuple[float, dict[str, bool]]] = state_of(detector, "usage_history", list)
    return history


def _record(detector: Detector) -> None:
    history = _history(detector)
    flags = _flags(detector)
    if not history or history[-1][1] != flags:
        history.append((_now(), flags))


def _intervals(detector: Detector, *needed: str, now: float) -> list[Interval]:
    """When every flag of ``needed`` was on, as (start, end) on the emulator's clock."""
    history = _history(detector)
    intervals: list[Interval] = []
    for index, (start, flags) in enumerate(history):
        end = history[index + 1][0] if index + 1 < len(history) else now
        if all(flags.get(name) for name in needed) and end > start:
            if intervals and intervals[-1][1] == start:
                intervals[-1] = (intervals[-1][0], end)
            else:
                intervals.append((start, end))
    return intervals


def _overlap(start: float, end: float, intervals: list[Interval]) -> list[Interval]:
    return [(max(start, a), min(end, b)) for a, b in intervals if min(end, b) > max(start, a)]


def _detector(account_id: str, region: str) -> Detector | None:
    found = detectors(account_id, region)
    return found[0] if found else None


def _cluster_tag(cluster: Any) -> str | None:
    tags = {tag.get("key"): tag.get("value") for tag in getattr(cluster, "tags", None) or []}
    return tags.get(TAG)


def _agent_at_launch(backend: EC2ContainerServiceBackend, cluster_name: str) -> bool:
    """Whether GuardDuty adds its sidecar to a Fargate task launched now in the cluster."""
    detector = _detector(backend.account_id, backend.region_name)
    cluster = backend.clusters.get(cluster_name)
    if detector is None or cluster is None:
        return False
    flags = _flags(detector)
    tag = _cluster_tag(cluster)
    if not flags.get(RUNTIME_MONITORING):
        return False
    return tag == "true" or (bool(flags.get(FARGATE_AGENT)) and tag != "false")


def _vcpus(backend: EC2ContainerServiceBackend, definition_arn: str | None) -> float:
    units = DEFAULT_CPU_UNITS
    if definition_arn:
        try:
            definition = backend.describe_task_definition(definition_arn)
            units = int(definition.cpu or DEFAULT_CPU_UNITS)
        except Exception:  # a definition deregistered since: the default size
            units = DEFAULT_CPU_UNITS
    return units / 1024


def _is_fargate(launch_type: str | None, strategy: Any) -> bool:
    if launch_type == "FARGATE":
        return True
    providers = [item.get("capacityProvider") for item in strategy or [] if isinstance(item, dict)]
    return bool(providers) and providers[0] in ("FARGATE", "FARGATE_SPOT")


def _service_segment(backend: EC2ContainerServiceBackend, service: Any, deployed: bool) -> None:
    """Record the service's desired count from now, with a new agent decision if deployed."""
    segments: list[tuple[float, int, bool, float]] = _mark(service, "segments", [])
    agent = (
        _agent_at_launch(backend, service.cluster_name)
        if deployed or not segments
        else segments[-1][2]
    )
    count = service.desired_count if service.status == "ACTIVE" else 0
    segments.append((_now(), int(count or 0), agent, _vcpus(backend, service.task_definition)))
    _set_mark(service, "segments", segments)


# --------------------------------------------------------------------------------------------
# Usage of one account and Region
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """Monitored vCPU-seconds of one resource in the window, and its first monitored second."""

    feature: str
    resource: str
    vcpu_seconds: float
    first: float | None  # first monitored instant ever (for the free trial)


def _fargate_usage(
    backend: EC2ContainerServiceBackend, runtime: list[Interval], since: float, now: float
) -> Iterator[Usage]:
    by_cluster: dict[str, list[tuple[float, float, float]]] = {}  # cluster -> (start, end, vcpus)
    for cluster_tasks in backend.tasks.values():
        for task in cluster_tasks.values():
            start = _mark(task, "start")
            if start is None or not _mark(task, "agent"):
                continue
            end = _mark(task, "stop") or now
            by_cluster.setdefault(task.cluster_arn, []).append((start, end, _mark(task, "vcpus")))
    for service in backend.services.values():
        segments = _mark(service, "segments", [])
        for index, (start, count, agent, vcpus) in enumerate(segments):
            end = segments[index + 1][0] if index + 1 < len(segments) else now
            if agent and count:
                by_cluster.setdefault(service.cluster_arn, []).append((start, end, count * vcpus))
    for cluster_arn, runs in by_cluster.items():
        seconds, first = 0.0, None
        for start, end, vcpus in runs:
            monitored = _overlap(start, end, runtime)
            if not monitored:
                continue
            first = monitored[0][0] if first is None else min(first, monitored[0][0])
            seconds += vcpus * sum(b - a for a, b in _overlap(since, now, monitored))
        yield Usage(FARGATE, cluster_arn, seconds, first)


def _ec2_usage(
    backend: EC2ContainerServiceBackend, detector: Detector, since: float, now: float
) -> Iterator[Usage]:
    agent = _intervals(detector, RUNTIME_MONITORING, EC2_AGENT, now=now)
    runtime = _intervals(detector, RUNTIME_MONITORING, now=now)
    for instances in backend.container_instances.values():
        for instance in instances.values():
            registered = _mark(instance, "registered")
            if registered is None:
                continue
            end = _mark(instance, "deregistered") or now
            # Only here: moto builds an account's EC2 backend (images, default VPC) when it is
            # first asked for, which took 0.2 s for each account of a Region that has none.
            ec2 = ec2_backends[backend.account_id][backend.region_name]
            tag = getattr(ec2, "tags", {}).get(instance.ec2_instance_id, {}).get(TAG)
            covering = runtime if tag == "true" else [] if tag == "false" else agent
            monitored = _overlap(registered, end, covering)
            if not monitored:
                continue
            seconds = _mark(instance, "vcpus") * sum(
                b - a for a, b in _overlap(since, now, monitored)
            )
            yield Usage(EC2, instance.ec2_instance_id, seconds, monitored[0][0])


def account_usage(account_id: str, region: str, now: float) -> list[Usage]:
    """Every monitored resource of the account and Region, with its usage in the window."""
    detector = _detector(account_id, region)
    if detector is None:
        return []
    backend = ecs_backends[account_id][region]
    since = now - WINDOW.total_seconds()
    runtime = _intervals(detector, RUNTIME_MONITORING, now=now)
    return [
        *_fargate_usage(backend, runtime, since, now),
        *_ec2_usage(backend, detector, since, now),
    ]


def _cost(vcpu_seconds: float) -> float:
    return vcpu_seconds / 3600 * USD_PER_VCPU_HOUR


def _total(amount: float) -> dict[str, str]:
    return {"amount": str(round(amount, 6)), "unit": "USD"}


# --------------------------------------------------------------------------------------------
# The API
# --------------------------------------------------------------------------------------------


def _scope(response: GuardDutyResponse) -> list[str]:
    """The caller's account and, for an administrator, its Enabled members in the Region."""
    account = response.current_account
    members = [m for m in member_account_ids(account, response.region) if m != account]
    return [account, *members]


Cost = tuple[str, str, str, float]  # (account, feature, resource, USD)


def _criteria(body: dict[str, Any]) -> tuple[str, list[str], list[str]]:
    """The statistic type, features and data sources of a valid request."""
    kind = str(body.get("usageStatisticsType"))
    if kind not in STATISTIC_TYPES:
        raise BadRequestException(
            f"The request is rejected because usageStatisticsType {kind} is not valid."
        )
    unit = body.get("unit")
    if unit is not None and unit != "USD":
        raise BadRequestException(
            f"The request is rejected because unit {unit} is not valid: the valid value is USD."
        )
    criteria = body.get("usageCriteria") or {}
    features = list(dict.fromkeys(criteria.get("features") or []))
    sources = list(dict.fromkeys(criteria.get("dataSources") or []))
    if not features and not sources:
        raise BadRequestException(
            "The request is rejected because usageCriteria must name at least one data source "
            "or feature."
        )
    return kind, features, sources


def _by(costs: list[Cost], field: int) -> dict[str, float]:
    sums: dict[str, float] = {}
    for cost in costs:
        sums[str(cost[field])] = sums.get(str(cost[field]), 0.0) + cost[3]
    return sums


def _items(
    kind: str, costs: list[Cost], accounts: list[str], features: list[str], sources: list[str]
) -> tuple[str, list[dict[str, Any]]]:
    """The member of UsageStatistics that ``kind`` fills, and its items."""
    if kind == "SUM_BY_ACCOUNT":
        sums = _by(costs, 0)
        return "sumByAccount", [
            {"accountId": a, "total": _total(sums.get(a, 0.0))} for a in sorted(accounts)
        ]
    if kind == "SUM_BY_FEATURES":
        sums = _by(costs, 1)
        return "sumByFeature", [{"feature": f, "total": _total(sums.get(f, 0.0))} for f in features]
    if kind == "SUM_BY_DATA_SOURCE":
        return "sumByDataSource", [{"dataSource": d, "total": _total(0.0)} for d in sources]
    if kind in ("SUM_BY_RESOURCE", "TOP_RESOURCES"):
        ordered = sorted(_by(costs, 2).items())
        if kind == "TOP_RESOURCES":
            ordered = sorted(ordered, key=lambda item: -item[1])[:TOP]
        key = "sumByResource" if kind == "SUM_BY_RESOURCE" else "topResources"
        return key, [{"resource": r, "total": _total(c)} for r, c in ordered if c > 0]
    items = []  # TOP_ACCOUNTS_BY_FEATURE
    for feature in features:
        if feature == "RDS_LOGIN_EVENTS":
            continue  # "Currently, this doesn't support RDS_LOGIN_EVENTS."
        sums = _by([cost for cost in costs if cost[1] == feature], 0)
        top = sorted(sums.items(), key=lambda item: (-item[1], item[0]))[:TOP]
        accounts_json = [{"accountId": a, "total": _total(c)} for a, c in top if c > 0]
        items.append({"feature": feature, "accounts": accounts_json})
    return "topAccountsByFeature", items


def get_usage_statistics(self: GuardDutyResponse) -> str:
    detector_of(self)  # moto's not-found error for an unknown detector
    body = request_body(self)
    kind, features, sources = _criteria(body)
    criteria = body.get("usageCriteria") or {}
    accounts = _scope(self)
    if criteria.get("accountIds"):
        wanted = set(criteria["accountIds"])
        accounts = [account for account in accounts if account in wanted]
    resources = set(criteria.get("resources") or [])
    now = _now()
    with LOCK:
        usages = {account: account_usage(account, self.region, now) for account in accounts}
    costs: list[Cost] = [
        (account, usage.feature, usage.resource, _cost(usage.vcpu_seconds))
        for account, found in usages.items()
        for usage in found
        if usage.feature in features and (not resources or usage.resource in resources)
    ]
    key, items = _items(kind, costs, accounts, features, sources)
    page, token = paginate(items, body)
    result: dict[str, Any] = {"usageStatistics": {key: page}}
    if token:
        result["nextToken"] = token
    return json.dumps(result)


def _days_left(start: float | None, now: float) -> int:
    if start is None:
        return TRIAL_DAYS
    return max(0, TRIAL_DAYS - math.floor(max(0.0, now - start) / 86400))


def trial_days(account_id: str, region: str, now: float) -> dict[str, int] | None:
    """Remaining free-trial days by FreeTrialFeatureResult name (None: no detector)."""
    detector = _detector(account_id, region)
    if detector is None:
        return None
    history = _history(detector)
    created = history[0][0] if history else now
    days = {name: _days_left(created, now) for name in FOUNDATIONAL}
    for name, result in TRIAL_FEATURES.items():
        enabled = [when for when, flags in history if flags.get(name)]
        if _flags(detector).get(name):
            days[result] = _days_left(enabled[0] if enabled else now, now)
    if _flags(detector).get(RUNTIME_MONITORING):
        firsts: dict[str, float] = {}
        for usage in account_usage(account_id, region, now):
            if usage.first is not None:
                firsts[usage.feature] = min(firsts.get(usage.feature, usage.first), usage.first)
        for feature in (FARGATE, EC2):
            days[feature] = _days_left(firsts.get(feature), now)
        days.setdefault(EKS, TRIAL_DAYS)
    return days


def _account_trial(account_id: str, days: dict[str, int]) -> dict[str, Any]:
    def days_of(name: str) -> dict[str, int]:
        return {"freeTrialDaysRemaining": days[name]}

    sources: dict[str, Any] = {
        "cloudTrail": days_of("CLOUD_TRAIL"),
        "dnsLogs": days_of("DNS_LOGS"),
        "flowLogs": days_of("FLOW_LOGS"),
    }
    if "S3_DATA_EVENTS" in days:
        sources["s3Logs"] = days_of("S3_DATA_EVENTS")
    if "EKS_AUDIT_LOGS" in days:
        sources["kubernetes"] = {"auditLogs": days_of("EKS_AUDIT_LOGS")}
    if "EBS_MALWARE_PROTECTION" in days:
        sources["malwareProtection"] = {
            "scanEc2InstanceWithFindings": days_of("EBS_MALWARE_PROTECTION")
        }
    return {
        "accountId": account_id,
        "dataSources": sources,
        "features": [
            {"name": name, "freeTrialDaysRemaining": value} for name, value in days.items()
        ],
    }


def get_remaining_free_trial_days(self: GuardDutyResponse) -> str:
    detector_of(self)
    requested = request_body(self).get("accountIds") or [self.current_account]
    scope = set(_scope(self))
    now = _now()
    accounts, unprocessed = [], []
    with LOCK:
        for account_id in dict.fromkeys(requested):
            days = trial_days(account_id, self.region, now) if account_id in scope else None
            if days is None:
                unprocessed.append({"accountId": account_id, "result": NOT_A_MEMBER})
            else:
                accounts.append(_account_trial(account_id, days))
    return json.dumps({"accounts": accounts, "unprocessedAccounts": unprocessed})


# --------------------------------------------------------------------------------------------
# Hooks into moto
# --------------------------------------------------------------------------------------------


def _after(method: Callable[..., Any], stamp: Callable[..., None]) -> Callable[..., Any]:
    """Wrap a backend method: ``stamp(self, result, *args, **kwargs)`` after it, under the lock."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        with LOCK:
            stamp(self, result, *args, **kwargs)
        return result

    return wrapper


def _ran(backend: EC2ContainerServiceBackend, tasks: list[Any], *_: Any, **__: Any) -> None:
    for task in tasks:
        provider = [{"capacityProvider": task.capacity_provider_name}]
        if not _is_fargate(task.launch_type, provider):
            continue
        _set_mark(task, "start", _now())
        _set_mark(task, "agent", _agent_at_launch(backend, task.cluster_name))
        _set_mark(task, "vcpus", _vcpus(backend, task.task_definition_arn))


def _stopped(backend: EC2ContainerServiceBackend, task: Any, *_: Any, **__: Any) -> None:
    if _mark(task, "start") is not None and _mark(task, "stop") is None:
        _set_mark(task, "stop", _now())


def _created_service(backend: EC2ContainerServiceBackend, service: Any, *_: Any, **__: Any) -> None:
    if _is_fargate(service.launch_type, getattr(service, "capacity_provider_strategy", None)):
        _service_segment(backend, service, deployed=True)


def _deleted_service(backend: EC2ContainerServiceBackend, service: Any, *_: Any, **__: Any) -> None:
    if _mark(service, "segments"):
        segments = _mark(service, "segments")
        segments.append((_now(), 0, segments[-1][2], segments[-1][3]))


def _registered(backend: EC2ContainerServiceBackend, instance: Any, *_: Any, **__: Any) -> None:
    cpu = next(
        (r.get("integerValue", 0) for r in instance.registered_resources if r["name"] == "CPU"), 0
    )
    _set_mark(instance, "registered", _now())
    _set_mark(instance, "vcpus", cpu / 1024)


def _deregistered(backend: EC2ContainerServiceBackend, instance: Any, *_: Any, **__: Any) -> None:
    if instance is not None and _mark(instance, "deregistered") is None:
        _set_mark(instance, "deregistered", _now())


def install() -> None:
    """Serve GetUsageStatistics and GetRemainingFreeTrialDays; record what they are made of."""
    add_route("usage/statistics", "get_usage_statistics", get_usage_statistics)
    add_route(
        "freeTrial/daysRemaining", "get_remaining_free_trial_days", get_remaining_free_trial_days
    )

    backend = EC2ContainerServiceBackend
    for name, stamp in (
        ("run_task", _ran),
        ("stop_task", _stopped),
        ("create_service", _created_service),
        ("delete_service", _deleted_service),
        ("register_container_instance", _registered),
        ("deregister_container_instance", _deregistered),
    ):
        setattr(backend, name, _after(getattr(backend, name), stamp))

    update_service = backend.update_service

    @functools.wraps(update_service)
    def updating_service(self: EC2ContainerServiceBackend, properties: dict[str, Any]) -> Any:
        requested = dict(properties)
        cluster = str(requested.get("cluster", "default")).split("/")[-1]
        name = str(requested.get("service", "")).split("/")[-1]
        before = self.services.get(f"{cluster}:{name}")
        definition = before.task_definition if before is not None else None
        service = update_service(self, properties)
        with LOCK:
            if _mark(service, "segments"):
                deployed = bool(requested.get("force_new_deployment")) or (
                    service.task_definition != definition
                )
                _service_segment(self, service, deployed)
        return service

    backend.update_service = updating_service  # type: ignore[method-assign]

    for name in ("create_detector", "update_detector"):
        original = getattr(GuardDutyBackend, name)

        def recording(
            self: GuardDutyBackend,
            *args: Any,
            _original: Callable[..., Any] = original,
            _name: str = name,
            **kwargs: Any,
        ) -> Any:
            result = _original(self, *args, **kwargs)
            if _name == "create_detector":
                detector_id = result
            else:
                detector_id = args[0] if args else kwargs["detector_id"]
            with LOCK:
                _record(self.get_detector(detector_id))
            return result

        setattr(GuardDutyBackend, name, functools.wraps(original)(recording))
