"""GuardDuty events as EventBridge delivers them: what verify tests the rules with and the drill
expects, and what the emulator publishes.

The shapes follow the GuardDuty user guide: a ``GuardDuty Finding`` event carries the finding
(``detail``) as GetFindings returns it, with an ECS cluster resource for Runtime Monitoring findings
on Fargate; a ``GuardDuty Runtime Protection Unhealthy``/``Healthy`` event carries the coverage
change of one resource. On AWS only GuardDuty can put ``aws.guardduty`` events; the emulator
accepts them from PutEvents.

The emulator builds its events with these shapes too: this module imports nothing but the
standard library, and is the one module of the product that the emulator imports. The finding
types the emulator samples are the emulator's own data (its GuardDuty ``finding_types``); the
events that only the bench makes are ``guardduty_ecs_bench.events``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GUARDDUTY_SOURCE = "aws.guardduty"
FINDING_DETAIL_TYPE = "GuardDuty Finding"
UNHEALTHY_DETAIL_TYPE = "GuardDuty Runtime Protection Unhealthy"
HEALTHY_DETAIL_TYPE = "GuardDuty Runtime Protection Healthy"

# The finding types of Runtime Monitoring and of Extended Threat Detection's attack sequences, as
# the GuardDuty user guide lists them ("Runtime Monitoring finding types", "GuardDuty attack
# sequence finding types"): the drill refuses a type of these families that is not here. The
# emulator's finding_types tables list the same names (tests/static/test_single_sources.py).
RUNTIME_FINDING_TYPES: tuple[str, ...] = (
    "CryptoCurrency:Runtime/BitcoinTool.B",
    "Backdoor:Runtime/C&CActivity.B",
    "UnauthorizedAccess:Runtime/TorRelay",
    "UnauthorizedAccess:Runtime/TorClient",
    "Trojan:Runtime/BlackholeTraffic",
    "Trojan:Runtime/DropPoint",
    "CryptoCurrency:Runtime/BitcoinTool.B!DNS",
    "Backdoor:Runtime/C&CActivity.B!DNS",
    "Trojan:Runtime/BlackholeTraffic!DNS",
    "Trojan:Runtime/DropPoint!DNS",
    "Trojan:Runtime/DGADomainRequest.C!DNS",
    "Trojan:Runtime/DriveBySourceTraffic!DNS",
    "Trojan:Runtime/PhishingDomainRequest!DNS",
    "Impact:Runtime/AbusedDomainRequest.Reputation",
    "Impact:Runtime/BitcoinDomainRequest.Reputation",
    "Impact:Runtime/MaliciousDomainRequest.Reputation",
    "Impact:Runtime/SuspiciousDomainRequest.Reputation",
    "UnauthorizedAccess:Runtime/MetadataDNSRebind",
    "Execution:Runtime/NewBinaryExecuted",
    "PrivilegeEscalation:Runtime/DockerSocketAccessed",
    "PrivilegeEscalation:Runtime/RuncContainerEscape",
    "PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified",
    "DefenseEvasion:Runtime/ProcessInjection.Proc",
    "DefenseEvasion:Runtime/ProcessInjection.Ptrace",
    "DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite",
    "Execution:Runtime/ReverseShell",
    "DefenseEvasion:Runtime/FilelessExecution",
    "Impact:Runtime/CryptoMinerExecuted",
    "Execution:Runtime/NewLibraryLoaded",
    "PrivilegeEscalation:Runtime/ContainerMountsHostDirectory",
    "PrivilegeEscalation:Runtime/UserfaultfdUsage",
    "Execution:Runtime/SuspiciousTool",
    "Execution:Runtime/SuspiciousCommand",
    "DefenseEvasion:Runtime/SuspiciousCommand",
    "DefenseEvasion:Runtime/PtraceAntiDebugging",
    "Execution:Runtime/MaliciousFileExecuted",
)
ATTACK_SEQUENCE_FINDING_TYPES: tuple[str, ...] = (
    "AttackSequence:ECS/CompromisedCluster",
    "AttackSequence:EC2/CompromisedInstanceGroup",
    "AttackSequence:EKS/CompromisedCluster",
    "AttackSequence:IAM/CompromisedCredentials",
    "AttackSequence:S3/CompromisedData",
)


def event_timestamp() -> str:
    """Now, as GuardDuty writes the time of an event (ISO 8601, milliseconds, UTC)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _service(detector_id: str, feature: str, *, sample: bool, now: str) -> dict[str, Any]:
    """A new finding's ``service`` part: the detector, the feature that found it, one count."""
    return {
        "serviceName": "guardduty",
        "detectorId": detector_id,
        "featureName": feature,
        "resourceRole": "TARGET",
        "additionalInfo": {"value": json.dumps({"sample": sample}), "type": "default"},
        "eventFirstSeen": now,
        "eventLastSeen": now,
        "archived": False,
        "count": 1,
    }


@dataclass(frozen=True)
class EcsTask:
    """The ECS task a finding is about."""

    account_id: str = "123456789012"
    region: str = "us-east-1"
    cluster: str = "payments"
    task_id: str = "0c6c4b3e5c4e4d0c9b8a7f6e5d4c3b2a"
    image: str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/payments:1.4.2"

    @property
    def cluster_arn(self) -> str:
        return f"arn:aws:ecs:{self.region}:{self.account_id}:cluster/{self.cluster}"

    @property
    def task_arn(self) -> str:
        return f"arn:aws:ecs:{self.region}:{self.account_id}:task/{self.cluster}/{self.task_id}"


