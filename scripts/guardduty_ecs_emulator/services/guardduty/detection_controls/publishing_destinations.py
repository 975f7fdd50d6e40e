"""Publishing destinations: the destinations kept on the detector, what Create and Update check,
the status that the bucket and key policies give a destination for GuardDuty's principal, and the
export of published findings to it (see the package's docstring).
"""

from __future__ import annotations

import gzip
import json
import re
import time
import uuid
from typing import Any

from moto.guardduty.models import Detector, guardduty_backends
from moto.kms.exceptions import NotFoundException
from moto.kms.models import kms_backends
from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends
from moto.utilities.arns import parse_arn
from moto.utilities.utils import get_partition

from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.state import state_of
from guardduty_ecs_emulator.services import iam
from guardduty_ecs_emulator.services.guardduty.detection_controls.messages import INVALID_PARAMETERS

PUBLISHING = "PUBLISHING"
UNABLE = "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"
GUARDDUTY_PRINCIPAL = "guardduty.amazonaws.com"
# Regions "launched before March 20, 2019", "enabled by default" (AWS Account Management
# reference, "Enable or disable AWS Regions in your account"): a closed list; every other Region
# of the aws partition is an opt-in one, where GuardDuty's principal is the Regional one.
DEFAULT_REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ca-central-1",
        "sa-east-1",
        "eu-central-1",
        "eu-north-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
    }
)
# aws/aws-cli#10483's phrase, in the wording of GuardDuty's other destination check (see the
# package's docstring, "The prefix's folder"): chosen.
FOLDER_MISSING = "The request failed because resource folder does not exist: {folder}"


def destinations_of(detector: Detector) -> dict[str, dict[str, Any]]:
    return state_of(detector, "publishing_destinations", dict)


def _bucket_of(destination_arn: str) -> tuple[str, str]:
    """The bucket name and key prefix of an S3 destination ARN."""
    match = re.match(r"^arn:[^:]+:s3:::([^/]+)/?(.*)$", destination_arn or "")
    if match is None:
        raise BadRequestException(INVALID_PARAMETERS)
    return match.group(1), match.group(2)


def check_destination_exists(account_id: str, properties: dict[str, Any]) -> None:
    """At Create and Update: the bucket, and the prefix's folder object ``<prefix>/`` (see the
    package's docstring, "The prefix's folder")."""
    bucket_name, prefix = _bucket_of(properties.get("destinationArn", ""))
    backend = s3_backends[account_id]["aws"]
    try:
        backend.get_bucket(bucket_name)
    except MissingBucket as error:
        raise BadRequestException(
            f"The request is rejected because the destination bucket {bucket_name} does not exist."
        ) from error
    folder = prefix.rstrip("/") + "/" if prefix.strip("/") else ""
    # get_object answers None for a missing key and for a delete marker (a deleted version).
    if folder and backend.get_object(bucket_name, folder) is None:
        raise BadRequestException(FOLDER_MISSING.format(folder=f"s3://{bucket_name}/{folder}"))
    if not re.match(r"^arn:[^:]+:kms:[^:]+:\d{12}:key/.+$", properties.get("kmsKeyArn") or ""):
        raise BadRequestException(INVALID_PARAMETERS)


def request_context(detector: Detector, key_arn: str) -> dict[str, str]:
    """Condition keys of GuardDuty's export requests (see the package's docstring)."""
    partition = get_partition(detector_region(detector))
    return {
        "aws:SourceAccount": detector_account(detector),
        "aws:SourceArn": f"arn:{partition}:guardduty:{detector_region(detector)}:"
        f"{detector_account(detector)}:detector/{detector.id}",
        "aws:SecureTransport": "true",
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn,
    }


def detector_account(detector: Detector) -> str:
    return detector.service_role.split(":")[4]


def guardduty_principal(region: str) -> str:
    """GuardDuty's service principal in ``region``: the Regional one in an opt-in Region (see
    the package's docstring, "GuardDuty's service principal")."""
    if get_partition(region) == "aws" and region not in DEFAULT_REGIONS:
        return f"guardduty.{region}.amazonaws.com"
    return GUARDDUTY_PRINCIPAL


