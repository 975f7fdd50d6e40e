"""``guardduty-ecs cost``: what Runtime Monitoring costs, would cost, and what the alerts cost.

Per account and Region, three parts:

- **Spend**, from GuardDuty itself: GetUsageStatistics "Lists Amazon GuardDuty usage statistics
  over the last 30 days for the specified detector ID" (API reference), for the features
  ``FARGATE_RUNTIME_MONITORING`` and ``EC2_RUNTIME_MONITORING`` (botocore's ``UsageFeature``
  enum): ``SUM_BY_ACCOUNT`` and ``TOP_ACCOUNTS_BY_FEATURE`` per batch of at most 50 accounts
  (``UsageCriteria.AccountIds`` takes 1 to 50), ``SUM_BY_FEATURES`` and ``TOP_RESOURCES`` once;
  amounts are ``Total.Amount`` in ``Total.Unit`` (USD). GetRemainingFreeTrialDays gives the days
  left per account and feature, 50 accounts a call. From a GuardDuty administrator the accounts
  are its own and its members' (ListMembers, 50 a page, associated only): "If you're a GuardDuty
  administrator account, you can view the cost estimates for each member account" (user guide,
  "Reviewing GuardDuty estimated usage cost").
- **Projection**, before Runtime Monitoring is on (or as it is configured): the vCPU-hours a month
  that it would monitor, from the ECS workloads of the caller's account running now. Fargate:
  each ACTIVE Fargate service's ``desiredCount`` tasks and each running standalone Fargate task
  (tasks of a service carry the task group ``service:<name>``: "Tasks launched as part of a
  service use the service name as the task group name", ECS developer guide, "Group related
  Amazon ECS tasks"), at the task's ``cpu`` / 1024 vCPUs (else its task definition's). GuardDuty
  adds its agent to a cluster's Fargate tasks when automated agent configuration
  (``ECS_FARGATE_AGENT_MANAGEMENT``) is on, unless the cluster is tagged ``GuardDutyManaged`` =
  ``false`` ("Add a tag to the Amazon ECS cluster for which you want to exclude all of the
  tasks. The key-value pair must be GuardDutyManaged-false."), and without it only to clusters
  tagged ``GuardDutyManaged`` = ``true`` ("Add a tag to an Amazon ECS cluster for which you want
  to include all of the tasks. The key-value pair must be GuardDutyManaged-true."; user guide,
  "Managing automated security agent for Fargate (Amazon ECS only)"). EC2: each ACTIVE container
  instance's registered ``CPU`` / 1024 vCPUs; with ``EC2_AGENT_MANAGEMENT`` every EC2 instance not
  tagged ``GuardDutyManaged`` = ``false``, without it "GuardDuty considers only those EC2
  instances that have an inclusion tag (GuardDutyManaged:true)" (user guide, "Service-linked role
  permissions for GuardDuty"); the tags are the EC2 instances' (DescribeInstances). The agent
  settings are the detector's when Runtime Monitoring is on, else the module's defaults (Fargate
  agent on, EC2 agent off). In dollars only with a price table (``guardduty_ecs.prices``), whose
  source and date are printed.
- **The alerts' own running costs**: the EventBridge rules of the default bus that take GuardDuty
  events (found as ``verify`` finds them, ``discovery.discover``: whatever their names, this
  module's or not), their SNS topics and dead-letter queues, the customer-managed KMS keys of
  those, the CloudWatch alarms on those rules (``AWS/Events`` ``RuleName``) and queues
  (``AWS/SQS`` ``QueueName``), and the ``guardduty-data`` interface endpoints of the Region.

Calls are O(pages): per Region 1 ListDetectors, 1 GetDetector, ceil(M / 50) ListMembers,
3 x ceil((M + 1) / 50) for the spend and free trial of M members, 2 more for the totals, and the
projection's and alerts' reads of the caller's own account (per ECS cluster one page of services,
tasks and container instances at least: ECS has no account-wide list of them).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from guardduty_ecs import discovery
from guardduty_ecs.aws import client, open_session
from guardduty_ecs.diagnosis import diagnosis
from guardduty_ecs.errors import EXIT_OK
from guardduty_ecs.output import Outcome
from guardduty_ecs.prices import PriceTable, default_table, read_table
from guardduty_ecs.regions import map_regions, refused, target_regions

FARGATE = "FARGATE_RUNTIME_MONITORING"
EC2 = "EC2_RUNTIME_MONITORING"
RUNTIME_FEATURES = (FARGATE, EC2)
ACCOUNTS_PER_CALL = 50  # UsageCriteria.AccountIds, GetRemainingFreeTrialDays.AccountIds: 1-50
MEMBERS_PER_PAGE = 50  # ListMembers: "The maximum value is 50."
TAG = "GuardDutyManaged"
MODULE_DEFAULT_AGENTS = (True, False)  # modules/runtime-monitoring: Fargate agent on, EC2 off
DESCRIBE_CLUSTERS = 100
DESCRIBE_SERVICES = 10
DESCRIBE_TASKS = 100
DESCRIBE_CONTAINER_INSTANCES = 100
INSTANCE_FILTER_VALUES = 200
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
AWS_ERRORS = (ClientError, BotoCoreError)


# --------------------------------------------------------------------------------------------
# What a Region reported
# --------------------------------------------------------------------------------------------


@dataclass
class AccountSpend:
    """One account's Runtime Monitoring cost over the last 30 days, and its free-trial days."""

    account: str
    total: float = 0.0
    features: dict[str, float] = field(default_factory=dict)
    free_trial_days: dict[str, int] = field(default_factory=dict)


