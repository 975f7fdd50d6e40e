"""Trusted IP sets, threat intel sets, publishing destinations, filter tags and resource tags of
GuardDuty, for the emulator (a test backend).

moto 5.2.5 has none of these but filters, and drops the tags of a filter. With botocore's shapes:

- IP sets and threat intel sets (Create/Get/Update/Delete/List): ``format`` is botocore's enum
  (TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT, FIRE_EYE); ``location`` is an S3 URL
  (``https://s3.amazonaws.com/bucket/key``, ``https://bucket.s3[.region].amazonaws.com/key``,
  ``s3://bucket/key``) whose object must exist in the emulator's S3, because GuardDuty reads it
  (the message of the rejection is the emulator's: no AWS text was found). A deleted set answers
  GetIPSet with status DELETED at once (the provider's finder reads DELETED as gone; DELETE_PENDING
  is not emulated: chosen) and leaves the lists. Quotas (GuardDuty user guide, "Quotas for Amazon
  GuardDuty"): "Trusted IP sets | 1 | The maximum number of trusted IP sets that can be uploaded
  and activated per AWS account per Region" and "Threat intel sets | 6 | The maximum number of
  Threat intel sets that you can add per AWS account per Region". A member account may not manage
  them ("Member accounts lose access to these features in a multiple-account environment", user
  guide, relationship between administrator and member accounts).
- Activation takes time. User guide, "Customizing threat detection with entity lists and IP
  address lists": "After you activate, deactivate, or delete an entity list or IP address list,
  the process is estimated to complete within 15 minutes. In certain scenarios, it may take up to
  40 minutes"; botocore's IpSetStatus and ThreatIntelSetStatus enums have ACTIVATING and
  DEACTIVATING. A set created or updated with ``activate`` true reads ACTIVATING, one updated
  with ``activate`` false from active reads DEACTIVATING, until ``LIST_SETTLE_SECONDS`` have
  passed on the emulator's clock (``core.clock.CLOCK``: real time plus what
  ``POST /moto-api/guardduty-ecs/clock`` advanced), then ACTIVE or INACTIVE. A set created
  inactive is INACTIVE at once (nothing to deactivate: chosen). The delay is the emulator's
  (``GUARDDUTY_ECS_EMULATOR_LIST_SETTLE_SECONDS``, default 1 s), not AWS's minutes, so that the
  provider's waiter passes quickly: hashicorp/aws (5.100, and 6.x, ``internal/service/guardduty/
  ipset.go`` and ``threatintelset.go``) waits after a create while the status is ACTIVATING or
  DEACTIVATING for ACTIVE or INACTIVE, reading at once and then after 3 s (``MinTimeout``), for
  at most 5 minutes; it does not wait after an update, and reads ``activate`` as ``status ==
  ACTIVE``.
- Re-reading a list. Same page: "Whenever you add or update an entry in the list's S3 bucket
  location, you must activate the list again". UpdateIPSet / UpdateThreatIntelSet with a
  ``location`` checks the new object as CreateIPSet does, and, on a set that is (or is being
  made) active, activates it again: ACTIVATING, then ACTIVE. That a new location alone, without
  ``activate``, makes GuardDuty read the list is **chosen** (the API reference says only "The
  updated URI of the file that contains the IPSet"); it is what the provider sends when
  ``location`` changes, and what ``modules/detection-controls`` relies on.
- Publishing destinations (Create/Describe/Update/Delete/List), ``destinationType`` S3 only:
  "Before you start exporting the findings, the destination resource must exist" (API reference,
  CreatePublishingDestination), so an unknown bucket is rejected.
- The prefix's folder: a ``destinationArn`` with a prefix (``arn:aws:s3:::bucket/prefix``) needs the
  object ``prefix/`` in the bucket, at CreatePublishingDestination and at every
  UpdatePublishingDestination, whatever the update changes. aws/aws-cli#10483 ("GuardDuty
  CreatePublishingDestination/UpdatePublishingDestination fails with misleading "resource folder
  does not exist" when the S3 folder-marker object has been expired by a bucket lifecycle rule"):
  "GuardDuty validates that the prefix exists as a folder - specifically, an S3 object with the key
  ``guardduty/``", and "UpdatePublishingDestination with unchanged properties should succeed as a
  no-op" is that issue's *expected* behaviour, so today it does not;
  hashicorp/terraform-provider-aws#19684: "the only way to have a prefix created is to use the
  aws_s3_bucket_object resource to create the prefix before creating the
  aws_guardduty_publishing_destination"; #16750 ("add prefix to destination_arn fails") reports the
  failure as ``BadRequestException``. The message is **chosen**: the issue's phrase in the wording
  GuardDuty uses for another destination check ("The request failed because you do not have the
  required permissions for the s3:GetObject or s3:ListBucket actions",
  awslabs/landing-zone-accelerator-on-aws#255). Only the full prefix's folder is checked (chosen:
  the sources show one-segment prefixes), and only at Create/Update: findings "keep flowing" once
  the marker is gone (same aws-cli issue), so the status does not look at it.
- Status: evaluated at every read with the emulator's policy evaluator (``emulator/iam.py``),
  following "Exporting findings" in the user guide: the key policy must grant GuardDuty's service
  principal (below) "kms:GenerateDataKey" ("Allow GuardDuty to use the key"), the bucket policy
  ``s3:GetBucketLocation`` on the bucket ("Allow GuardDuty to use the getBucketLocation operation")
  and ``s3:PutObject`` under the prefix ("Allow GuardDuty to upload objects to the bucket"), and
  "The bucket and KMS key that you use must be in the same Region". GuardDuty's requests carry
  ``aws:SourceAccount`` (the detector's account) and ``aws:SourceArn`` (the detector's ARN), which
  the guide's current statements use as conditions, plus ``s3:x-amz-server-side-encryption`` =
  ``aws:kms`` and ``s3:x-amz-server-side-encryption-aws-kms-key-id`` = the key ARN (the guide's
  optional Deny statements test them) and ``aws:SecureTransport`` = ``true``. Allowed: PUBLISHING;
  otherwise UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY with ``publishingFailureStartTimestamp``
  (epoch ms) of the first failure (botocore's PublishingStatus enum). A missing destination answers
  the text the provider looks for: "The request is rejected because the one or more input parameters
  have invalid values."
- GuardDuty's service principal is ``guardduty.amazonaws.com``, and
  ``guardduty.<region>.amazonaws.com`` for a detector in an opt-in Region. User guide, "Exporting
  findings" (for the key policy and again for the bucket policy): "If you're using GuardDuty in an
  manually-enabled Region, replace the value for the "Service" with the Regional endpoint for that
  Region. For example, if you're using GuardDuty in the Middle East (Bahrain) (me-south-1) Region,
  replace "Service": "guardduty.amazonaws.com" with "Service":
  "guardduty.me-south-1.amazonaws.com"". So in an opt-in Region a policy that names only the global
  principal does not let GuardDuty write, and the destination reads
  UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY (the provider's create then fails waiting for
  PUBLISHING); that it is this status rather than an error of CreatePublishingDestination is
  **chosen**, as for every other policy the emulator judges. Which Regions are opt-in
  (``DEFAULT_REGIONS``): AWS Account Management reference, "Enable or disable AWS Regions in your
  account": "Default Regions - Regions launched before March 20, 2019 are enabled by default" and
  "Opt-in Regions - Regions launched after March 20, 2019 are disabled by default"; every Region of
  the aws partition outside the closed list of default ones is opt-in (moto's DescribeRegions is not
  used: it marks af-south-1, ap-southeast-3 and eu-south-1 ``opt-in-not-required``).
- Export. When a finding is published (a new one at once, updates at the publishing frequency,
  suppressed ones never: ``services/guardduty/findings.py``), it is also written to every PUBLISHING
  destination of the detector, and a member's finding to those of its administrator too ("If you
  enable findings export in a GuardDuty administrator account all findings from associated member
  accounts that are generated in the current Region are also exported to the same location that you
  configured for the administrator account", user guide, "Exporting findings"). Where: "The prefix
  will prepend the default folder structure created by GuardDuty, which is
  ``/AWSLogs/111122223333/GuardDuty/Region``" (same page), here ``<prefix>/AWSLogs/<finding's
  account>/GuardDuty/<region>/<yyyy>/<mm>/<dd>/<uuid>.jsonl.gz``, the date folders and the file name
  as exported objects are listed in wazuh/wazuh#15226
  ("AWSLogs/account-id/GuardDuty/region/2022/09/20/09d41cb2-dc23-3ec6-a59d-b77625c6ddd8.jsonl.gz").
  One object per publication, gzipped JSON lines of the findings as GetFindings returns them,
  SSE-KMS with the destination's key (chosen: the guide says only that "GuardDuty uses AWS Key
  Management Service (AWS KMS) to encrypt the findings data in your S3 bucket", not how it batches).
- Filters: CreateFilter and UpdateFilter accept criteria only on the finding attributes that
  CreateFilter's ``FindingCriteria`` documentation lists ("You can only use the following
  attributes to query findings:"), read from botocore's model (``filter_attributes``); any other
  is a BadRequestException (message chosen).
- Tags: CreateFilter's ``tags`` are kept and GetFilter returns them; TagResource, UntagResource
  and ListTagsForResource work on the ARNs of detectors, filters, IP sets and threat intel sets
  of the caller's account.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
import time
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import botocore.loaders
from moto.guardduty import urls
from moto.guardduty.models import Detector, guardduty_backends
from moto.guardduty.responses import GuardDutyResponse
from moto.kms.exceptions import NotFoundException
from moto.kms.models import kms_backends
from moto.moto_api._internal import mock_random
from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends
from moto.utilities.arns import parse_arn
from moto.utilities.utils import get_partition

from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.pagination import paginate
from guardduty_ecs_emulator.core.publishing import FINDING_EXPORTERS
from guardduty_ecs_emulator.core.requests import detector_of, request_body
from guardduty_ecs_emulator.core.routing import add_route
from guardduty_ecs_emulator.core.state import state_of
from guardduty_ecs_emulator.services import iam
from guardduty_ecs_emulator.services.guardduty import organization

FORMATS = frozenset({"TXT", "STIX", "OTX_CSV", "ALIEN_VAULT", "PROOF_POINT", "FIRE_EYE"})
ACTIVE, INACTIVE, DELETED = "ACTIVE", "INACTIVE", "DELETED"
ACTIVATING, DEACTIVATING = "ACTIVATING", "DEACTIVATING"
# How long a list reads ACTIVATING or DEACTIVATING (see the module docstring, "Activation takes
# time"): AWS takes minutes; 1 s ends before the provider's second read, 3 s after its first.
LIST_SETTLE_SECONDS = float(os.environ.get("GUARDDUTY_ECS_EMULATOR_LIST_SETTLE_SECONDS", "1"))
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
# module docstring, "The prefix's folder"): chosen.
FOLDER_MISSING = "The request failed because resource folder does not exist: {folder}"
INVALID_PARAMETERS = (
    "The request is rejected because the one or more input parameters have invalid values."
)
NO_SUCH_RESOURCE = "The request is rejected since no such resource found."


class ListKind:
    """An IP set or a threat intel set: the same API with other names and quotas."""

    def __init__(self, state: str, id_key: str, ids_key: str, path: str, quota: int) -> None:
        self.state, self.id_key, self.ids_key, self.path, self.quota = (
            state,
            id_key,
            ids_key,
            path,
            quota,
        )


IP_SETS = ListKind("ip_sets", "ipSetId", "ipSetIds", "ipset", 1)
THREAT_INTEL_SETS = ListKind(
    "threat_intel_sets", "threatIntelSetId", "threatIntelSetIds", "threatintelset", 6
)

_S3_URL = (
    re.compile(
        r"^https://s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?/(?P<bucket>[^/]+)/(?P<key>.+)$"
    ),
    re.compile(
        r"^https://(?P<bucket>[^/]+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?/(?P<key>.+)$"
    ),
    re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.+)$"),
)


def _object_exists(account_id: str, location: str) -> None:
    """Reject a location that is not an S3 URL of an existing object (GuardDuty reads it)."""
    match = next((m for m in (p.match(location or "") for p in _S3_URL) if m), None)
    if match is None:
        raise BadRequestException(
            f"The request is rejected because the location {location} is not an S3 object URL."
        )
    try:
        bucket = s3_backends[account_id]["aws"].get_bucket(match.group("bucket"))
    except MissingBucket as error:
        raise BadRequestException(
            f"The request is rejected because GuardDuty cannot read {location}: no such bucket."
        ) from error
    if match.group("key") not in bucket.keys:
        raise BadRequestException(
            f"The request is rejected because GuardDuty cannot read {location}: no such object."
        )


def _forbid_members(response: GuardDutyResponse) -> None:
    if organization.administrator_account_of(response.current_account, response.region):
        raise BadRequestException(
            "The request is rejected because a member account cannot manage trusted IP lists "
            "or threat lists; its administrator account does."
        )


def _sets(detector: Detector, kind: ListKind) -> dict[str, dict[str, Any]]:
    return state_of(detector, kind.state, dict)


def _set_id(response: GuardDutyResponse, kind: ListKind) -> str:
    match = re.search(rf"/{kind.path}/([^/]+)$", response.path)
    return match.group(1) if match else ""


def _live_set(detector: Detector, kind: ListKind, set_id: str) -> dict[str, Any]:
    record = _sets(detector, kind).get(set_id)
    if record is None or record["status"] == DELETED:
        raise BadRequestException(NO_SUCH_RESOURCE)
    return record


def _settling(record: dict[str, Any], status: str) -> None:
    """Make ``record`` head for ACTIVE or INACTIVE, reading ACTIVATING or DEACTIVATING until
    ``LIST_SETTLE_SECONDS`` have passed on the emulator's clock (module docstring, "Activation
    takes time")."""
    record["status"] = status
    record["settles_at"] = CLOCK.now() + timedelta(seconds=LIST_SETTLE_SECONDS)