def detector_region(detector: Detector) -> str:
    for regions in guardduty_backends.values():
        for region, backend in regions.items():
            if backend.detectors.get(detector.id) is detector:
                return region
    raise BadRequestException(INVALID_PARAMETERS)


def can_publish(account_id: str, detector: Detector, properties: dict[str, Any]) -> bool:
    """Whether GuardDuty may write findings for ``detector`` to the destination."""
    key_arn = properties.get("kmsKeyArn") or ""
    bucket_name, prefix = _bucket_of(properties.get("destinationArn", ""))
    try:
        bucket = s3_backends[account_id]["aws"].get_bucket(bucket_name)
    except MissingBucket:
        return False
    region = detector_region(detector)
    principal = guardduty_principal(region)
    context = request_context(detector, key_arn)
    key_parts = parse_arn(key_arn)
    if key_parts.region != bucket.region_name:
        return False  # "The bucket and KMS key that you use must be in the same Region"
    try:
        key = kms_backends[key_parts.account][key_parts.region].describe_key(key_arn)
    except NotFoundException:
        return False
    if key.key_state != "Enabled":
        return False
    if not iam.decide(
        key.policy,
        iam.Request("kms:GenerateDataKey", key.arn, service_principal=principal, context=context),
    ):
        return False
    policy = bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy
    prefix = prefix.rstrip("/") + "/" if prefix else ""
    partition = get_partition(region)
    object_arn = (
        f"arn:{partition}:s3:::{bucket_name}/{prefix}AWSLogs/{detector_account(detector)}/"
        f"GuardDuty/{region}/finding.jsonl.gz"
    )
    return iam.decide(
        policy,
        iam.Request(
            "s3:GetBucketLocation",
            f"arn:{partition}:s3:::{bucket_name}",
            service_principal=principal,
            context=context,
        ),
    ) and iam.decide(
        policy,
        iam.Request("s3:PutObject", object_arn, service_principal=principal, context=context),
    )


def destination_json(account_id: str, detector: Detector, destination_id: str) -> dict[str, Any]:
    record = destinations_of(detector).get(destination_id)
    if record is None:
        raise BadRequestException(INVALID_PARAMETERS)
    if can_publish(account_id, detector, record["destinationProperties"]):
        record["status"], record["publishingFailureStartTimestamp"] = PUBLISHING, 0
    elif record["status"] != UNABLE:
        record["status"] = UNABLE
        record["publishingFailureStartTimestamp"] = int(time.time() * 1000)
    return {"destinationId": destination_id, **json.loads(json.dumps(record))}


def export_findings(detector_account: str, region: str, details: list[dict[str, Any]]) -> None:
    """Write published findings to every PUBLISHING destination of ``detector_account``'s
    detector in ``region``: one gzipped JSON-lines object per finding account, under
    ``<prefix>/AWSLogs/<account>/GuardDuty/<region>/<yyyy>/<mm>/<dd>/`` (see the package's
    docstring, "Export")."""
    with LOCK:
        targets = [
            dict(record["destinationProperties"])
            for detector in guardduty_backends[detector_account][region].detectors.values()
            for record in destinations_of(detector).values()
            if can_publish(detector_account, detector, record["destinationProperties"])
        ]
    if not targets or not details:
        return
    by_account: dict[str, list[dict[str, Any]]] = {}
    for detail in details:
        by_account.setdefault(str(detail.get("accountId") or detector_account), []).append(detail)
    day = CLOCK.now().strftime("%Y/%m/%d")
    backend = s3_backends[detector_account]["aws"]
    for properties in targets:
        bucket_name, prefix = _bucket_of(properties["destinationArn"])
        folder = prefix.strip("/") + "/" if prefix.strip("/") else ""
        for account, findings in by_account.items():
            lines = "".join(json.dumps(finding) + "\n" for finding in findings)
            try:
                backend.put_object(
                    bucket_name,
                    f"{folder}AWSLogs/{account}/GuardDuty/{region}/{day}/{uuid.uuid4()}.jsonl.gz",
                    gzip.compress(lines.encode()),
                    encryption="aws:kms",
                    kms_key_id=properties.get("kmsKeyArn"),
                )
            except MissingBucket:
                continue  # deleted since the check: the destination is unable to publish
