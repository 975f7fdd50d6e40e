"""The blog example's destroy-time step removes GuardDuty's endpoint and security group from the
VPC, and takes "nothing to delete" (or "already gone") as success."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from guardduty_ecs_bench.harness import Workbench

pytestmark = [
    pytest.mark.apply,
    pytest.mark.emulator_only(
        reason="creates GuardDuty-tagged endpoints by hand in a reset emulator"
    ),
]

MANAGED = [{"Key": "GuardDutyManaged", "Value": "true"}]


@pytest.fixture
def teardown(
    teardown_script: ModuleType,
    workbench: Workbench,
    monkeypatch: pytest.MonkeyPatch,
    aws_client: Callable,
) -> ModuleType:
    """The example's script, run as Terraform runs it: with the AWS_* environment as is."""
    for name, value in workbench.environment.items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    return teardown_script


def _vpc(ec2: Any) -> tuple[str, str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.8.1.0/24")["Subnet"]["SubnetId"]
    return vpc_id, subnet


def _endpoint(ec2: Any, vpc_id: str, subnet: str, tags: list[dict[str, str]]) -> tuple[str, str]:
    tag = [{"ResourceType": "security-group", "Tags": tags}] if tags else []
    group = ec2.create_security_group(
        GroupName=f"sg-{len(tags)}", Description="d", VpcId=vpc_id, TagSpecifications=tag
    )["GroupId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        ServiceName="com.amazonaws.us-east-1.guardduty-data",
        VpcEndpointType="Interface",
        SubnetIds=[subnet],
        SecurityGroupIds=[group],
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": tags}] if tags else [],
    )["VpcEndpoint"]["VpcEndpointId"]
    return endpoint, group


def test_nothing_to_delete_is_success(teardown: ModuleType, aws_client: Callable) -> None:
    vpc_id, _ = _vpc(aws_client("ec2"))
    assert teardown.remove_guardduty_endpoint(vpc_id, "us-east-1", poll_seconds=0.1) == []
    assert teardown.remove_guardduty_endpoint("vpc-0000000000000000", "us-east-1") == []


def test_removes_only_guardduty_managed_endpoint_and_group(
    teardown: ModuleType, aws_client: Callable
) -> None:
    ec2 = aws_client("ec2")
    vpc_id, subnet = _vpc(ec2)
    managed_endpoint, managed_group = _endpoint(ec2, vpc_id, subnet, MANAGED)
    own_endpoint, own_group = _endpoint(ec2, vpc_id, subnet, [])

    removed = teardown.remove_guardduty_endpoint(vpc_id, "us-east-1", poll_seconds=0.1)

    assert removed == [managed_endpoint, managed_group]
    left = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert [
        e["VpcEndpointId"] for e in left["VpcEndpoints"] if e["State"].lower() != "deleted"
    ] == [own_endpoint]
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert own_group in {g["GroupId"] for g in groups["SecurityGroups"]}
    assert managed_group not in {g["GroupId"] for g in groups["SecurityGroups"]}
    # A second run (Terraform retrying a destroy) finds nothing and succeeds.
    assert teardown.remove_guardduty_endpoint(vpc_id, "us-east-1", poll_seconds=0.1) == []
