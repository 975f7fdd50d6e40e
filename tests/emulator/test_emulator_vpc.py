"""Emulator extensions for the ECS Fargate example: service settings, GuardDuty's endpoint in the
task's VPC, and VPC resources that AWS refuses to delete while in use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from guardduty_ecs_bench.workloads import (
    enable_fargate_runtime_monitoring,
    register_fargate_task_definition,
)

pytestmark = pytest.mark.emulator


def _network(ec2: Any) -> tuple[str, list[str]]:
    vpc_id = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.9.{index}.0/24", AvailabilityZone=zone)[
            "Subnet"
        ]["SubnetId"]
        for index, zone in enumerate(["us-east-1a", "us-east-1b"])
    ]
    return vpc_id, subnets


def _fargate_service(ecs: Any, cluster_tags: list[dict[str, str]], subnets: list[str]) -> None:
    # moto needs securityGroups in awsvpcConfiguration (AWS would use the VPC's default group).
    ecs.create_cluster(clusterName="app", tags=cluster_tags)
    register_fargate_task_definition(ecs)
    ecs.create_service(
        cluster="app",
        serviceName="app",
        taskDefinition="app",
        desiredCount=1,
        launchType="FARGATE",
        availabilityZoneRebalancing="DISABLED",
        networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": []}},
    )


def _guardduty_endpoints(ec2: Any, vpc_id: str) -> list[dict[str, Any]]:
    return ec2.describe_vpc_endpoints(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "tag:GuardDutyManaged", "Values": ["true"]},
        ]
    )["VpcEndpoints"]


def test_service_keeps_availability_zone_rebalancing(aws_client: Callable[[str], Any]) -> None:
    ec2, ecs = aws_client("ec2"), aws_client("ecs")
    _, subnets = _network(ec2)
    _fargate_service(ecs, [], subnets)
    (service,) = ecs.describe_services(cluster="app", services=["app"])["services"]
    assert service["availabilityZoneRebalancing"] == "DISABLED"


@pytest.mark.parametrize(
    ("managed", "cluster_tags", "expected"),
    [
        (True, [], True),
        (True, [{"key": "GuardDutyManaged", "value": "false"}], False),
        (False, [{"key": "GuardDutyManaged", "value": "true"}], False),
    ],
    ids=["agent_managed", "cluster_excluded", "agent_management_off"],
)
def test_guardduty_adds_its_endpoint_to_the_task_vpc(
    aws_client: Callable[[str], Any],
    managed: bool,
    cluster_tags: list[dict[str, str]],
    expected: bool,
) -> None:
    ec2, ecs = aws_client("ec2"), aws_client("ecs")
    if managed:
        enable_fargate_runtime_monitoring(aws_client("guardduty"))
    vpc_id, subnets = _network(ec2)
    _fargate_service(ecs, cluster_tags, subnets)
    endpoints = _guardduty_endpoints(ec2, vpc_id)
    if not expected:
        assert endpoints == []
        return
    (endpoint,) = endpoints
    assert endpoint["ServiceName"] == "com.amazonaws.us-east-1.guardduty-data"
    assert endpoint["PrivateDnsEnabled"] is True
    assert sorted(endpoint["SubnetIds"]) == sorted(subnets)
    (group,) = ec2.describe_security_groups(GroupIds=[endpoint["Groups"][0]["GroupId"]])[
        "SecurityGroups"
    ]
    assert {"Key": "GuardDutyManaged", "Value": "true"} in group["Tags"]
    (rule,) = group["IpPermissions"]
    assert (rule["FromPort"], rule["ToPort"], rule["IpRanges"][0]["CidrIp"]) == (
        443,
        443,
        "10.9.0.0/16",
    )


def test_vpc_in_use_cannot_be_deleted(aws_client: Callable[[str], Any]) -> None:
    ec2, ecs = aws_client("ec2"), aws_client("ecs")
    enable_fargate_runtime_monitoring(aws_client("guardduty"))
    vpc_id, subnets = _network(ec2)
    _fargate_service(ecs, [], subnets)
    with pytest.raises(ClientError, match="DependencyViolation"):
        ec2.delete_subnet(SubnetId=subnets[0])
    (endpoint,) = _guardduty_endpoints(ec2, vpc_id)
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
    for subnet in subnets:
        ec2.delete_subnet(SubnetId=subnet)
    with pytest.raises(ClientError, match="DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.delete_security_group(GroupId=endpoint["Groups"][0]["GroupId"])
    ec2.delete_vpc(VpcId=vpc_id)


def test_deleted_nat_gateway_releases_its_subnet(aws_client: Callable[[str], Any]) -> None:
    ec2 = aws_client("ec2")
    _, subnets = _network(ec2)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    gateway = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]
    with pytest.raises(ClientError, match="DependencyViolation"):
        ec2.delete_subnet(SubnetId=subnets[0])
    ec2.delete_nat_gateway(NatGatewayId=gateway["NatGatewayId"])
    ec2.delete_subnet(SubnetId=subnets[0])