def _status_now(record: dict[str, Any]) -> str:
    """ACTIVATING or DEACTIVATING while the set settles, then ACTIVE or INACTIVE; DELETED."""
    status = str(record["status"])
    if status != DELETED and CLOCK.now() < record["settles_at"]:
        return ACTIVATING if status == ACTIVE else DEACTIVATING
    return status


def _create_set(self: GuardDutyResponse, kind: ListKind) -> str:
    detector = detector_of(self)
    body = request_body(self)
    _forbid_members(self)
    name, list_format = body.get("name"), body.get("format")
    if not isinstance(name, str) or not 1 <= len(name) <= 300:
        raise BadRequestException("The request is rejected because the name is not valid.")
    if list_format not in FORMATS:
        raise BadRequestException(
            f"The request is rejected because the format {list_format} is not valid."
        )
    _object_exists(self.current_account, body.get("location", ""))
    with LOCK:
        sets = _sets(detector, kind)
        if sum(1 for s in sets.values() if s["status"] != DELETED) >= kind.quota:
            raise BadRequestException(
                f"The request is rejected because the detector already has {kind.quota} "
                f"{kind.path} resources, the quota per account and Region."
            )
        set_id = mock_random.get_random_hex(32)
        sets[set_id] = {
            "name": name,
            "format": list_format,
            "location": body["location"],
            "status": INACTIVE,
            "settles_at": CLOCK.now(),  # created inactive: INACTIVE at once (chosen)
            "tags": dict(body.get("tags") or {}),
        }
        if body.get("activate"):
            _settling(sets[set_id], ACTIVE)
    return json.dumps({kind.id_key: set_id})


