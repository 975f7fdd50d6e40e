"""modules/vpc-endpoint applied to the emulator, in a VPC (DNS support and hostnames on) with a
secondary CIDR block and a subnet in each of two zones, read back with boto3.

The network is created with boto3 before the module is applied, as an operator's VPC would
exist before the endpoint; the module reads it with ``data "aws_vpc"``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs_bench.deployment import Deployment, deployed
from guardduty_ecs_bench.harness import Workbench, initialised_stack

# One worker runs the whole module, so that its one deployment is applied once.
pytestmark = [
    pytest.mark.apply,
    pytest.mark.xdist_group("vpc-endpoint"),
    pytest.mark.emulator_only(
        reason="asserts on VPCs and endpoints of a private emulator that nothing else uses"
    ),
]

MODULE = "modules/vpc-endpoint"
SERVICE_NAME = "com.amazonaws.us-east-1.guardduty-data"
ACCOUNT_ID = "123456789012"
TAGS = {"Team": "platform"}


@dataclass(frozen=True)
class Network:
    vpc_id: str
    cidr_blocks: list[str]  # primary first
    subnet_ids: list[str]


def _create_network(ec2: Any, primary: str, secondary: str) -> Network:
    vpc_id = ec2.create_vpc(CidrBlock=primary)["Vpc"]["VpcId"]
    # Set both explicitly: a new VPC has DNS support on and DNS hostnames off.
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=secondary)
    subnet_ids = [
        ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=cidr.replace(".0.0/16", ".1.0/24"), AvailabilityZone=zone
        )["Subnet"]["SubnetId"]
        for cidr, zone in ((primary, "us-east-1a"), (secondary, "us-east-1b"))
    ]
    return Network(vpc_id, [primary, secondary], subnet_ids)


def _delete_network(ec2: Any, network: Network) -> None:
    for subnet_id in network.subnet_ids:
        ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=network.vpc_id)


@pytest.fixture(scope="module")
def ec2(private_workbench: Workbench) -> Any:
    session = session_from_environment(private_workbench.environment)
    return client(session, "ec2", private_workbench.environment["AWS_ENDPOINT_URL"])


@pytest.fixture(scope="module")
def network(ec2: Any) -> Iterator[Network]:
    network = _create_network(ec2, "10.70.0.0/16", "100.64.0.0/16")
    yield network
    # After the deployment's destroy: the emulator, like AWS, refuses to delete a subnet that
    # still holds an endpoint's network interface, or a VPC with a security group left in it.
    _delete_network(ec2, network)


@pytest.fixture(scope="module")
def deployment(private_workbench: Workbench, network: Network) -> Iterator[Deployment]:
    tf_vars = {"vpc_id": network.vpc_id, "subnet_ids": network.subnet_ids, "tags": TAGS}
    with deployed(private_workbench, MODULE, tf_vars) as applied:
        yield applied


def _endpoint(ec2: Any, endpoint_id: str) -> dict[str, Any]:
    (endpoint,) = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"]
    return endpoint


def _group(ec2: Any, group_id: str) -> dict[str, Any]:
    (group,) = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    return group


def _https_sources(group: dict[str, Any]) -> list[str]:
    """The CIDR blocks of the group's only ingress rule, which must be TCP 443 from CIDRs only."""
    (rule,) = group["IpPermissions"]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 443, 443)
    assert rule.get("Ipv6Ranges", []) == []
    assert rule.get("UserIdGroupPairs", []) == []
    assert rule.get("PrefixListIds", []) == []
    return sorted(ip_range["CidrIp"] for ip_range in rule["IpRanges"])


def test_endpoint_is_guardduty_data_interface_with_private_dns(
    deployment: Deployment, network: Network, ec2: Any
) -> None:
    outputs = deployment.outputs
    endpoint = _endpoint(ec2, outputs["endpoint_id"])
    assert endpoint["ServiceName"] == SERVICE_NAME == outputs["service_name"]
    assert endpoint["VpcEndpointType"] == "Interface"
    assert endpoint["PrivateDnsEnabled"] is True
    assert endpoint["State"].lower() == "available"
    assert endpoint["VpcId"] == network.vpc_id
    assert sorted(endpoint["SubnetIds"]) == sorted(network.subnet_ids)
    assert [group["GroupId"] for group in endpoint["Groups"]] == [outputs["security_group_id"]]
    assert {tag["Key"]: tag["Value"] for tag in endpoint["Tags"]} == TAGS
    assert outputs["endpoint_arn"] == (
        f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:vpc-endpoint/{outputs['endpoint_id']}"
    )
    assert outputs["endpoint_dns_entries"] == [
        {"dns_name": entry["DnsName"], "hosted_zone_id": entry["HostedZoneId"]}
        for entry in endpoint["DnsEntries"]
    ]
    assert outputs["endpoint_dns_entries"] != []


def test_security_group_allows_only_https_from_the_vpc_cidr_blocks(
    deployment: Deployment, network: Network, ec2: Any
) -> None:
    group = _group(ec2, deployment.outputs["security_group_id"])
    assert group["VpcId"] == network.vpc_id
    assert group["GroupName"].startswith("guardduty-data-endpoint-")
    # Exactly the primary and the secondary block, and no way out: no egress rule at all.
    assert _https_sources(group) == sorted(network.cidr_blocks)
    assert group["IpPermissionsEgress"] == []
    assert sorted(deployment.outputs["allowed_cidr_blocks"]) == sorted(network.cidr_blocks)
    assert {tag["Key"]: tag["Value"] for tag in group["Tags"]} == TAGS


