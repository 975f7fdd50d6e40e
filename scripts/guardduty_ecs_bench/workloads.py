"""GuardDuty settings and ECS workloads that tests and benchmarks set up with boto3."""

from __future__ import annotations

from typing import Any

RUNTIME_MONITORING_WITH_FARGATE_AGENT = [
    {
        "Name": "RUNTIME_MONITORING",
        "Status": "ENABLED",
        "AdditionalConfiguration": [{"Name": "ECS_FARGATE_AGENT_MANAGEMENT", "Status": "ENABLED"}],
    }
]


def enable_fargate_runtime_monitoring(guardduty: Any) -> str:
    """Create a detector with Runtime Monitoring and the managed Fargate agent; return its ID."""
    return str(
        guardduty.create_detector(Enable=True, Features=RUNTIME_MONITORING_WITH_FARGATE_AGENT)[
            "DetectorId"
        ]
    )


def register_fargate_task_definition(ecs: Any, family: str = "app") -> None:
    """A minimal Linux Fargate task definition."""
    ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "nginx"}],
    )