def _get_set(self: GuardDutyResponse, kind: ListKind) -> str:
    detector = detector_of(self)
    with LOCK:
        record = _sets(detector, kind).get(_set_id(self, kind))
        if record is None:
            raise BadRequestException(NO_SUCH_RESOURCE)
        result = {
            key: value
            for key, value in record.items()
            if key != "settles_at" and (key != "tags" or value)
        }
        result["status"] = _status_now(record)
    return json.dumps(result)


def _update_set(self: GuardDutyResponse, kind: ListKind) -> str:
    detector = detector_of(self)
    body = request_body(self)
    _forbid_members(self)
    if "location" in body:
        _object_exists(self.current_account, body["location"])
    with LOCK:
        record = _live_set(detector, kind, _set_id(self, kind))
        if "name" in body:
            record["name"] = body["name"]
        if "location" in body:
            record["location"] = body["location"]
        # Activating again (activate true, or a new location of an active set) reads the list
        # again; deactivating an active set takes time too (module docstring, "Re-reading a list").
        activate = body.get("activate", record["status"] == ACTIVE)
        if activate and ("activate" in body or "location" in body):
            _settling(record, ACTIVE)
        elif not activate and record["status"] == ACTIVE:
            _settling(record, INACTIVE)
    return "{}"


def _delete_set(self: GuardDutyResponse, kind: ListKind) -> str:
    detector = detector_of(self)
    with LOCK:
        _live_set(detector, kind, _set_id(self, kind))["status"] = DELETED
    return "{}"