@dataclass
class Spend:
    unit: str = "USD"
    accounts: list[AccountSpend] = field(default_factory=list)
    by_feature: dict[str, float] = field(default_factory=dict)
    top_resources: list[dict[str, Any]] = field(default_factory=list)
    unprocessed: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ClusterProjection:
    """One ECS cluster: its vCPUs running now, and how many Runtime Monitoring would monitor."""

    cluster: str
    tag: str | None
    fargate_vcpus: float
    fargate_monitored_vcpus: float
    ec2_vcpus: float
    ec2_monitored_vcpus: float


@dataclass
class Projection:
    basis: str
    fargate_agent: bool
    ec2_agent: bool
    hours_per_month: float
    clusters: list[ClusterProjection] = field(default_factory=list)

    def vcpu_hours(self, feature: str) -> float:
        monitored = sum(
            c.fargate_monitored_vcpus if feature == FARGATE else c.ec2_monitored_vcpus
            for c in self.clusters
        )
        return monitored * self.hours_per_month


@dataclass(frozen=True)
class ModuleItem:
    """Resources of one kind that the account's GuardDuty alerts run on."""

    item: str  # kms_key, alarm_metric, sns_topic, guardduty_data_endpoint
    names: tuple[str, ...]


@dataclass
class RegionCost:
    region: str
    account: str = ""
    detector_id: str | None = None
    administrator: bool = False
    spend: Spend | None = None
    projection: Projection | None = None
    module: list[ModuleItem] = field(default_factory=list)
    api_calls: int = 0
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    failure: Exception | None = None  # what ended the Region, for the command's diagnosis
    skipped: bool = False  # --all-regions: no detector here, or the Region refused us


