"""Read what a deployment created, with boto3, from AWS or from the emulator alike.

Every client has bounded timeouts and retries (``Timeouts``): an endpoint that accepts a
connection and never answers fails a call within about 30 s, not minutes. Sessions are opened
once per command (``open_session``) and their credentials resolved before any AWS call, so that
missing credentials, an unknown profile or an expired SSO session are one clear error first.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import NoCredentialsError

from guardduty_ecs.errors import UserError
from guardduty_ecs.regions import check_region

# GUARDDUTY_ECS_API_TIMEOUT: the read timeout of one attempt, in seconds (the connect timeout is
# the smaller of it and 3 s); AWS_MAX_ATTEMPTS (the standard variable): attempts per call.
API_TIMEOUT_VARIABLE = "GUARDDUTY_ECS_API_TIMEOUT"
MAX_ATTEMPTS_VARIABLE = "AWS_MAX_ATTEMPTS"
DEFAULT_CONNECT_TIMEOUT = 3.0
# Above the drill's SQS long polls (5 s at most), below anything a person would wait for.
DEFAULT_READ_TIMEOUT = 7.0
DEFAULT_MAX_ATTEMPTS = 3
# botocore's standard retry mode waits rand(0, 1) * min(2 ** attempt, 20) s between attempts.
_MAX_BACKOFF_SECONDS = 20


@dataclass(frozen=True)
class Timeouts:
    """How long one API call may take at most: connect and read timeouts of each attempt."""

    connect: float
    read: float
    attempts: int

    @property
    def budget_seconds(self) -> float:
        """The longest a call can wait on the network: every attempt times out."""
        return (self.connect + self.read) * self.attempts

    @property
    def backoff_seconds(self) -> float:
        """The longest botocore can sleep between the attempts."""
        return float(sum(min(2**retry, _MAX_BACKOFF_SECONDS) for retry in range(self.attempts - 1)))

    def config(self) -> Config:
        return Config(
            connect_timeout=self.connect,
            read_timeout=self.read,
            retries={"total_max_attempts": self.attempts, "mode": "standard"},
        )


def _positive(environment: Mapping[str, str], name: str, default: float) -> float:
    text = environment.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise UserError(
            f"{name} must be a number above 0, not {text!r}", fix=f"unset {name} or fix its value"
        )
    return value


def timeouts(environment: Mapping[str, str] | None = None) -> Timeouts:
    """The timeouts of this process's clients: the defaults, or what the environment says."""
    environment = os.environ if environment is None else environment
    read = _positive(environment, API_TIMEOUT_VARIABLE, DEFAULT_READ_TIMEOUT)
    attempts = _positive(environment, MAX_ATTEMPTS_VARIABLE, DEFAULT_MAX_ATTEMPTS)
    if attempts != int(attempts):
        raise UserError(
            f"{MAX_ATTEMPTS_VARIABLE} must be a whole number above 0, not {attempts:g}",
            fix=f"unset {MAX_ATTEMPTS_VARIABLE} or fix its value",
        )
    return Timeouts(min(DEFAULT_CONNECT_TIMEOUT, read), read, int(attempts))


def session_from_environment(environment: dict[str, str]) -> boto3.Session:
    """A boto3 session configured only by ``environment`` (credentials, region)."""
    return boto3.Session(
        profile_name=environment.get("AWS_PROFILE") or None,
        aws_access_key_id=environment.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=environment.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=environment.get("AWS_SESSION_TOKEN"),
        region_name=environment.get("AWS_REGION") or environment.get("AWS_DEFAULT_REGION"),
    )


def open_session(profile: str | None, region: str | None = None) -> boto3.Session:
    """The session of an operator command: ``profile`` (else AWS_PROFILE, else the default
    chain) in ``region`` (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region, which must
    be a GuardDuty Region), with its credentials resolved now. Raises botocore's
    ProfileNotFound, NoCredentialsError, PartialCredentialsError or SSO token errors, which
    ``diagnosis`` explains."""
    timeouts()  # a wrong GUARDDUTY_ECS_API_TIMEOUT or AWS_MAX_ATTEMPTS is said first
    session = boto3.Session(
        profile_name=profile or None,
        region_name=region or os.environ.get("AWS_REGION") or None,
    )
    if session.region_name and not region:  # --region is checked with the arguments
        source = next(
            (name for name in ("AWS_REGION", "AWS_DEFAULT_REGION") if os.environ.get(name)),
            f"the region of profile {session.profile_name}",
        )
        check_region(session.region_name, source)
    credentials = session.get_credentials()
    if credentials is None:
        raise NoCredentialsError()
    credentials.get_frozen_credentials()  # an SSO or assumed role's credentials are fetched here
    return session


# boto3 sessions are not thread-safe: clients are made one at a time (calls may then run in
# parallel, clients are thread-safe).
_CLIENT_LOCK = threading.Lock()


def client(
    session: boto3.Session, service: str, endpoint_url: str | None = None, region: str | None = None
) -> Any:
    """A boto3 client; ``endpoint_url`` None means the service's real endpoint (or
    AWS_ENDPOINT_URL)."""
    with _CLIENT_LOCK:
        try:
            return session.client(
                service, endpoint_url=endpoint_url, region_name=region, config=timeouts().config()
            )
        except ValueError as error:  # botocore: "Invalid endpoint: ..."
            if not str(error).startswith("Invalid endpoint"):
                raise
            raise UserError(
                f"the endpoint is not a URL: {error}",
                fix="set AWS_ENDPOINT_URL (or the profile's endpoint_url) to a URL such as "
                "http://127.0.0.1:5000, or unset it to use AWS's endpoints",
            ) from error


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
