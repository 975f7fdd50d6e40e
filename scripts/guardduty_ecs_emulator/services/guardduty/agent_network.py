"""GuardDuty's automated agent configuration for Fargate, as far as the VPC sees it.

With Runtime Monitoring and ECS_FARGATE_AGENT_MANAGEMENT enabled, GuardDuty creates, in each VPC
where a monitored Fargate task runs, an interface endpoint for
``com.amazonaws.<region>.guardduty-data`` with private DNS and a security group that lets the
VPC's CIDR blocks reach it on 443, both tagged ``GuardDutyManaged = true``. They are not in any
Terraform state and keep subnets and the VPC from being deleted, which is what the examples'
teardown step must handle; this extension creates them in the emulator, after a Fargate service
with tasks (or a Fargate task) starts in a cluster GuardDuty monitors.

A cluster is monitored unless it is tagged ``GuardDutyManaged = false``.

GuardDuty user guide, "How Runtime Monitoring works with Fargate": "When you deploy the GuardDuty
security agent, GuardDuty will create a VPC endpoint... Along with the VPC endpoint, GuardDuty also
creates a new security group"; "Runtime Monitoring agent resource clean up": "GuardDuty deletes the
security group that was tagged as GuardDutyManaged:true". When they are created (at the first
monitored task) is the emulator's choice: the guide does not say.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ecs.models import EC2ContainerServiceBackend
from moto.guardduty.models import guardduty_backends

MANAGED_TAGS = {"GuardDutyManaged": "true"}


def fargate_agent_managed(account_id: str, region: str) -> bool:
    """Whether a detector of the account and region manages the Fargate agent."""
    for detector in guardduty_backends[account_id][region].detectors.values():
        for feature in detector.features:
            if feature.get("name") != "RUNTIME_MONITORING" or feature.get("status") != "ENABLED":
                continue
            for configuration in feature.get("additionalConfiguration", []):
                if (
                    configuration.get("name") == "ECS_FARGATE_AGENT_MANAGEMENT"
                    and configuration.get("status") == "ENABLED"
                ):
                    return True
    return False


def _excluded(cluster: Any) -> bool:
    tags = {tag.get("key"): tag.get("value") for tag in getattr(cluster, "tags", None) or []}
    return tags.get("GuardDutyManaged") == "false"


def ensure_guardduty_endpoint(account_id: str, region: str, subnet_ids: list[str]) -> None:
    """Create GuardDuty's endpoint and security group in the VPC of ``subnet_ids`` if missing."""
    ec2 = ec2_backends[account_id][region]
    subnets = [ec2.get_subnet(subnet_id) for subnet_id in subnet_ids]
    vpc = ec2.get_vpc(subnets[0].vpc_id)
    service_name = f"com.amazonaws.{region}.guardduty-data"
    if any(
        endpoint.vpc_id == vpc.id
        and endpoint.service_name == service_name
        and endpoint.state != "deleted"
        for endpoint in ec2.vpc_end_points.values()
    ):
        return
    group = ec2.create_security_group(
        name=f"GuardDutyManagedSecurityGroup-{vpc.id}",
        description=f"Associated with VPC-{vpc.id} and tagged as GuardDutyManaged",
        vpc_id=vpc.id,
        tags=MANAGED_TAGS,
    )
    cidr_blocks = [
        association["cidr_block"]
        for association in vpc.cidr_block_association_set
        if association.get("cidr_block_state", {}).get("state") == "associated"
    ] or [vpc.cidr_block]
    ec2.authorize_security_group_ingress(
        group.id, "tcp", "443", "443", [{"CidrIp": cidr} for cidr in cidr_blocks]
    )
    # One subnet per availability zone, as for any interface endpoint.
    by_zone = {subnet.availability_zone: subnet.id for subnet in reversed(subnets)}
    ec2.create_vpc_endpoint(
        vpc_id=vpc.id,
        service_name=service_name,
        endpoint_type="Interface",
        policy_document=None,
        route_table_ids=[],
        subnet_ids=sorted(by_zone.values()),
        security_group_ids=[group.id],
        tags=MANAGED_TAGS,
        private_dns_enabled=True,
    )


def _subnets(network_configuration: Any) -> list[str]:
    awsvpc = (network_configuration or {}).get("awsvpcConfiguration") or {}
    return list(awsvpc.get("subnets") or [])


def _after(method: Callable[..., Any], started: Callable[[Any, Any], bool]) -> Callable[..., Any]:
    """Wrap an ECS backend method: when it started Fargate tasks, add GuardDuty's endpoint."""

    @functools.wraps(method)
    def wrapper(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        for service_or_task in result if isinstance(result, list) else [result]:
            if not started(self, service_or_task):
                continue
            cluster = self.clusters.get(service_or_task.cluster_arn.split("/")[-1])
            subnets = _subnets(getattr(service_or_task, "network_configuration", None))
            if (
                subnets
                and cluster is not None
                and not _excluded(cluster)
                and fargate_agent_managed(self.account_id, self.region_name)
            ):
                ensure_guardduty_endpoint(self.account_id, self.region_name, subnets)
        return result

    return wrapper


def _service_runs_fargate(_backend: Any, service: Any) -> bool:
    return service.launch_type == "FARGATE" and service.desired_count > 0


def _task_runs_fargate(_backend: Any, task: Any) -> bool:
    return getattr(task, "launch_type", None) == "FARGATE"


def install() -> None:
    """Create GuardDuty's endpoint when monitored Fargate services or tasks start."""
    backend = EC2ContainerServiceBackend
    backend.create_service = _after(backend.create_service, _service_runs_fargate)  # type: ignore[method-assign]
    backend.update_service = _after(backend.update_service, _service_runs_fargate)  # type: ignore[method-assign]
    backend.run_task = _after(backend.run_task, _task_runs_fargate)  # type: ignore[method-assign]
