"""Read what a deployment created, with boto3, from AWS or from the emulator alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

# Bounded retries: an operator command must fail in seconds, not hang, when an API is down.
_CLIENT_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5)


def session_from_environment(environment: dict[str, str]) -> boto3.Session:
    """A boto3 session configured only by ``environment`` (credentials, region)."""
    return boto3.Session(
        profile_name=environment.get("AWS_PROFILE") or None,
        aws_access_key_id=environment.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=environment.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=environment.get("AWS_SESSION_TOKEN"),
        region_name=environment.get("AWS_REGION") or environment.get("AWS_DEFAULT_REGION"),
    )


def client(
    session: boto3.Session, service: str, endpoint_url: str | None = None, region: str | None = None
) -> Any:
    """A boto3 client; ``endpoint_url`` None means the service's real endpoint."""
    return session.client(
        service, endpoint_url=endpoint_url, region_name=region, config=_CLIENT_CONFIG
    )


@dataclass(frozen=True)
class DetectorState:
    """What GuardDuty reports for one detector."""

    detector_id: str
    status: str
    finding_publishing_frequency: str
    features: dict[str, str]
    additional_configuration: dict[str, dict[str, str]]
    tags: dict[str, str]


def read_detector(guardduty: Any, detector_id: str) -> DetectorState:
    """Feature and agent-management status of ``detector_id``, keyed by API name."""
    detector = guardduty.get_detector(DetectorId=detector_id)
    features = detector.get("Features", [])
    return DetectorState(
        detector_id=detector_id,
        status=detector["Status"],
        finding_publishing_frequency=detector["FindingPublishingFrequency"],
        features={feature["Name"]: feature["Status"] for feature in features},
        additional_configuration={
            feature["Name"]: {
                config["Name"]: config["Status"]
                for config in feature.get("AdditionalConfiguration", [])
            }
            for feature in features
        },
        tags=detector.get("Tags", {}),
    )
