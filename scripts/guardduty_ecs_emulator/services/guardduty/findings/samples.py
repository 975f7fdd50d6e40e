"""Sample findings as GuardDuty makes them: its placeholders, the runtime and attack sequence
shapes with each type's severity and title, and the types a request may ask for (see the package's
docstring).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from moto.guardduty.models import Detector
from moto.utilities.utils import get_partition

from guardduty_ecs.events import (
    EcsTask,
    attack_sequence_finding,
    runtime_finding,
    sequence_resources,
)
from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.pagination import MAX_RESULTS
from guardduty_ecs_emulator.services.guardduty.finding_types import (
    ATTACK_SEQUENCE_DEFAULTS,
    ATTACK_SEQUENCE_FINDING_TYPES,
    MEDIUM,
    RUNTIME_FINDING_DEFAULTS,
    RUNTIME_FINDING_TYPES,
)

_RUNTIME_TYPE = re.compile(r"^[A-Za-z]+:Runtime/[A-Za-z0-9._&!-]+$")

# GuardDuty's placeholders in an ECS runtime sample finding, as real samples carry them.
SAMPLE_PLACEHOLDER_ACCOUNT = "123456789000"
SAMPLE_ECS_CLUSTER = "GeneratedFindingECSClusterName"
SAMPLE_CONTAINER_NAME = "GeneratedFindingContainerName"
SAMPLE_CONTAINER_IMAGE = "GeneratedFindingContainerImage"


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def sample_finding(
    detector: Detector,
    account_id: str,
    region: str,
    finding_type: str,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    if finding_type in ATTACK_SEQUENCE_DEFAULTS:
        finding = _sample_sequence(detector, account_id, region, finding_type, previous)
    else:
        finding = _sample_runtime_finding(detector, account_id, region, finding_type, previous)
    partition = get_partition(region)
    finding["partition"] = partition
    finding["arn"] = finding["arn"].replace("arn:aws:", f"arn:{partition}:", 1)
    now = iso(CLOCK.now())
    finding["updatedAt"] = now
    finding["service"]["eventLastSeen"] = now
    if previous:
        finding["createdAt"] = previous["createdAt"]
        finding["service"]["eventFirstSeen"] = previous["service"]["eventFirstSeen"]
        finding["service"]["count"] = previous["service"]["count"] + 1
    else:
        finding["createdAt"] = now
        finding["service"]["eventFirstSeen"] = now
    return finding


def _sample_sequence(
    detector: Detector,
    account_id: str,
    region: str,
    finding_type: str,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    severity, description = ATTACK_SEQUENCE_DEFAULTS[finding_type]
    placeholder_task = EcsTask(
        account_id=SAMPLE_PLACEHOLDER_ACCOUNT,
        region="region",
        cluster=SAMPLE_ECS_CLUSTER,
        task_id="043de9ab3",
    )
    # Only the ECS sequence's resources are emulated; the others carry none (the model allows it).
    ecs = finding_type == "AttackSequence:ECS/CompromisedCluster"
    resources = sequence_resources(placeholder_task) if ecs else None
    return attack_sequence_finding(
        finding_type,
        severity,
        description,
        resources=resources,
        account_id=account_id,
        region=region,
        sample=True,
        finding_id=previous["id"] if previous else None,
        detector_id=detector.id,
    )


def _sample_runtime_finding(
    detector: Detector,
    account_id: str,
    region: str,
    finding_type: str,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    severity, description = RUNTIME_FINDING_DEFAULTS.get(
        finding_type, (MEDIUM, f"Sample Runtime Monitoring finding {finding_type}.")
    )
    placeholder = f"arn:aws:ecs:region:{SAMPLE_PLACEHOLDER_ACCOUNT}"
    finding = runtime_finding(
        finding_type,
        severity,
        description,
        task=EcsTask(
            account_id=account_id,
            region=region,
            cluster=SAMPLE_ECS_CLUSTER,
            image=SAMPLE_CONTAINER_IMAGE,
        ),
        sample=True,
        finding_id=previous["id"] if previous else None,
        detector_id=detector.id,
    )
    ecs = finding["resource"]["ecsClusterDetails"]
    ecs["arn"] = f"{placeholder}:cluster/clusterName"
    ecs["tags"] = [
        {"key": "GeneratedFindingECSClusterTag1", "value": "GeneratedFindingECSClusterTagValue1"}
    ]
    details = ecs["taskDetails"]
    details["arn"] = f"{placeholder}:task/mycluster/043de9ab3"
    details["definitionArn"] = f"{placeholder}:task-definition/mycluster/76f1f1asdf"
    details["startedBy"] = "GeneratedFindingECSTaskStartedBy"
    details["launchType"] = "FARGATE"
    details["containers"][0]["name"] = SAMPLE_CONTAINER_NAME
    return finding


def requested_types(body: dict[str, Any]) -> list[str]:
    """The finding types to sample: the requested ones, or every Runtime Monitoring and attack
    sequence type."""
    types = body.get("findingTypes") or [*RUNTIME_FINDING_TYPES, *ATTACK_SEQUENCE_FINDING_TYPES]
    if not isinstance(types, list) or len(types) > MAX_RESULTS:
        raise BadRequestException(
            "The request is rejected because findingTypes must be a list of at most 50 types."
        )
    for finding_type in types:
        if not isinstance(finding_type, str) or not (
            _RUNTIME_TYPE.match(finding_type) or finding_type in ATTACK_SEQUENCE_DEFAULTS
        ):
            raise BadRequestException(
                f"The request is rejected because the finding type {finding_type} is not a "
                "Runtime Monitoring or attack sequence finding type (the emulator samples only "
                "those)."
            )
    return list(dict.fromkeys(types))