class _Calls:
    """Counts the API calls of the clients it is attached to (botocore's before-call event)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, **_: Any) -> None:
        self.count += 1


def _counted(
    session: boto3.Session, service: str, region: str, calls: _Calls, endpoint: str | None
) -> Any:
    api = client(session, service, endpoint, region)
    api.meta.events.register("before-call.*.*", calls)
    return api


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _error_text(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


# --------------------------------------------------------------------------------------------
# Spend: GetUsageStatistics and GetRemainingFreeTrialDays
# --------------------------------------------------------------------------------------------


def _members(guardduty: Any, detector_id: str) -> list[str]:
    members, token = [], ""
    while True:
        request: dict[str, Any] = {
            "DetectorId": detector_id,
            "MaxResults": MEMBERS_PER_PAGE,
            "OnlyAssociated": "true",
        }
        if token:
            request["NextToken"] = token
        page = guardduty.list_members(**request)
        members += [member["AccountId"] for member in page.get("Members", [])]
        token = page.get("NextToken", "")
        if not token:
            return members


def _usage(
    guardduty: Any, detector_id: str, kind: str, accounts: list[str] | None
) -> Iterator[Any]:
    """Every item of a GetUsageStatistics list, page after page."""
    criteria: dict[str, Any] = {"Features": list(RUNTIME_FEATURES)}
    if accounts:
        criteria["AccountIds"] = accounts
    key = {
        "SUM_BY_ACCOUNT": "SumByAccount",
        "TOP_ACCOUNTS_BY_FEATURE": "TopAccountsByFeature",
        "SUM_BY_FEATURES": "SumByFeature",
        "TOP_RESOURCES": "TopResources",
    }[kind]
    token = ""
    while True:
        request: dict[str, Any] = {
            "DetectorId": detector_id,
            "UsageStatisticType": kind,
            "UsageCriteria": criteria,
            "Unit": "USD",
        }
        if token:
            request["NextToken"] = token
        page = guardduty.get_usage_statistics(**request)
        yield from (page.get("UsageStatistics") or {}).get(key) or []
        token = page.get("NextToken", "")
        if not token:
            return


def _amount(total: dict[str, Any] | None) -> tuple[float, str]:
    total = total or {}
    try:
        return float(total.get("Amount") or 0.0), str(total.get("Unit") or "USD")
    except ValueError:
        return 0.0, str(total.get("Unit") or "USD")


def _spend(guardduty: Any, detector_id: str, accounts: list[str]) -> Spend:
    spend = Spend()
    by_account = {account: AccountSpend(account) for account in accounts}
    for batch in _batches(accounts, ACCOUNTS_PER_CALL):
        for item in _usage(guardduty, detector_id, "SUM_BY_ACCOUNT", batch):
            row = by_account.setdefault(item["AccountId"], AccountSpend(item["AccountId"]))
            row.total, spend.unit = _amount(item.get("Total"))
        for item in _usage(guardduty, detector_id, "TOP_ACCOUNTS_BY_FEATURE", batch):
            for entry in item.get("Accounts", []):
                row = by_account.setdefault(entry["AccountId"], AccountSpend(entry["AccountId"]))
                row.features[item["Feature"]] = _amount(entry.get("Total"))[0]
        answer = guardduty.get_remaining_free_trial_days(DetectorId=detector_id, AccountIds=batch)
        for account in answer.get("Accounts", []):
            row = by_account.setdefault(account["AccountId"], AccountSpend(account["AccountId"]))
            row.free_trial_days = {
                feature["Name"]: int(feature.get("FreeTrialDaysRemaining", 0))
                for feature in account.get("Features", [])
            }
        spend.unprocessed += [
            {"account": item["AccountId"], "result": item.get("Result", "")}
            for item in answer.get("UnprocessedAccounts", [])
        ]
    for row in by_account.values():
        for feature in RUNTIME_FEATURES:
            row.features.setdefault(feature, 0.0)
    spend.accounts = sorted(by_account.values(), key=lambda row: row.account)
    spend.by_feature = {
        item["Feature"]: _amount(item.get("Total"))[0]
        for item in _usage(guardduty, detector_id, "SUM_BY_FEATURES", None)
    }
    spend.top_resources = [
        {"resource": item["Resource"], "amount": _amount(item.get("Total"))[0]}
        for item in _usage(guardduty, detector_id, "TOP_RESOURCES", None)
    ]
    return spend


# --------------------------------------------------------------------------------------------
# Projection: the ECS workloads running now
# --------------------------------------------------------------------------------------------


def _pages(api: Any, operation: str, key: str, **request: Any) -> Iterator[Any]:
    for page in api.get_paginator(operation).paginate(**request):
        yield from page.get(key, [])


def _tag(tags: list[dict[str, str]] | None, key_name: str = "key") -> str | None:
    value_name = "value" if key_name == "key" else "Value"
    for tag in tags or []:
        if tag.get(key_name) == TAG:
            return str(tag.get(value_name, "")).strip().lower()
    return None


def _is_fargate(item: dict[str, Any]) -> bool:
    if item.get("launchType") == "FARGATE":
        return True
    strategy = item.get("capacityProviderStrategy") or []
    provider = item.get("capacityProviderName") or (
        strategy[0].get("capacityProvider") if strategy else None
    )
    return provider in FARGATE_PROVIDERS


class _Definitions:
    """Task definitions' CPU units, read once each."""

    def __init__(self, ecs: Any) -> None:
        self._ecs = ecs
        self._cpu: dict[str, float] = {}

    def vcpus(self, arn: str) -> float:
        if arn not in self._cpu:
            definition = self._ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
            self._cpu[arn] = float(definition.get("cpu") or 0) / 1024
        return self._cpu[arn]


