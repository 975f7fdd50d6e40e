"""Subnets and VPCs that are still in use cannot be deleted, as on AWS.

moto 5.2.5 deletes a subnet that still holds network interfaces (of an interface endpoint, say)
and a VPC that still has security groups of its own; AWS refuses both with DependencyViolation.
EC2 API reference: DeleteSubnet "You must terminate all running instances in the subnet before you
can delete the subnet"; DeleteVpc "You must detach or delete all gateways and resources that are
associated with the VPC before you can delete it". The GuardDuty user guide quotes the error a
user meets with GuardDuty's endpoint still in place: "The subnet '...' has dependencies and cannot
be deleted."
Without this, an example that forgets the resources GuardDuty adds to its VPC would destroy
cleanly here and fail on AWS. Deleting a NAT gateway releases its network interface
(moto keeps it, which would then block its subnet for ever): chosen, the VPC user guide ("Work
with NAT gateways") says only that deleting one "disassociates its Elastic IP address", nothing of
the interface; a subnet of a deleted NAT gateway can be deleted on AWS.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models import EC2Backend


def install() -> None:
    """Refuse to delete subnets with network interfaces and VPCs with security groups."""
    delete_subnet = EC2Backend.delete_subnet
    delete_vpc = EC2Backend.delete_vpc
    delete_nat_gateway = EC2Backend.delete_nat_gateway

    @functools.wraps(delete_nat_gateway)
    def releasing_delete_nat_gateway(self: EC2Backend, nat_gateway_id: str) -> Any:
        nat_gateway = delete_nat_gateway(self, nat_gateway_id)
        eni = getattr(nat_gateway, "_eni", None)
        if eni is not None:
            self.enis.pop(eni.id, None)
        return nat_gateway

    @functools.wraps(delete_subnet)
    def refusing_delete_subnet(self: EC2Backend, subnet_id: str) -> Any:
        if any(eni.subnet.id == subnet_id for eni in self.enis.values()):
            raise DependencyViolationError(
                f"The subnet '{subnet_id}' has dependencies and cannot be deleted."
            )
        return delete_subnet(self, subnet_id)

    @functools.wraps(delete_vpc)
    def refusing_delete_vpc(self: EC2Backend, vpc_id: str) -> Any:
        if any(group.name != "default" for group in self.groups.get(vpc_id, {}).values()):
            raise DependencyViolationError(
                f"The vpc '{vpc_id}' has dependencies and cannot be deleted."
            )
        return delete_vpc(self, vpc_id)

    EC2Backend.delete_subnet = refusing_delete_subnet  # type: ignore[method-assign]
    EC2Backend.delete_vpc = refusing_delete_vpc  # type: ignore[method-assign]
    EC2Backend.delete_nat_gateway = releasing_delete_nat_gateway  # type: ignore[method-assign]