def _query_page(response: GuardDutyResponse) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if response.querystring.get("maxResults"):
        try:
            query["maxResults"] = int(response.querystring["maxResults"][0])
        except ValueError as error:
            message = "The request is rejected because maxResults is invalid."
            raise BadRequestException(message) from error
    if response.querystring.get("nextToken"):
        query["nextToken"] = response.querystring["nextToken"][0]
    return query


def _list_sets(self: GuardDutyResponse, kind: ListKind) -> str:
    detector = detector_of(self)
    with LOCK:
        ids = [i for i, s in _sets(detector, kind).items() if s["status"] != DELETED]
    page, token = paginate(ids, _query_page(self))
    return json.dumps({kind.ids_key: page, **({"nextToken": token} if token else {})})


def _set_handler(action: Any, kind: ListKind) -> Any:
    return lambda self: action(self, kind)


# --------------------------------------------------------------------------------------------
# Publishing destinations
# --------------------------------------------------------------------------------------------


def _destinations(detector: Detector) -> dict[str, dict[str, Any]]:
    return state_of(detector, "publishing_destinations", dict)


def _bucket_of(destination_arn: str) -> tuple[str, str]:
    """The bucket name and key prefix of an S3 destination ARN."""
    match = re.match(r"^arn:[^:]+:s3:::([^/]+)/?(.*)$", destination_arn or "")
    if match is None:
        raise BadRequestException(INVALID_PARAMETERS)
    return match.group(1), match.group(2)