def _fargate_vcpus(ecs: Any, cluster_arn: str, definitions: _Definitions) -> float:
    """vCPUs of the cluster's Fargate services (desired tasks) and standalone Fargate tasks."""
    vcpus = 0.0
    services = list(_pages(ecs, "list_services", "serviceArns", cluster=cluster_arn))
    for batch in _batches(services, DESCRIBE_SERVICES):
        described = ecs.describe_services(cluster=cluster_arn, services=batch)
        for service in described.get("services", []):
            if service.get("status") == "ACTIVE" and _is_fargate(service):
                count = int(service.get("desiredCount") or 0)
                if count:
                    vcpus += count * definitions.vcpus(service["taskDefinition"])
    tasks = list(
        _pages(ecs, "list_tasks", "taskArns", cluster=cluster_arn, desiredStatus="RUNNING")
    )
    for batch in _batches(tasks, DESCRIBE_TASKS):
        for task in ecs.describe_tasks(cluster=cluster_arn, tasks=batch).get("tasks", []):
            if str(task.get("group", "")).startswith("service:") or not _is_fargate(task):
                continue  # a service's task is counted with its service
            if task.get("cpu"):
                vcpus += float(task["cpu"]) / 1024
            else:
                vcpus += definitions.vcpus(task["taskDefinitionArn"])
    return vcpus


def _container_instances(ecs: Any, cluster_arn: str) -> list[tuple[str, float]]:
    """(EC2 instance ID, registered vCPUs) of the cluster's ACTIVE container instances."""
    arns = list(
        _pages(
            ecs,
            "list_container_instances",
            "containerInstanceArns",
            cluster=cluster_arn,
            status="ACTIVE",
        )
    )
    found = []
    for batch in _batches(arns, DESCRIBE_CONTAINER_INSTANCES):
        described = ecs.describe_container_instances(cluster=cluster_arn, containerInstances=batch)
        for instance in described.get("containerInstances", []):
            cpu = next(
                (
                    resource.get("integerValue", 0)
                    for resource in instance.get("registeredResources", [])
                    if resource.get("name") == "CPU"
                ),
                0,
            )
            found.append((instance.get("ec2InstanceId", ""), cpu / 1024))
    return found


def _instance_tags(ec2: Any, instance_ids: list[str]) -> dict[str, str | None]:
    tags: dict[str, str | None] = {}
    for batch in _batches(sorted(set(instance_ids)), INSTANCE_FILTER_VALUES):
        for reservation in _pages(
            ec2,
            "describe_instances",
            "Reservations",
            Filters=[{"Name": "instance-id", "Values": batch}],
        ):
            for instance in reservation.get("Instances", []):
                tags[instance["InstanceId"]] = _tag(instance.get("Tags"), "Key")
    return tags


def _agents(detector: dict[str, Any] | None) -> tuple[bool, bool, str]:
    """(Fargate agent, EC2 agent, basis) the projection assumes."""
    for feature in (detector or {}).get("Features", []):
        if feature.get("Name") == "RUNTIME_MONITORING" and feature.get("Status") == "ENABLED":
            on = {
                c["Name"]
                for c in feature.get("AdditionalConfiguration", [])
                if c.get("Status") == "ENABLED"
            }
            fargate, ec2 = "ECS_FARGATE_AGENT_MANAGEMENT" in on, "EC2_AGENT_MANAGEMENT" in on
            return fargate, ec2, "as the detector is configured"
    fargate, ec2 = MODULE_DEFAULT_AGENTS
    return fargate, ec2, "if turned on with the module's defaults (Runtime Monitoring is off)"


