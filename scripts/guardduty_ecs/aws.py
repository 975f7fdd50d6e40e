"""Read what a deployment created, with boto3, from AWS or from the emulator alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

# Bounded retries: an operator command must fail in seconds, not hang, when an API is down.
_CLIENT_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5)


def session_from_environment(environment: dict[str, str]) -> boto3.Session:
    """A boto3 session configured only by ``environment`` (credentials, region)."""
    return boto3.Session(
        profile_name=environment.get("AWS_PROFILE") or None,
        aws_access_key_id=environment.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=environment.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=environment.get("AWS_SESSION_TOKEN"),
        region_name=environment.get("AWS_REGION") or environment.get("AWS_DEFAULT_REGION"),
    )


def client(
    session: boto3.Session, service: str, endpoint_url: str | None = None, region: str | None = None
) -> Any:
    """A boto3 client; ``endpoint_url`` None means the service's real endpoint."""
    return session.client(
        service, endpoint_url=endpoint_url, region_name=region, config=_CLIENT_CONFIG
    )


@dataclass(frozen=True)
class DetectorState:
    """What GuardDuty reports for one detector."""

    detector_id: str
    status: str
    finding_publishing_frequency: str
    features: dict[str, str]
    additional_configuration: dict[str, dict[str, str]]
    tags: dict[str, str]


def read_detector(guardduty: Any, detector_id: str) -> DetectorState:
    """Feature and agent-management status of ``detector_id``, keyed by API name."""
    detector = guardduty.get_detector(DetectorId=detector_id)
    features = detector.get("Features", [])
    return DetectorState(
        detector_id=detector_id,
        status=detector["Status"],
        finding_publishing_frequency=detector["FindingPublishingFrequency"],
        features={feature["Name"]: feature["Status"] for feature in features},
        additional_configuration={
            feature["Name"]: {
                config["Name"]: config["Status"]
                for config in feature.get("AdditionalConfiguration", [])
            }
            for feature in features
        },
        tags=detector.get("Tags", {}),
    )


def _customer_managed_keys(kms: Any) -> list[str]:
    """Customer-managed keys that are not already scheduled for deletion."""
    keys: list[str] = []
    for page in kms.get_paginator("list_keys").paginate():
        for key in page["Keys"]:
            metadata = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            if metadata.get("KeyManager") == "CUSTOMER" and metadata["KeyState"] not in (
                "PendingDeletion",
                "PendingReplicaDeletion",
            ):
                keys.append(metadata["Arn"])
    return keys


def remaining_resources(session: boto3.Session, endpoint_url: str | None) -> dict[str, list[str]]:
    """Resources of the kinds this project creates that still exist, by kind (empty: clean).

    Meant for an emulator or a sandbox account: on a shared account it lists other people's too.
    """

    def api(service: str) -> Any:
        return client(session, service, endpoint_url)

    events, sns, kms, ec2 = api("events"), api("sns"), api("kms"), api("ec2")
    own_vpcs = [vpc["VpcId"] for vpc in ec2.describe_vpcs()["Vpcs"] if not vpc.get("IsDefault")]
    in_own_vpcs = [{"Name": "vpc-id", "Values": own_vpcs}]
    remaining = {
        "guardduty detectors": api("guardduty").list_detectors()["DetectorIds"],
        "eventbridge rules": [
            rule["Arn"] for rule in events.list_rules(EventBusName="default").get("Rules", [])
        ],
        "sns topics": [topic["TopicArn"] for topic in sns.list_topics().get("Topics", [])],
        "sns subscriptions": [
            subscription["SubscriptionArn"]
            for subscription in sns.list_subscriptions().get("Subscriptions", [])
        ],
        "sqs queues": api("sqs").list_queues().get("QueueUrls", []),
        "kms keys": _customer_managed_keys(kms),
        "kms aliases": [
            alias["AliasName"]
            for alias in kms.list_aliases().get("Aliases", [])
            if not alias["AliasName"].startswith("alias/aws/")
        ],
        "cloudwatch alarms": [
            alarm["AlarmArn"]
            for alarm in api("cloudwatch").describe_alarms().get("MetricAlarms", [])
        ],
        "vpcs": own_vpcs,
        "vpc endpoints": [
            endpoint["VpcEndpointId"]
            for endpoint in ec2.describe_vpc_endpoints(Filters=in_own_vpcs)["VpcEndpoints"]
            if endpoint["State"].lower() != "deleted"
        ]
        if own_vpcs
        else [],
        "security groups": [
            group["GroupId"]
            for group in ec2.describe_security_groups(Filters=in_own_vpcs)["SecurityGroups"]
            if group["GroupName"] != "default"
        ]
        if own_vpcs
        else [],
        "nat gateways": [
            gateway["NatGatewayId"]
            for gateway in ec2.describe_nat_gateways()["NatGateways"]
            if gateway["State"] not in ("deleted", "deleting")
        ],
        "ecs clusters": [
            cluster["clusterArn"]
            for cluster in api("ecs").describe_clusters(
                clusters=api("ecs").list_clusters()["clusterArns"]
            )["clusters"]
            if cluster["status"] == "ACTIVE"
        ],
        "iam roles": [
            role["Arn"]
            for role in api("iam").list_roles()["Roles"]
            if not role["Path"].startswith("/aws-service-role/")
        ],
        "log groups": [
            group["logGroupName"] for group in api("logs").describe_log_groups()["logGroups"]
        ],
    }
    return {kind: items for kind, items in remaining.items() if items}
