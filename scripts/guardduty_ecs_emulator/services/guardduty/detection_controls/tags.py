"""The tags of GuardDuty's resources: which resource an ARN names, of the caller's account, and
its tag dictionary (see the package's docstring, "Tags").
"""

from __future__ import annotations

import re

from moto.guardduty.models import guardduty_backends

from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.services.guardduty.detection_controls.filters import filter_tags
from guardduty_ecs_emulator.services.guardduty.detection_controls.lists import (
    DELETED,
    IP_SETS,
    THREAT_INTEL_SETS,
    sets_of,
)
from guardduty_ecs_emulator.services.guardduty.detection_controls.messages import (
    INVALID_PARAMETERS,
    NO_SUCH_RESOURCE,
)


def tags_of(account_id: str, arn: str) -> dict[str, str]:
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
        return filter_tags(detector).setdefault(name, {})
    sets = sets_of(detector, IP_SETS if kind == "ipset" else THREAT_INTEL_SETS)
    if name not in sets or sets[name]["status"] == DELETED:
        raise BadRequestException(NO_SUCH_RESOURCE)
    return sets[name]["tags"]