def _projection(
    ecs: Any, ec2: Any, detector: dict[str, Any] | None, hours_per_month: float
) -> Projection:
    fargate_agent, ec2_agent, basis = _agents(detector)
    projection = Projection(basis, fargate_agent, ec2_agent, hours_per_month)
    definitions = _Definitions(ecs)
    clusters = list(_pages(ecs, "list_clusters", "clusterArns"))
    described: list[dict[str, Any]] = []
    for batch in _batches(clusters, DESCRIBE_CLUSTERS):
        answer = ecs.describe_clusters(clusters=batch, include=["TAGS"])
        described += [c for c in answer.get("clusters", []) if c.get("status") == "ACTIVE"]
    per_cluster = []
    for cluster in described:
        arn = cluster["clusterArn"]
        per_cluster.append(
            (cluster, _fargate_vcpus(ecs, arn, definitions), _container_instances(ecs, arn))
        )
    instance_ids = [i for _, _, instances in per_cluster for i, _ in instances if i]
    tags = _instance_tags(ec2, instance_ids) if instance_ids else {}
    for cluster, fargate, instances in per_cluster:
        tag = _tag(cluster.get("tags"))
        fargate_on = tag == "true" or (fargate_agent and tag != "false")
        ec2_monitored = 0.0 + sum(
            vcpus
            for instance_id, vcpus in instances
            if tags.get(instance_id) == "true" or (ec2_agent and tags.get(instance_id) != "false")
        )
        projection.clusters.append(
            ClusterProjection(
                cluster.get("clusterName", cluster["clusterArn"]),
                tag,
                fargate,
                fargate if fargate_on else 0.0,
                sum((vcpus for _, vcpus in instances), 0.0),
                ec2_monitored,
            )
        )
    return projection


# --------------------------------------------------------------------------------------------
# The alerts' own resources
# --------------------------------------------------------------------------------------------


def _queue_of(arn: str) -> tuple[str, str]:
    parts = arn.split(":")
    return parts[4], parts[5]  # account, queue name


def _module_items(
    session: boto3.Session,
    region: str,
    account: str,
    calls: _Calls,
    endpoint: str | None,
) -> list[ModuleItem]:
    def api(service: str) -> Any:
        return _counted(session, service, region, calls, endpoint)

    deployment = discovery.discover(
        api("guardduty"), api("events"), account, region, discovery.Hints()
    )
    topics = list(deployment.topic_arns)
    queues = sorted(
        {
            target["DeadLetterConfig"]["Arn"]
            for rule in deployment.rules
            for target in rule.targets
            if (target.get("DeadLetterConfig") or {}).get("Arn")
        }
    )
    keys: list[str] = []
    sns, sqs = (api("sns"), api("sqs")) if topics or queues else (None, None)
    for topic in topics:
        attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        keys.append(attributes.get("KmsMasterKeyId", ""))
    for queue in queues:
        owner, name = _queue_of(queue)
        url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=owner)["QueueUrl"]
        answer = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId"])
        keys.append(answer.get("Attributes", {}).get("KmsMasterKeyId", ""))
    customer_keys: set[str] = set()
    if any(keys):
        kms = api("kms")
        for key in dict.fromkeys(k for k in keys if k):
            metadata = kms.describe_key(KeyId=key)["KeyMetadata"]
            if metadata.get("KeyManager") == "CUSTOMER":
                customer_keys.add(metadata["Arn"])
    rule_names = {rule.name for rule in deployment.rules}
    queue_names = {_queue_of(queue)[1] for queue in queues}
    alarms = []
    if rule_names:
        for alarm in _pages(api("cloudwatch"), "describe_alarms", "MetricAlarms"):
            dimensions = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
            if (
                alarm.get("Namespace") == "AWS/Events" and dimensions.get("RuleName") in rule_names
            ) or (
                alarm.get("Namespace") == "AWS/SQS" and dimensions.get("QueueName") in queue_names
            ):
                alarms.append(alarm["AlarmName"])
    endpoints = [
        endpoint_["VpcEndpointId"]
        for endpoint_ in _pages(
            api("ec2"),
            "describe_vpc_endpoints",
            "VpcEndpoints",
            Filters=[
                {"Name": "service-name", "Values": [f"com.amazonaws.{region}.guardduty-data"]}
            ],
        )
        if endpoint_.get("State", "").lower() not in ("deleted", "deleting")
    ]
    return [
        ModuleItem("kms_key", tuple(sorted(customer_keys))),
        ModuleItem("alarm_metric", tuple(sorted(alarms))),
        ModuleItem("sns_topic", tuple(topics)),
        ModuleItem("guardduty_data_endpoint", tuple(endpoints)),
    ]


# --------------------------------------------------------------------------------------------
# A Region, and every Region
# --------------------------------------------------------------------------------------------