def _check_destination_exists(account_id: str, properties: dict[str, Any]) -> None:
    """At Create and Update: the bucket, and the prefix's folder object ``<prefix>/`` (see the
    module docstring, "The prefix's folder")."""
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
    """Condition keys of GuardDuty's export requests (see the module docstring)."""
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
    the module docstring, "GuardDuty's service principal")."""
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


def _destination_json(account_id: str, detector: Detector, destination_id: str) -> dict[str, Any]:
    record = _destinations(detector).get(destination_id)
    if record is None:
        raise BadRequestException(INVALID_PARAMETERS)
    if can_publish(account_id, detector, record["destinationProperties"]):
        record["status"], record["publishingFailureStartTimestamp"] = PUBLISHING, 0
    elif record["status"] != UNABLE:
        record["status"] = UNABLE
        record["publishingFailureStartTimestamp"] = int(time.time() * 1000)
    return {"destinationId": destination_id, **json.loads(json.dumps(record))}


def _destination_id(response: GuardDutyResponse) -> str:
    match = re.search(r"/publishingDestination/([^/]+)$", response.path)
    return match.group(1) if match else ""


def _properties(body: dict[str, Any]) -> dict[str, Any]:
    properties = body.get("destinationProperties") or {}
    return {key: properties[key] for key in ("destinationArn", "kmsKeyArn") if properties.get(key)}


def _create_publishing_destination(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    body = request_body(self)
    if body.get("destinationType") != "S3":
        raise BadRequestException(INVALID_PARAMETERS)
    properties = _properties(body)
    _check_destination_exists(self.current_account, properties)
    destination_id = mock_random.get_random_hex(32)
    with LOCK:
        _destinations(detector)[destination_id] = {
            "destinationType": "S3",
            "destinationProperties": properties,
            "status": "PENDING_VERIFICATION",
            "publishingFailureStartTimestamp": 0,
        }
    return json.dumps({"destinationId": destination_id})


def _describe_publishing_destination(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    with LOCK:
        return json.dumps(_destination_json(self.current_account, detector, _destination_id(self)))


def _update_publishing_destination(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    with LOCK:
        record = _destinations(detector).get(_destination_id(self))
        if record is None:
            raise BadRequestException(INVALID_PARAMETERS)
        properties = {**record["destinationProperties"], **_properties(request_body(self))}
    _check_destination_exists(self.current_account, properties)
    with LOCK:
        record["destinationProperties"] = properties
    return "{}"


def _delete_publishing_destination(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    with LOCK:
        if _destinations(detector).pop(_destination_id(self), None) is None:
            raise BadRequestException(INVALID_PARAMETERS)
    return "{}"


def _list_publishing_destinations(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    with LOCK:
        destinations = [
            {
                key: value
                for key, value in _destination_json(self.current_account, detector, i).items()
                if key in ("destinationId", "destinationType", "status")
            }
            for i in list(_destinations(detector))
        ]
    page, token = paginate(destinations, _query_page(self))
    return json.dumps({"destinations": page, **({"nextToken": token} if token else {})})


def export_findings(detector_account: str, region: str, details: list[dict[str, Any]]) -> None:
    """Write published findings to every PUBLISHING destination of ``detector_account``'s
    detector in ``region``: one gzipped JSON-lines object per finding account, under
    ``<prefix>/AWSLogs/<account>/GuardDuty/<region>/<yyyy>/<mm>/<dd>/`` (see the module
    docstring, "Export")."""
    with LOCK:
        targets = [
            dict(record["destinationProperties"])
            for detector in guardduty_backends[detector_account][region].detectors.values()
            for record in _destinations(detector).values()
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


# --------------------------------------------------------------------------------------------
# Filters and tags
# --------------------------------------------------------------------------------------------


def _filter_tags(detector: Detector) -> dict[str, dict[str, str]]:
    return state_of(detector, "filter_tags", dict)


def _tags_of(account_id: str, arn: str) -> dict[str, str]:
    """The tag dictionary of the resource ``arn`` (changed in place by tag and untag)."""
    match = re.match(
        r"^arn:[^:]+:guardduty:([^:]+):(\d+):detector/([^/]+)(?:/(filter|ipset|threatintelset)/(.+))?$",
        arn,
    )
    if match is None or match.group(2) != account_id:
        raise BadRequestException(INVALID_PARAMETERS)
    region, _, detector_id, kind, name = match.groups()
    detector = guardduty_backends[account_id][region].detectors.get(detector_id)
    if detector is None:
        raise BadRequestException(NO_SUCH_RESOURCE)
    if kind is None:
        return detector.tags
    if kind == "filter":
        if name not in detector.filters:
            raise BadRequestException(NO_SUCH_RESOURCE)
        return _filter_tags(detector).setdefault(name, {})
    sets = _sets(detector, IP_SETS if kind == "ipset" else THREAT_INTEL_SETS)
    if name not in sets or sets[name]["status"] == DELETED:
        raise BadRequestException(NO_SUCH_RESOURCE)
    return sets[name]["tags"]


def _resource_arn(response: GuardDutyResponse) -> str:
    return unquote(response.path.split("/tags/", 1)[1])


def _list_tags_for_resource(self: GuardDutyResponse) -> str:
    with LOCK:
        return json.dumps({"tags": dict(_tags_of(self.current_account, _resource_arn(self)))})


def _tag_resource(self: GuardDutyResponse) -> Any:
    tags = request_body(self).get("tags") or {}
    with LOCK:
        _tags_of(self.current_account, _resource_arn(self)).update(tags)
    return "", {"status": 204}


def _untag_resource(self: GuardDutyResponse) -> Any:
    keys = self.querystring.get("tagKeys") or []
    with LOCK:
        tags = _tags_of(self.current_account, _resource_arn(self))
        for key in keys:
            tags.pop(key, None)
    return "", {"status": 204}


# Listed under CreateFilter's FindingCriteria by later copies of the GuardDuty model (the AWS SDK
# for Ruby's) than the botocore some machines install: AWS accepts them, so the emulator does too.
LATER_MODEL_FILTER_ATTRIBUTES = frozenset(
    {
        "service.action.dnsRequestAction.vpcOwnerAccountId",
        "service.runtimeDetails.process.executablePath",
    }
)


@functools.cache
def filter_attributes() -> frozenset[str]:
    """The finding attributes CreateFilter accepts, read from botocore's GuardDuty model (the
    emulator's own reading): the documentation of ``CreateFilterRequest.FindingCriteria`` says "You
    can only use the following attributes to query findings:" and lists them, one
    ``<li> <p>attribute</p>`` each (the nested severity band items are not attribute names)."""
    model = botocore.loaders.create_loader().load_service_model("guardduty", "service-2")
    text = model["shapes"]["CreateFilterRequest"]["members"]["FindingCriteria"]["documentation"]
    listed = text.split("You can only use the following attributes to query findings:", 1)[-1]
    documented = frozenset(re.findall(r"<li>\s*<p>([A-Za-z0-9.]+)</p>", listed))
    return documented | LATER_MODEL_FILTER_ATTRIBUTES


def _check_filter_attributes(response: GuardDutyResponse) -> None:
    """CreateFilter and UpdateFilter reject a criterion on any other attribute than
    ``filter_attributes()`` with BadRequestException (the error code the API reference gives
    CreateFilter for a bad request; the message is **chosen**: no AWS text was found). ListFindings
    is not checked: its model says "Valid values include: JSON field name", so any path."""
    criterion = (response._get_param("findingCriteria") or {}).get("criterion") or {}
    unknown = sorted(set(criterion) - filter_attributes())
    if unknown:
        raise BadRequestException(
            "The request is rejected because filters cannot use the finding attribute(s) "
            f"{', '.join(unknown)}: only the attributes the CreateFilter API reference lists "
            "under FindingCriteria can be used."
        )


def _list_filters(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    page, token = paginate(sorted(detector.filters), _query_page(self))
    return json.dumps({"filterNames": page, **({"nextToken": token} if token else {})})


def install() -> None:
    """Add IP sets, threat intel sets, publishing destinations and tagging to moto's GuardDuty."""
    for kind, names in (
        (IP_SETS, ("ip_set", "ip_sets")),
        (THREAT_INTEL_SETS, ("threat_intel_set", "threat_intel_sets")),
    ):
        one, many = names
        add_route(kind.path, f"create_{one}", _set_handler(_create_set, kind))
        add_route(kind.path, f"list_{many}", _set_handler(_list_sets, kind))
        item = f"{kind.path}/(?P<{one}_id>[^/]+)"
        add_route(item, f"get_{one}", _set_handler(_get_set, kind))
        add_route(item, f"update_{one}", _set_handler(_update_set, kind))
        add_route(item, f"delete_{one}", _set_handler(_delete_set, kind))
    destinations = "publishingDestination"
    add_route(destinations, "create_publishing_destination", _create_publishing_destination)
    add_route(destinations, "list_publishing_destinations", _list_publishing_destinations)
    item = "publishingDestination/(?P<destination_id>[^/]+)"
    add_route(item, "describe_publishing_destination", _describe_publishing_destination)
    add_route(item, "update_publishing_destination", _update_publishing_destination)
    add_route(item, "delete_publishing_destination", _delete_publishing_destination)
    if export_findings not in FINDING_EXPORTERS:
        FINDING_EXPORTERS.append(export_findings)
    add_route("filter", "list_filters", _list_filters)
    urls.url_paths["{0}/tags/(?P<resource_arn>.+)$"] = GuardDutyResponse.dispatch
    GuardDutyResponse.list_tags_for_resource = _list_tags_for_resource  # type: ignore[attr-defined]
    GuardDutyResponse.tag_resource = _tag_resource  # type: ignore[attr-defined]
    GuardDutyResponse.untag_resource = _untag_resource  # type: ignore[attr-defined]

    original_create, original_get, original_delete, original_update = (
        GuardDutyResponse.create_filter,
        GuardDutyResponse.get_filter,
        GuardDutyResponse.delete_filter,
        GuardDutyResponse.update_filter,
    )

    def create_filter(self: GuardDutyResponse) -> str:
        _check_filter_attributes(self)
        result = original_create(self)
        detector = detector_of(self)
        with LOCK:
            _filter_tags(detector)[self._get_param("name")] = dict(self._get_param("tags") or {})
        return result

    def get_filter(self: GuardDutyResponse) -> str:
        result = json.loads(original_get(self))
        with LOCK:
            tags = _filter_tags(detector_of(self)).get(result["name"])
        if tags:
            result["tags"] = dict(tags)
        return json.dumps(result)

    def delete_filter(self: GuardDutyResponse) -> str:
        result = original_delete(self)
        with LOCK:
            _filter_tags(detector_of(self)).pop(self.path.rsplit("/", 1)[-1], None)
        return result

    def update_filter(self: GuardDutyResponse) -> str:
        _check_filter_attributes(self)
        return str(original_update(self))

    GuardDutyResponse.create_filter = create_filter  # type: ignore[method-assign]
    GuardDutyResponse.update_filter = update_filter  # type: ignore[method-assign]
    GuardDutyResponse.get_filter = get_filter  # type: ignore[method-assign]
    GuardDutyResponse.delete_filter = delete_filter  # type: ignore[method-assign]
