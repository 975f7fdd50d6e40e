"""Trusted IP sets and threat intel sets: the two kinds, the sets kept on the detector, the S3
object a set must name, and how a set settles into ACTIVE or INACTIVE (see the package's docstring,
"Activation takes time").
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Any

from moto.guardduty.models import Detector
from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends

from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.state import state_of
from guardduty_ecs_emulator.services.guardduty.detection_controls.messages import NO_SUCH_RESOURCE

FORMATS = frozenset({"TXT", "STIX", "OTX_CSV", "ALIEN_VAULT", "PROOF_POINT", "FIRE_EYE"})
ACTIVE, INACTIVE, DELETED = "ACTIVE", "INACTIVE", "DELETED"
ACTIVATING, DEACTIVATING = "ACTIVATING", "DEACTIVATING"
# How long a list reads ACTIVATING or DEACTIVATING (see the package's docstring, "Activation takes
# time"): AWS takes minutes; 1 s ends before the provider's second read, 3 s after its first.
LIST_SETTLE_SECONDS = float(os.environ.get("GUARDDUTY_ECS_EMULATOR_LIST_SETTLE_SECONDS", "1"))


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


def object_exists(account_id: str, location: str) -> None:
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


def sets_of(detector: Detector, kind: ListKind) -> dict[str, dict[str, Any]]:
    return state_of(detector, kind.state, dict)


def live_set(detector: Detector, kind: ListKind, set_id: str) -> dict[str, Any]:
    record = sets_of(detector, kind).get(set_id)
    if record is None or record["status"] == DELETED:
        raise BadRequestException(NO_SUCH_RESOURCE)
    return record


def settling(record: dict[str, Any], status: str) -> None:
    """Make ``record`` head for ACTIVE or INACTIVE, reading ACTIVATING or DEACTIVATING until
    ``LIST_SETTLE_SECONDS`` have passed on the emulator's clock (the package's docstring,
    "Activation takes time")."""
    record["status"] = status
    record["settles_at"] = CLOCK.now() + timedelta(seconds=LIST_SETTLE_SECONDS)


def status_now(record: dict[str, Any]) -> str:
    """ACTIVATING or DEACTIVATING while the set settles, then ACTIVE or INACTIVE; DELETED."""
    status = str(record["status"])
    if status != DELETED and CLOCK.now() < record["settles_at"]:
        return ACTIVATING if status == ACTIVE else DEACTIVATING
    return status