def region_cost(
    session: boto3.Session,
    region: str,
    account: str,
    prices: PriceTable,
    *,
    endpoint_url: str | None = None,
    with_module: bool = True,
    all_regions: bool = False,
) -> RegionCost:
    """Spend (every account the caller's detector reads), projection and the alerts' resources
    (the caller's account) of one Region; with ``all_regions`` a Region without a detector is
    skipped. AWS errors end the Region (``error``) or a part of it (``warnings``); anything else
    is a bug and is raised."""
    result = RegionCost(region, account)
    calls = _Calls()
    guardduty = _counted(session, "guardduty", region, calls, endpoint_url)
    try:
        detectors = guardduty.list_detectors()["DetectorIds"]
        detector: dict[str, Any] | None = None
        if detectors:
            result.detector_id = detectors[0]
            detector = guardduty.get_detector(DetectorId=detectors[0])
    except AWS_ERRORS as error:
        result.error, result.failure = _error_text(error), error
        result.api_calls = calls.count
        return result
    if all_regions and not result.detector_id:
        result.skipped, result.api_calls = True, calls.count
        return result
    if result.detector_id:
        try:
            members = [m for m in _members(guardduty, result.detector_id) if m != account]
            result.administrator = bool(members)
            result.spend = _spend(guardduty, result.detector_id, [account, *members])
        except AWS_ERRORS as error:
            result.warnings.append(f"spend: {_error_text(error)}")
    try:
        result.projection = _projection(
            _counted(session, "ecs", region, calls, endpoint_url),
            _counted(session, "ec2", region, calls, endpoint_url),
            detector,
            prices.hours_per_month,
        )
    except AWS_ERRORS as error:
        result.warnings.append(f"projection: {_error_text(error)}")
    if with_module:
        try:
            result.module = _module_items(session, region, account, calls, endpoint_url)
        except AWS_ERRORS as error:
            result.warnings.append(f"alert resources: {_error_text(error)}")
    result.api_calls = calls.count
    return result


def caller_account(session: boto3.Session, region: str, endpoint_url: str | None = None) -> str:
    return str(client(session, "sts", endpoint_url, region).get_caller_identity()["Account"])


def cost(
    session: boto3.Session,
    regions: list[str],
    prices: PriceTable,
    *,
    endpoint_url: str | None = None,
    with_module: bool = True,
    all_regions: bool = False,
) -> list[RegionCost]:
    """Every Region, in parallel (8 at a time), in the order of ``regions``. With
    ``all_regions``, Regions without a detector, and Regions that refuse the credentials when
    another accepted them, are skipped."""
    # The session's own Region first: with --all-regions the first of the list may be an opt-in
    # Region that the account has not enabled.
    account = caller_account(session, session.region_name or regions[0], endpoint_url)
    results = map_regions(
        regions,
        lambda region: region_cost(
            session,
            region,
            account,
            prices,
            endpoint_url=endpoint_url,
            with_module=with_module,
            all_regions=all_regions,
        ),
    )
    if all_regions:
        accepted = any(result.failure is None for result in results)
        for result in results:
            result.skipped = result.skipped or (accepted and refused(result.failure))
    return results


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------


def _usd(value: float | None) -> str:
    return "not priced" if value is None else f"{value:.2f}"


def _module_usd(item: ModuleItem, prices: PriceTable | None) -> float | None:
    price = prices.monthly(item.item) if prices else None
    if price is None:
        return None
    return round(price * len(item.names), 6)


def projection_usd(projection: Projection, prices: PriceTable | None) -> float | None:
    if prices is None:
        return None
    hours = sum(projection.vcpu_hours(feature) for feature in RUNTIME_FEATURES)
    usd = prices.runtime_monitoring_usd(hours)
    return None if usd is None else round(usd, 6)


def to_json(results: list[RegionCost], prices: PriceTable | None) -> dict[str, Any]:
    """The document ``--output json`` prints (its schema is in the README)."""
    regions = []
    for result in results:
        projection = None
        if result.projection is not None:
            projection = {
                "basis": result.projection.basis,
                "fargate_agent": result.projection.fargate_agent,
                "ec2_agent": result.projection.ec2_agent,
                "hours_per_month": result.projection.hours_per_month,
                "vcpu_hours_per_month": {
                    feature: round(result.projection.vcpu_hours(feature), 3)
                    for feature in RUNTIME_FEATURES
                },
                "usd_per_month": projection_usd(result.projection, prices),
                "clusters": [asdict(cluster) for cluster in result.projection.clusters],
            }
        regions.append(
            {
                "region": result.region,
                "account": result.account,
                "detector_id": result.detector_id,
                "administrator": result.administrator,
                "skipped": result.skipped,
                "error": result.error,
                "warnings": result.warnings,
                "api_calls": result.api_calls,
                "spend": None
                if result.spend is None
                else {
                    "period_days": 30,
                    "unit": result.spend.unit,
                    "accounts": [asdict(row) for row in result.spend.accounts],
                    "by_feature": result.spend.by_feature,
                    "top_resources": result.spend.top_resources,
                    "unprocessed": result.spend.unprocessed,
                },
                "projection": projection,
                "alert_resources": [
                    {
                        "item": item.item,
                        "count": len(item.names),
                        "names": list(item.names),
                        "usd_per_month": _module_usd(item, prices),
                    }
                    for item in result.module
                ],
            }
        )
    return {
        "prices": None if prices is None else {"origin": prices.origin, **prices.document},
        "regions": regions,
        "api_calls": sum(result.api_calls for result in results),
    }