def runtime_finding(
    finding_type: str,
    severity: float,
    title: str,
    *,
    task: EcsTask | None = None,
    sample: bool = False,
    finding_id: str | None = None,
    detector_id: str | None = None,
) -> dict[str, Any]:
    """The ``detail`` of a Runtime Monitoring finding on an ECS Fargate task.

    ``detector_id`` defaults to a placeholder of 32 zeros (the emulator passes the real one).
    """
    task = task or EcsTask()
    finding_id = finding_id or uuid.uuid4().hex
    detector_id = detector_id or "0" * 32
    now = event_timestamp()
    return {
        "schemaVersion": "2.0",
        "accountId": task.account_id,
        "region": task.region,
        "partition": "aws",
        "id": finding_id,
        "arn": (
            f"arn:aws:guardduty:{task.region}:{task.account_id}:detector/"
            f"{detector_id}/finding/{finding_id}"
        ),
        "type": finding_type,
        "resource": {
            "resourceType": "ECSCluster",
            "ecsClusterDetails": {
                "name": task.cluster,
                "arn": task.cluster_arn,
                "status": "ACTIVE",
                "taskDetails": {
                    "arn": task.task_arn,
                    "definitionArn": (
                        f"arn:aws:ecs:{task.region}:{task.account_id}:task-definition/"
                        f"{task.cluster}:1"
                    ),
                    "version": "1",
                    "containers": [
                        {
                            "containerRuntime": "containerd",
                            "name": "app",
                            "image": task.image,
                            "securityContext": {"privileged": False},
                        }
                    ],
                },
            },
        },
        "service": _service(detector_id, "RuntimeMonitoring", sample=sample, now=now),
        "severity": severity,
        "createdAt": now,
        "updatedAt": now,
        "title": title,
        "description": title,
    }


def sequence_resources(task: EcsTask) -> list[dict[str, Any]]:
    """The ``service.detection.sequence.resources`` of an ECS attack sequence on ``task``: its
    cluster and task, as ResourceV2 (botocore's model: ``uid``, ``name``, ``accountId``,
    ``resourceType`` ECS_CLUSTER or ECS_TASK, ``region``)."""
    return [
        {
            "uid": task.cluster_arn,
            "name": task.cluster,
            "accountId": task.account_id,
            "resourceType": "ECS_CLUSTER",
            "region": task.region,
        },
        {
            "uid": task.task_arn,
            "name": task.task_id,
            "accountId": task.account_id,
            "resourceType": "ECS_TASK",
            "region": task.region,
        },
    ]


def attack_sequence_finding(
    finding_type: str,
    severity: float,
    title: str,
    *,
    resources: list[dict[str, Any]] | None,
    signal_types: tuple[str, ...] = ("Execution:Runtime/ReverseShell",),
    account_id: str = "123456789012",
    region: str = "us-east-1",
    sample: bool = False,
    finding_id: str | None = None,
    detector_id: str | None = None,
) -> dict[str, Any]:
    """The ``detail`` of an Extended Threat Detection attack sequence finding.

    The shape is botocore's model of a Finding whose ``service.detection.sequence`` holds the
    sequence (``uid``, ``description``, ``signals``, optional ``resources``) and public sample
    events of attack sequences: ``resource`` is ``{"resourceType": "AttackSequence"}`` and the
    feature ``Correlation``. ``resources`` None leaves the sequence without resources, which the
    model allows ("barely documented" for ECS: the alerts must read well either way).
    """
    finding_id = finding_id or uuid.uuid4().hex
    detector_id = detector_id or "0" * 32
    now = event_timestamp()
    epoch = datetime.now(UTC).timestamp()
    sequence: dict[str, Any] = {
        "uid": f"{finding_id}-sequence",
        "description": title,
        "signals": [
            {
                "uid": uuid.uuid4().hex,
                "type": "FINDING",
                "name": signal,
                "createdAt": epoch,
                "updatedAt": epoch,
                "firstSeenAt": epoch,
                "lastSeenAt": epoch,
                "severity": 8.0,
                "count": 1,
                "resourceUids": [resource["uid"] for resource in resources or []],
            }
            for signal in signal_types
        ],
        "sequenceIndicators": [
            {"key": "ATTACK_TACTIC", "values": ["Execution"], "title": "Execution"}
        ],
    }
    if resources is not None:
        sequence["resources"] = resources
    return {
        "schemaVersion": "2.0",
        "accountId": account_id,
        "region": region,
        "partition": "aws",
        "id": finding_id,
        "arn": (
            f"arn:aws:guardduty:{region}:{account_id}:detector/{detector_id}/finding/{finding_id}"
        ),
        "type": finding_type,
        "resource": {"resourceType": "AttackSequence"},
        "service": {
            **_service(detector_id, "Correlation", sample=sample, now=now),
            "detection": {"sequence": sequence},
        },
        "severity": severity,
        "createdAt": now,
        "updatedAt": now,
        "title": title,
        "description": title,
    }


def ecs_coverage_change(
    current: str,
    previous: str,
    *,
    issue: str = "",
    task: EcsTask | None = None,
) -> dict[str, Any]:
    """The ``detail`` of a coverage change of an ECS cluster (Fargate)."""
    task = task or EcsTask()
    return {
        "schemaVersion": "1.0",
        "resourceAccountId": task.account_id,
        "currentStatus": current,
        "previousStatus": previous,
        "resourceDetails": {
            "resourceType": "ECS",
            "ecsClusterDetails": {
                "clusterName": task.cluster,
                "fargateDetails": {
                    "issues": [issue] if issue else [],
                    "managementType": "AUTO_MANAGED",
                },
            },
        },
        "issue": issue,
        "lastUpdatedAt": event_timestamp(),
    }
