"""Where coverage hooks into moto: the ECS calls that change a cluster, GuardDuty's detector
changes, and the routes of ListCoverage and GetCoverageStatistics.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend
from moto.guardduty.models import GuardDutyBackend

from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.routing import add_route
from guardduty_ecs_emulator.services.guardduty.coverage.api import (
    get_coverage_statistics,
    list_coverage,
)
from guardduty_ecs_emulator.services.guardduty.coverage.model import (
    definition_name,
    feature_flags,
    mark,
    record_enablement,
    services_by_cluster,
    set_mark,
)
from guardduty_ecs_emulator.services.guardduty.coverage.records import refresh

# --------------------------------------------------------------------------------------------
# Hooks into moto
# --------------------------------------------------------------------------------------------


def _cluster_name(reference: str | None) -> str | None:
    """The cluster of a name or cluster ARN (None for another resource's ARN)."""
    if not reference:
        return None
    if reference.startswith("arn:"):
        resource = reference.split(":", 5)[-1]
        return resource.split("/", 1)[1] if resource.startswith("cluster/") else None
    return reference


def _touched(method: Callable[..., Any], argument: str) -> Callable[..., Any]:
    """Wrap an ECS backend method: recompute the coverage of the cluster that its
    ``argument`` (a cluster name or ARN, or the ARN of a tagged resource) names."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        reference = signature.bind(self, *args, **kwargs).arguments.get(argument)
        name = _cluster_name(reference)
        if name is not None:
            refresh(self.account_id, self.region_name, [name])
        return result

    return wrapper


def _redeploying(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap UpdateService: a new task definition or forceNewDeployment is a new deployment."""

    @functools.wraps(method)
    def wrapper(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Any:
        requested = dict(service_properties)
        service = method(self, service_properties)
        definition = requested.get("task_definition")
        if requested.get("force_new_deployment") or (
            definition and definition_name(self, definition) != mark(service, "definition")
        ):
            set_mark(service, "deployed_at", time.time())
        set_mark(service, "definition", definition_name(self, service.task_definition))
        refresh(self.account_id, self.region_name, [service.cluster_name])
        return service

    return wrapper


def _remembering_definition(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap CreateService: index the service by cluster and remember its task definition, to
    see UpdateService change it."""

    @functools.wraps(method)
    def wrapper(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        service = method(self, *args, **kwargs)
        with LOCK:
            by_cluster = services_by_cluster(self)
            by_cluster.setdefault(service.cluster_name, {})[service.name] = service
        set_mark(service, "definition", definition_name(self, service.task_definition))
        refresh(self.account_id, self.region_name, [service.cluster_name])
        return service

    return wrapper


def install() -> None:
    """Serve ListCoverage and GetCoverageStatistics; track ECS and GuardDuty changes."""
    add_route("coverage/statistics", "get_coverage_statistics", get_coverage_statistics)
    add_route("coverage", "list_coverage", list_coverage)

    backend = EC2ContainerServiceBackend
    for name, argument in (
        ("create_cluster", "cluster_name"),
        ("delete_cluster", "cluster_str"),
        ("run_task", "cluster_str"),
        ("start_task", "cluster_str"),
        ("stop_task", "cluster_str"),
        ("delete_service", "cluster_name"),
        ("tag_resource", "arn"),
        ("untag_resource", "resource_arn"),
    ):
        setattr(backend, name, _touched(getattr(backend, name), argument))
    backend.create_service = _remembering_definition(backend.create_service)  # type: ignore[method-assign]
    backend.update_service = _redeploying(backend.update_service)  # type: ignore[method-assign]

    create_detector = GuardDutyBackend.create_detector
    update_detector = GuardDutyBackend.update_detector

    @functools.wraps(create_detector)
    def creating(self: GuardDutyBackend, *args: Any, **kwargs: Any) -> str:
        detector_id = create_detector(self, *args, **kwargs)
        record_enablement(self.detectors[detector_id], {}, time.time())
        refresh(self.account_id, self.region_name)
        return detector_id

    @functools.wraps(update_detector)
    def updating(self: GuardDutyBackend, detector_id: str, *args: Any, **kwargs: Any) -> None:
        detector = self.get_detector(detector_id)
        before = feature_flags(detector)
        update_detector(self, detector_id, *args, **kwargs)
        record_enablement(detector, before, time.time())
        refresh(self.account_id, self.region_name)

    GuardDutyBackend.create_detector = creating  # type: ignore[method-assign]
    GuardDutyBackend.update_detector = updating  # type: ignore[method-assign]
