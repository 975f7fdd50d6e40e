"""Each detector's coverage records: recomputed after a change, kept with their index, and a
``GuardDuty Runtime Protection Unhealthy``/``Healthy`` event put on the bus for each status change.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend, ecs_backends
from moto.guardduty.models import Detector

from guardduty_ecs.events import (
    HEALTHY_DETAIL_TYPE,
    UNHEALTHY_DETAIL_TYPE,
    EcsTask,
    ecs_coverage_change,
)
from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.publishing import publish
from guardduty_ecs_emulator.core.state import detectors, state_of
from guardduty_ecs_emulator.services.guardduty.coverage.index import Index
from guardduty_ecs_emulator.services.guardduty.coverage.model import (
    RUNTIME_MONITORING,
    UNHEALTHY,
    Record,
    evaluate,
    index_services,
    monitoring_of,
    services_of,
    sync_marks,
    workloads_of,
)

# --------------------------------------------------------------------------------------------
# Recomputing, and the events of status changes
# --------------------------------------------------------------------------------------------


def records_of(detector: Detector) -> dict[str, Record]:
    return state_of(detector, "coverage", dict)


def index_of(detector: Detector, account_id: str) -> Index:
    index = detector.__dict__.get("_guardduty_ecs_coverage_index")
    return (
        index
        if index is not None
        else state_of(detector, "coverage_index", lambda: Index(account_id))
    )


def _store(detector: Detector, account_id: str, name: str, record: Record | None) -> None:
    """Put (or, with None, remove) the record of cluster ``name``; keep the index in step."""
    records = records_of(detector)
    old = records.pop(name, None) if record is None else records.get(name)
    if record is not None:
        records[name] = record
    index_of(detector, account_id).replace(name, old, record)


def _refresh_detector(
    detector: Detector,
    account_id: str,
    backend: EC2ContainerServiceBackend,
    names: list[str],
    now: float,
) -> list[tuple[str, Record, str]]:
    """Recompute the coverage of the clusters ``names``; return (cluster, record, previous
    status) changes."""
    records = records_of(detector)
    enabled_at: dict[str, float] = state_of(detector, "enabled_at", dict)
    if RUNTIME_MONITORING not in enabled_at:
        records.clear()
        index_of(detector, account_id).clear()
        return []
    changes = []
    for name in names:
        cluster = backend.clusters.get(name)
        known = records.get(name)
        if cluster is None or cluster.status != "ACTIVE":
            if known is not None:
                _store(detector, account_id, name, None)
            continue
        monitoring = monitoring_of(cluster, enabled_at)
        workloads = workloads_of(backend, cluster, services_of(backend, name))
        if monitoring is None or (
            known is None
            and not (workloads and (monitoring.since is not None or monitoring.excluded))
        ):
            continue
        definitions = sorted({w.task_definition for w in workloads if w.task_definition})
        if not definitions and known is not None:
            definitions = known.task_definitions
        status, issue, issues = evaluate(monitoring, workloads, definitions)
        newest = max((w.started_at for w in workloads), default=0.0)
        record = Record(
            cluster.arn,
            status,
            issue,
            issues,
            monitoring.management_type,
            now,
            definitions,
            max(newest, known.newest_workload if known else 0.0),
        )
        if known is not None and record.same_coverage(known) and newest <= known.newest_workload:
            record.updated_at = known.updated_at
            if record == known:
                continue  # nothing changed: the record and its index entries stay
        _store(detector, account_id, name, record)
        if known is not None and known.status != status:
            changes.append((name, record, known.status))
    return changes


def resource_json(detector: Detector, account_id: str, name: str, record: Record) -> dict[str, Any]:
    """A CoverageResource of ListCoverage for the cluster ``name``."""
    resource: dict[str, Any] = {
        "resourceId": name,
        "detectorId": detector.id,
        "accountId": account_id,
        "resourceDetails": {
            "resourceType": "ECS",
            "ecsClusterDetails": {
                "clusterName": name,
                "fargateDetails": {
                    "issues": list(record.issues),
                    "managementType": record.management_type,
                },
                "containerInstanceDetails": {
                    "coveredContainerInstances": 0,
                    "compatibleContainerInstances": 0,
                },
            },
        },
        "coverageStatus": record.status,
        "updatedAt": record.updated_at,
    }
    if record.issue:
        resource["issue"] = record.issue
    return resource


def refresh(account_id: str, region: str, clusters: list[str] | None = None) -> None:
    """Recompute the coverage of the clusters named (all clusters: None) for every detector of
    the account and region; publish the status changes.

    An ECS call names the cluster it touched, so its cost does not grow with the number of
    clusters; a feature change of a detector recomputes all of them, once.
    """
    with LOCK:
        now = time.time()
        backend = ecs_backends[account_id][region]
        if clusters is None:
            index_services(backend)
            names = list(backend.clusters)
            names += [name for d in detectors(account_id, region) for name in records_of(d)]
            clusters = list(dict.fromkeys(names))
        for name in clusters:
            cluster = backend.clusters.get(name)
            if cluster is not None:
                sync_marks(backend, cluster, now)
        for detector in detectors(account_id, region):
            for name, record, previous in _refresh_detector(
                detector, account_id, backend, clusters, now
            ):
                detail = ecs_coverage_change(
                    record.status,
                    previous,
                    issue=record.issue,
                    task=EcsTask(account_id=account_id, region=region, cluster=name),
                )
                resource = resource_json(detector, account_id, name, record)
                detail["resourceDetails"] = copy.deepcopy(resource["resourceDetails"])
                detail_type = (
                    UNHEALTHY_DETAIL_TYPE if record.status == UNHEALTHY else HEALTHY_DETAIL_TYPE
                )
                publish(account_id, region, detail_type, [detail])