def _principal_statements(key: str, value: str) -> list[dict[str, Any]]:
    """The GuardDuty user guide's endpoint policy: Allow *, Deny when the principal's account
    (or organization) differs; the Allow repeats the condition."""
    return [
        {
            "Sid": f"AllowThis{'Organization' if key.endswith('OrgID') else 'Account'}",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {key: value}},
        },
        {
            "Sid": "DenyOutsideThisOrganization" if key.endswith("OrgID") else "DenyOtherAccounts",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {key: value}},
        },
    ]


def test_endpoint_policy_is_the_documented_one_for_this_account(
    deployment: Deployment, ec2: Any
) -> None:
    document = json.loads(_endpoint(ec2, deployment.outputs["endpoint_id"])["PolicyDocument"])
    assert document == json.loads(deployment.outputs["endpoint_policy"])
    assert document["Statement"] == _principal_statements("aws:PrincipalAccount", ACCOUNT_ID)


def test_second_plan_is_empty(deployment: Deployment) -> None:
    assert deployment.stack.pending_changes() == []


def test_security_group_follows_cidr_blocks_of_the_vpc(
    deployment: Deployment, network: Network, ec2: Any
) -> None:
    """A block associated later is allowed at the next apply; a disassociated one is dropped."""
    stack, group_id = deployment.stack, deployment.outputs["security_group_id"]
    added = "100.65.0.0/16"
    association_id = ec2.associate_vpc_cidr_block(VpcId=network.vpc_id, CidrBlock=added)[
        "CidrBlockAssociation"
    ]["AssociationId"]
    try:
        assert stack.pending_changes() == ["aws_security_group.this[0]: update"]
        stack.apply()
        assert _https_sources(_group(ec2, group_id)) == sorted([*network.cidr_blocks, added])
        assert sorted(stack.outputs()["allowed_cidr_blocks"]) == sorted(
            [*network.cidr_blocks, added]
        )
    finally:
        ec2.disassociate_vpc_cidr_block(AssociationId=association_id)
    # DescribeVpcs still lists the block, as "disassociated": the module must leave it out.
    assert stack.pending_changes() == ["aws_security_group.this[0]: update"]
    stack.apply()
    assert _https_sources(_group(ec2, group_id)) == sorted(network.cidr_blocks)
    assert stack.pending_changes() == []


def test_organization_endpoint_applies_and_destroy_leaves_nothing(
    private_workbench: Workbench, ec2: Any
) -> None:
    """Its own VPC (a VPC has one endpoint with private DNS per service), the organization
    policy and a fixed group name; after destroy neither the endpoint, nor its network
    interfaces, nor the security group exist (``deployed`` also compares everything the project
    creates before and after).
    """
    network = _create_network(ec2, "10.80.0.0/16", "100.66.0.0/16")
    tf_vars = {
        "vpc_id": network.vpc_id,
        "subnet_ids": network.subnet_ids,
        "organization_id": "o-a1b2c3d4e5",
        "security_group_name": "guardduty-data-shared",
        "security_group_use_name_prefix": False,
    }
    try:
        with deployed(private_workbench, MODULE, tf_vars) as applied:
            endpoint_id = applied.outputs["endpoint_id"]
            group_id = applied.outputs["security_group_id"]
            endpoint = _endpoint(ec2, endpoint_id)
            interfaces = endpoint["NetworkInterfaceIds"]
            assert len(interfaces) == 2
            assert json.loads(endpoint["PolicyDocument"])["Statement"] == (
                _principal_statements("aws:PrincipalOrgID", "o-a1b2c3d4e5")
            )
            assert _group(ec2, group_id)["GroupName"] == "guardduty-data-shared"
            assert applied.stack.pending_changes() == []

        # AWS lists a deleted endpoint for a while as "deleted", then not at all.
        remaining = ec2.describe_vpc_endpoints(
            Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}]
        )["VpcEndpoints"]
        assert [e["VpcEndpointId"] for e in remaining if e["State"].lower() != "deleted"] == []
        with pytest.raises(ClientError) as missing_group:
            ec2.describe_security_groups(GroupIds=[group_id])
        assert missing_group.value.response["Error"]["Code"] == "InvalidGroup.NotFound"
        assert (
            ec2.describe_network_interfaces(
                Filters=[{"Name": "network-interface-id", "Values": interfaces}]
            )["NetworkInterfaces"]
            == []
        )
    finally:
        _delete_network(ec2, network)


def test_govcloud_endpoint_is_the_fips_service(private_workbench: Workbench) -> None:
    """In AWS GovCloud (US) the module plans the only service GuardDuty names there: "the
    Service name in the AWS GovCloud (US) Region should be
    com.amazonaws.us-gov-east-1.guardduty-data-fips" (AWS GovCloud (US) User Guide, Amazon
    GuardDuty). Planned only: the partition comes from the Region, as on AWS."""
    region = "us-gov-west-1"
    environment = {**private_workbench.environment, "AWS_REGION": region}
    environment["AWS_DEFAULT_REGION"] = region
    gov_ec2 = client(session_from_environment(environment), "ec2", environment["AWS_ENDPOINT_URL"])
    vpc_id = gov_ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    gov_ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    subnet_id = gov_ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.90.1.0/24")["Subnet"]["SubnetId"]
    try:
        stack = initialised_stack(private_workbench.root / MODULE, environment)
        stack.tf_vars = {"vpc_id": vpc_id, "subnet_ids": [subnet_id]}
        plan = stack.plan()
        assert plan.outputs["service_name"] == f"com.amazonaws.{region}.guardduty-data-fips"
        endpoint = plan.resource_changes["aws_vpc_endpoint.this[0]"]["change"]["after"]
        assert endpoint["service_name"] == f"com.amazonaws.{region}.guardduty-data-fips"
    finally:
        gov_ec2.delete_subnet(SubnetId=subnet_id)
        gov_ec2.delete_vpc(VpcId=vpc_id)