ITEM_LABELS = {
    "kms_key": "customer-managed KMS keys",
    "alarm_metric": "CloudWatch alarms",
    "sns_topic": "SNS topics",
    "guardduty_data_endpoint": "guardduty-data endpoints",
}


def _table(out: TextIO, rows: list[tuple[str, ...]]) -> None:
    """Columns padded to their widest cell; the last column is not padded."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        out.write("  ".join([*cells, row[-1]]).rstrip() + "\n")


def _vcpu_hours(value: float) -> str:
    return f"{value:,.1f}"


def _spend_table(out: TextIO, results: list[RegionCost]) -> None:
    rows: list[tuple[str, ...]] = [
        ("REGION", "ACCOUNT", "FARGATE", "EC2", "TOTAL", "FREE TRIAL DAYS LEFT (FARGATE/EC2)")
    ]
    for result in results:
        for row in result.spend.accounts if result.spend else []:
            days = "/".join(
                str(row.free_trial_days[f]) if f in row.free_trial_days else "-"
                for f in RUNTIME_FEATURES
            )
            rows.append(
                (
                    result.region,
                    row.account,
                    f"{row.features.get(FARGATE, 0.0):.2f}",
                    f"{row.features.get(EC2, 0.0):.2f}",
                    f"{row.total:.2f}",
                    days,
                )
            )
    out.write("Runtime Monitoring spend, last 30 days (GuardDuty GetUsageStatistics, USD):\n")
    if len(rows) == 1:
        out.write("  no Region with a GuardDuty detector\n")
    else:
        _table(out, rows)
    for result in results:
        if result.spend and result.spend.top_resources:
            top = ", ".join(
                f"{item['resource']} {item['amount']:.2f}"
                for item in result.spend.top_resources[:5]
            )
            out.write(f"  top resources in {result.region}: {top}\n")
        for item in result.spend.unprocessed if result.spend else []:
            out.write(f"  {result.region} {item['account']}: {item['result']}\n")


def _projection_tables(out: TextIO, results: list[RegionCost], prices: PriceTable | None) -> None:
    out.write(
        "\nProjection: Runtime Monitoring a month for the ECS workloads running now "
        "(this account):\n"
    )
    rows: list[tuple[str, ...]] = [
        ("REGION", "ACCOUNT", "CLUSTERS", "FARGATE vCPU-h", "EC2 vCPU-h", "USD/MONTH", "BASIS")
    ]
    clusters: list[tuple[str, ...]] = [
        ("REGION", "CLUSTER", "GuardDutyManaged", "FARGATE vCPU", "EC2 vCPU", "MONITORED vCPU")
    ]
    for result in results:
        projection = result.projection
        if projection is None:
            continue
        usd = projection_usd(projection, prices)
        rows.append(
            (
                result.region,
                result.account,
                str(len(projection.clusters)),
                _vcpu_hours(projection.vcpu_hours(FARGATE)),
                _vcpu_hours(projection.vcpu_hours(EC2)),
                "-" if prices is None else _usd(usd),
                projection.basis,
            )
        )
        for c in projection.clusters:
            clusters.append(
                (
                    result.region,
                    c.cluster,
                    c.tag or "-",
                    f"{c.fargate_vcpus:g}",
                    f"{c.ec2_vcpus:g}",
                    f"{c.fargate_monitored_vcpus + c.ec2_monitored_vcpus:g}",
                )
            )
    _table(out, rows)
    if len(clusters) > 1:
        out.write("\n")
        _table(out, clusters)


def _module_table(out: TextIO, results: list[RegionCost], prices: PriceTable | None) -> None:
    rows: list[tuple[str, ...]] = [("REGION", "ITEM", "COUNT", "USD/MONTH")]
    for result in results:
        for item in result.module:
            usd = _module_usd(item, prices)
            shown = "per use" if item.item == "sns_topic" else "-" if prices is None else _usd(usd)
            rows.append((result.region, ITEM_LABELS[item.item], str(len(item.names)), shown))
    if len(rows) == 1:
        return
    out.write(
        "\nThe alerts' own resources (the account's GuardDuty rules, found as verify finds them):\n"
    )
    _table(out, rows)
    if prices is not None and prices.alarm_metrics_free:
        out.write(
            f"  alarms: the first {prices.alarm_metrics_free} alarm metrics of an account are "
            "free each month; SNS topics bill per publish and delivery\n"
        )


def report(results: list[RegionCost], prices: PriceTable | None, out: TextIO) -> None:
    """The tables for people; Regions skipped by --all-regions are left out."""
    skipped = [result.region for result in results if result.skipped]
    calls = sum(result.api_calls for result in results)
    results = [result for result in results if not result.skipped]
    if prices is None:
        out.write("Prices: none (--no-prices): vCPU-hours only\n\n")
    else:
        out.write(f"Prices: {prices.origin} table of {prices.date}; source: {prices.source}\n")
        for note in prices.document.get("notes", []):
            out.write(f"  note: {note}\n")
        out.write("\n")
    _spend_table(out, results)
    _projection_tables(out, results, prices)
    _module_table(out, results, prices)
    out.write("\n")
    for result in results:
        if result.error:
            out.write(f"{result.region}: {result.error}\n")
        elif not result.detector_id:
            out.write(f"{result.region}: no GuardDuty detector (projection only)\n")
        for warning in result.warnings:
            out.write(f"{result.region}: {warning}\n")
    accounts = {row.account for r in results if r.spend for row in r.spend.accounts}
    if skipped:
        out.write(f"skipped (no detector, or the Region refused us): {', '.join(skipped)}\n")
    out.write(
        f"{len(results)} Regions, {len(accounts)} accounts with spend read ({calls} API calls)\n"
    )


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``cost`` beyond the common ones (--profile, --output, the Regions)."""
    prices = parser.add_mutually_exclusive_group()
    prices.add_argument(
        "--prices",
        metavar="FILE",
        help="a JSON price table instead of the default (us-east-1 public prices of 2026-10-07; "
        "the format is in the README); its source and date are printed with the dollars",
    )
    prices.add_argument(
        "--no-prices",
        action="store_true",
        help="no dollar figures of our own: vCPU-hours, and GuardDuty's own usage statistics",
    )


