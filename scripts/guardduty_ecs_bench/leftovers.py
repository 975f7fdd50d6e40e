"""What a deployment left behind, on the emulator or on a real account.

``remaining_resources`` lists every resource of the kinds this project creates, every page of
every list. On the private emulator of a test worker the difference before and after a run is
the run's; on a real account, other people create and delete things meanwhile, and list APIs
answer late after a delete, so ``RunScope`` narrows the difference to what carries the run's
name or tag and looks again a few times before it calls anything a leftover.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from guardduty_ecs.aws import client

# DescribeClusters takes at most 100 clusters (ECS API reference, DescribeClusters).
_ECS_DESCRIBE_LIMIT = 100


def _pages(api: Any, operation: str, key: str, **arguments: Any) -> Iterator[Any]:
    """Every item under ``key`` of every page of ``operation``."""
    for page in api.get_paginator(operation).paginate(**arguments):
        yield from page.get(key, [])


def _customer_managed_keys(kms: Any) -> list[str]:
    """Customer-managed keys that are not already scheduled for deletion."""
    keys: list[str] = []
    for key in _pages(kms, "list_keys", "Keys"):
        metadata = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        if metadata.get("KeyManager") == "CUSTOMER" and metadata["KeyState"] not in (
            "PendingDeletion",
            "PendingReplicaDeletion",
        ):
            keys.append(metadata["Arn"])
    return keys


def _active_clusters(ecs: Any) -> list[str]:
    arns = list(_pages(ecs, "list_clusters", "clusterArns"))
    active: list[str] = []
    for start in range(0, len(arns), _ECS_DESCRIBE_LIMIT):
        chunk = arns[start : start + _ECS_DESCRIBE_LIMIT]
        active += [
            cluster["clusterArn"]
            for cluster in ecs.describe_clusters(clusters=chunk)["clusters"]
            if cluster["status"] == "ACTIVE"
        ]
    return active


def remaining_resources(session: boto3.Session, endpoint_url: str | None) -> dict[str, list[str]]:
    """Resources of the kinds this project creates that still exist, by kind (empty: clean).

    Meant for an emulator or a sandbox account: on a shared account it lists other people's
    too; ``new_resources`` with a ``RunScope`` keeps a run's own.
    """

    def api(service: str) -> Any:
        return client(session, service, endpoint_url)

    ec2 = api("ec2")
    own_vpcs = [
        vpc["VpcId"] for vpc in _pages(ec2, "describe_vpcs", "Vpcs") if not vpc.get("IsDefault")
    ]
    in_own_vpcs = [{"Name": "vpc-id", "Values": own_vpcs}]
    remaining = {
        "guardduty detectors": list(_pages(api("guardduty"), "list_detectors", "DetectorIds")),
        "eventbridge rules": [
            rule["Arn"]
            for rule in _pages(api("events"), "list_rules", "Rules", EventBusName="default")
        ],
        "sns topics": [topic["TopicArn"] for topic in _pages(api("sns"), "list_topics", "Topics")],
        "sns subscriptions": [
            subscription["SubscriptionArn"]
            for subscription in _pages(api("sns"), "list_subscriptions", "Subscriptions")
        ],
        "sqs queues": list(_pages(api("sqs"), "list_queues", "QueueUrls")),
        "kms keys": _customer_managed_keys(api("kms")),
        "kms aliases": [
            alias["AliasName"]
            for alias in _pages(api("kms"), "list_aliases", "Aliases")
            if not alias["AliasName"].startswith("alias/aws/")
        ],
        "cloudwatch alarms": [
            alarm["AlarmArn"]
            for alarm in _pages(api("cloudwatch"), "describe_alarms", "MetricAlarms")
        ],
        "vpcs": own_vpcs,
        "vpc endpoints": [
            endpoint["VpcEndpointId"]
            for endpoint in _pages(
                ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=in_own_vpcs
            )
            if endpoint["State"].lower() != "deleted"
        ]
        if own_vpcs
        else [],
        "security groups": [
            group["GroupId"]
            for group in _pages(
                ec2, "describe_security_groups", "SecurityGroups", Filters=in_own_vpcs
            )
            if group["GroupName"] != "default"
        ]
        if own_vpcs
        else [],
        "nat gateways": [
            gateway["NatGatewayId"]
            for gateway in _pages(ec2, "describe_nat_gateways", "NatGateways")
            if gateway["State"] not in ("deleted", "deleting")
        ],
        "ecs clusters": _active_clusters(api("ecs")),
        "iam roles": [
            role["Arn"]
            for role in _pages(api("iam"), "list_roles", "Roles")
            if not role["Path"].startswith("/aws-service-role/")
        ],
        "log groups": [
            group["logGroupName"]
            for group in _pages(api("logs"), "describe_log_groups", "logGroups")
        ],
        "cloudformation stacks": [
            stack["StackId"]
            for stack in _pages(api("cloudformation"), "list_stacks", "StackSummaries")
            if stack["StackStatus"] != "DELETE_COMPLETE"
        ],
        "eventbridge connections": [
            connection["ConnectionArn"]
            for connection in _listed(api("events"), "list_connections", "Connections")
        ],
        "eventbridge api destinations": [
            destination["ApiDestinationArn"]
            for destination in _listed(api("events"), "list_api_destinations", "ApiDestinations")
        ],
        "chat channel configurations": _chat_configurations(api, endpoint_url),
    }
    return {kind: items for kind, items in remaining.items() if items}


def _listed(api: Any, operation: str, key: str) -> list[Any]:
    """Every item of a list operation that pages by NextToken without a botocore paginator
    (EventBridge's ListConnections and ListApiDestinations)."""
    items: list[Any] = []
    arguments: dict[str, Any] = {}
    while True:
        page = getattr(api, operation)(**arguments)
        items += page.get(key, [])
        if not page.get("NextToken"):
            return items
        arguments["NextToken"] = page["NextToken"]


# "AWS Chatbot APIs are currently available in the following Regions: US East (Ohio) -
# us-east-2, US West (Oregon) - us-west-2, Asia Pacific (Singapore) - ap-southeast-1, Europe
# (Ireland) - eu-west-1" (API reference, Welcome). The emulator answers in every Region.
CHAT_API_REGIONS = ("us-east-2", "us-west-2", "ap-southeast-1", "eu-west-1")


def _chat_configurations(api: Callable[[str], Any], endpoint_url: str | None) -> list[str]:
    """Slack and Microsoft Teams channel configurations (account-wide), where the chat API is."""
    chatbot = api("chatbot")
    if endpoint_url is None and chatbot.meta.region_name not in CHAT_API_REGIONS:
        return []
    slack = _listed(chatbot, "describe_slack_channel_configurations", "SlackChannelConfigurations")
    teams = _listed(
        chatbot, "list_microsoft_teams_channel_configurations", "TeamChannelConfigurations"
    )
    return [configuration["ChatConfigurationArn"] for configuration in [*slack, *teams]]


def _pairs(tags: Iterable[dict[str, str]], key: str, value: str) -> dict[str, str]:
    return {tag[key]: tag[value] for tag in tags}


# How to read the tags of one resource of each kind whose identifier does not carry a name.
TagReader = Callable[[Callable[[str], Any], str], dict[str, str]]
TAG_READERS: dict[str, TagReader] = {
    "guardduty detectors": lambda api, detector_id: (
        api("guardduty").get_detector(DetectorId=detector_id).get("Tags", {})
    ),
    "kms keys": lambda api, arn: _pairs(
        api("kms").list_resource_tags(KeyId=arn)["Tags"], "TagKey", "TagValue"
    ),
    **{
        kind: lambda api, resource_id: _pairs(
            api("ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]}])[
                "Tags"
            ],
            "Key",
            "Value",
        )
        for kind in ("vpcs", "vpc endpoints", "security groups", "nat gateways")
    },
}


@dataclass(frozen=True)
class RunScope:
    """What marks a resource as one run's own, on an account that others use too."""

    tag_key: str
    tag_value: str
    # Parts of names the run gives (its resource names, its probe queues).
    name_markers: tuple[str, ...]
    # Seconds to wait before each new look while something seems left (list APIs are
    # eventually consistent after a delete).
    recheck_delays: tuple[float, ...] = (15.0, 30.0, 60.0)

    def owns(self, api: Callable[[str], Any], kind: str, identifier: str) -> bool:
        """True when the resource carries a marker in its identifier or the run's tag. A
        resource that is gone by the time its tags are read is not a leftover."""
        if any(marker in identifier for marker in self.name_markers):
            return True
        reader = TAG_READERS.get(kind)
        if reader is None:
            return False
        try:
            return reader(api, identifier).get(self.tag_key) == self.tag_value
        except ClientError:
            return False


def _difference(before: dict[str, list[str]], after: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        kind: sorted(set(items) - set(before.get(kind, [])))
        for kind, items in after.items()
        if set(items) - set(before.get(kind, []))
    }


def new_resources(
    session: boto3.Session,
    endpoint_url: str | None,
    before: dict[str, list[str]],
    scope: RunScope | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, list[str]]:
    """What exists now and did not in ``before``; with a scope, only the run's own, looked at
    again after each of its delays while anything is left."""

    def api(service: str) -> Any:
        return client(session, service, endpoint_url)

    def look() -> dict[str, list[str]]:
        found = _difference(before, remaining_resources(session, endpoint_url))
        if scope is None:
            return found
        owned = {
            kind: [item for item in items if scope.owns(api, kind, item)]
            for kind, items in found.items()
        }
        return {kind: items for kind, items in owned.items() if items}

    leftovers = look()
    for delay in scope.recheck_delays if scope else ():
        if not leftovers:
            break
        sleep(delay)
        leftovers = look()
    return leftovers
