"""ECS services keep their availabilityZoneRebalancing setting.

moto 5.2.5 ignores ``availabilityZoneRebalancing`` in CreateService, so DescribeServices never
returns it and the AWS provider plans an in-place change of every ``aws_ecs_service`` on each run.
ECS API reference (``availabilityZoneRebalancing``): "For create service requests, when no value
is specified for AvailabilityZoneRebalancing, Amazon ECS defaults the value to ENABLED"; the
emulator keeps the value given (the provider always sends one) and adds no default.
UpdateService already stores it (moto sets every given property on the service), so only
CreateService needs the extension.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.ecs.responses import EC2ContainerServiceResponse


def install() -> None:
    """Make CreateService store availabilityZoneRebalancing, as UpdateService does."""
    original = EC2ContainerServiceResponse.create_service

    @functools.wraps(original)
    def create_service(self: EC2ContainerServiceResponse) -> Any:
        result = original(self)
        rebalancing = self._get_param("availabilityZoneRebalancing")
        if rebalancing is not None:
            cluster = self.ecs_backend._get_cluster(self._get_param("cluster", "default"))
            service = self.ecs_backend.services[f"{cluster.name}:{self._get_param('serviceName')}"]
            service.availability_zone_rebalancing = rebalancing
        return result

    EC2ContainerServiceResponse.create_service = create_service  # type: ignore[method-assign]