def _verdict(results: list[RegionCost]) -> str:
    read = [r for r in results if not r.skipped and not r.error]
    accounts = {row.account for r in read if r.spend for row in r.spend.accounts}
    total = sum(row.total for r in read if r.spend for row in r.spend.accounts)
    hours = sum(r.projection.vcpu_hours(f) for r in read if r.projection for f in RUNTIME_FEATURES)
    return (
        f"{len(read)} Regions read: {total:.2f} USD of Runtime Monitoring in the last 30 days "
        f"over {len(accounts)} accounts; {hours:,.1f} vCPU-hours a month projected"
    )


def handle(args: argparse.Namespace) -> Outcome:
    """The ``cost`` handler: the price file first, then the session, then AWS."""
    prices = (
        None if args.no_prices else (read_table(args.prices) if args.prices else default_table())
    )
    session = open_session(args.profile, (args.region or [None])[0])
    regions = target_regions(session, args.region, args.all_regions)
    results = cost(session, regions, prices or default_table(), all_regions=args.all_regions)
    fields = to_json(results, prices)
    failed = [result.failure for result in results if result.failure is not None]
    if failed and len(failed) == len(results):
        code, lines = diagnosis(failed[0])
        reason = lines[0] if len(regions) == 1 else f"every Region failed; {regions[0]}: {lines[0]}"
        fix = " ".join(line.removeprefix("fix: ") for line in lines[1:])
        return Outcome(code, reason, fields, fix=fix)

    def table(out: TextIO) -> None:
        report(results, prices, out)

    return Outcome(EXIT_OK, _verdict(results), fields, table)
