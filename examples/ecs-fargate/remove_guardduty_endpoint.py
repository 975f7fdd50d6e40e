"""Remove the VPC endpoint and security group that GuardDuty created in a VPC.

With automated agent configuration for Fargate, GuardDuty adds an interface endpoint for
com.amazonaws.<region>.guardduty-data and a security group to each VPC where it runs its agent,
both tagged GuardDutyManaged = true. Terraform does not know them, and they keep the subnets and
the VPC from being deleted; the example runs this script when it is destroyed.

Only resources of the given VPC that carry that tag are touched. Needs Python 3 and boto3, and the
same credentials as Terraform (the AWS_* variables of the environment are used as they are).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import boto3
from botocore.exceptions import ClientError

MANAGED_TAG = {"Name": "tag:GuardDutyManaged", "Values": ["true"]}
# Already gone (GuardDuty, or an earlier run, removed it first): that is what this step wants.
GONE = ("InvalidVpcEndpointId.NotFound", "InvalidGroup.NotFound", "InvalidVpcID.NotFound")
# Endpoint states after which nothing more happens to an endpoint being deleted.
FINISHED = ("deleted", "failed", "rejected")


def _gone(error: ClientError) -> bool:
    return error.response["Error"]["Code"] in GONE


def remove_guardduty_endpoint(
    vpc_id: str, region: str, timeout: float = 300, poll_seconds: float = 5
) -> list[str]:
    """Delete GuardDuty's endpoints, wait until they are gone, then its security groups.

    Returns what was deleted; nothing to delete is success. Raises TimeoutError when an endpoint
    is still there after ``timeout`` seconds.
    """
    ec2 = boto3.client("ec2", region_name=region)
    vpc = {"Name": "vpc-id", "Values": [vpc_id]}
    endpoints = [
        endpoint["VpcEndpointId"]
        for page in ec2.get_paginator("describe_vpc_endpoints").paginate(Filters=[vpc, MANAGED_TAG])
        for endpoint in page["VpcEndpoints"]
        if endpoint["State"].lower() not in ("deleted", "deleting")
    ]
    for endpoint_id in endpoints:
        try:
            ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])
        except ClientError as error:
            if not _gone(error):
                raise
    deadline = time.monotonic() + timeout
    # A security group cannot go while an endpoint's network interfaces still use it.
    while True:
        remaining = [
            endpoint["VpcEndpointId"]
            for endpoint in ec2.describe_vpc_endpoints(Filters=[vpc, MANAGED_TAG])["VpcEndpoints"]
            if endpoint["State"].lower() not in FINISHED
        ]
        if not remaining:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"GuardDuty's endpoints {', '.join(remaining)} are still deleting")
        time.sleep(poll_seconds)
    groups = [
        group["GroupId"]
        for group in ec2.describe_security_groups(Filters=[vpc, MANAGED_TAG])["SecurityGroups"]
    ]
    deleted_groups = [
        group_id for group_id in groups if _delete_group(ec2, group_id, deadline, poll_seconds)
    ]
    return endpoints + deleted_groups


def _delete_group(ec2: Any, group_id: str, deadline: float, poll_seconds: float) -> bool:
    """Delete a security group; wait while the endpoint's network interfaces still hold it
    (they can outlive the endpoint's "deleted" state). False when it was already gone."""
    while True:
        try:
            ec2.delete_security_group(GroupId=group_id)
            return True
        except ClientError as error:
            if _gone(error):
                return False
            in_use = error.response["Error"]["Code"] == "DependencyViolation"
            if not in_use or time.monotonic() > deadline:
                raise
        time.sleep(poll_seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vpc-id", required=True)
    parser.add_argument("--region", required=True)
    args = parser.parse_args()
    try:
        removed = remove_guardduty_endpoint(args.vpc_id, args.region)
    except (ClientError, TimeoutError) as error:
        print(f"could not remove GuardDuty's endpoint from {args.vpc_id}: {error}", file=sys.stderr)
        return 1
    print(f"removed from {args.vpc_id}: {', '.join(removed) if removed else 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
