"""The detector's findings: the samples stored and updated, suppression by ARCHIVE filters, the
publication of new findings at once and of updates at the finding publishing frequency, the
selections of ListFindings and GetFindings, and archiving (see the package's docstring).
"""

from __future__ import annotations

import copy
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from moto.guardduty.models import Detector, guardduty_backends

from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.pagination import MAX_RESULTS, paginate
from guardduty_ecs_emulator.core.publishing import ADMINISTRATOR_OF, publish_findings
from guardduty_ecs_emulator.core.state import state_of
from guardduty_ecs_emulator.services.guardduty.criteria import matches, sort_findings, values_at
from guardduty_ecs_emulator.services.guardduty.findings.samples import sample_finding


def administrator_detector(account_id: str, region: str) -> Detector | None:
    """The detector of the account's GuardDuty administrator in the Region, if it has one."""
    administrator = ADMINISTRATOR_OF[0](account_id, region)
    if administrator is None:
        return None
    return next(iter(guardduty_backends[administrator][region].detectors.values()), None)


def suppressing_filter(detector: Detector, finding: dict[str, Any]) -> str | None:
    """The name of the highest-ranked ARCHIVE filter (suppression rule) of the detector that
    matches the finding, if any; a filter whose criteria cannot be evaluated matches nothing."""
    for rule in sorted(detector.filters.values(), key=lambda f: (f.rank or 0, f.name)):
        if rule.action != "ARCHIVE":
            continue
        criterion = (rule.finding_criteria or {}).get("criterion") or {}
        try:
            if criterion and matches(finding, criterion):
                return str(rule.name)
        except BadRequestException:
            continue
    return None


# --------------------------------------------------------------------------------------------
# Sample findings and their publication
# --------------------------------------------------------------------------------------------


# The detector's finding publishing frequency (botocore's FindingPublishingFrequency enum).
PUBLISHING_FREQUENCIES = {
    "FIFTEEN_MINUTES": timedelta(minutes=15),
    "ONE_HOUR": timedelta(hours=1),
    "SIX_HOURS": timedelta(hours=6),
}


def publish_due_updates(detector: Detector, account_id: str, region: str) -> None:
    """Publish the updated findings whose publishing frequency has passed."""
    with LOCK:
        findings: dict[str, dict[str, Any]] = state_of(detector, "findings", dict)
        due_at: dict[str, datetime] = state_of(detector, "updates_due", dict)
        published: dict[str, datetime] = state_of(detector, "published_at", dict)
        now = CLOCK.now()
        due = [finding_id for finding_id, moment in due_at.items() if moment <= now]
        for finding_id in due:
            del due_at[finding_id]
            published[finding_id] = now
        details = [copy.deepcopy(findings[finding_id]) for finding_id in due]
    # Delivery (rules, topics, queues) runs outside the lock, as GuardDuty's publishing would.
    if details:
        publish_findings(account_id, region, details)


def publish_all_due_updates() -> None:
    """Publish the due updates of every detector in every account and region."""
    for account_id, regions in list(guardduty_backends.items()):
        for region, backend in list(regions.items()):
            for detector in list(backend.detectors.values()):
                publish_due_updates(detector, account_id, region)


def publish_as_time_passes(every_seconds: float = 5.0) -> None:
    """On AWS updates go out when the frequency has passed, whoever asks: so here, too."""
    while True:
        time.sleep(every_seconds)
        try:
            publish_all_due_updates()
        except Exception:
            logging.getLogger(__name__).exception("publishing due finding updates failed")


def create_sample_findings(
    detector: Detector, account_id: str, region: str, finding_types: list[str]
) -> list[dict[str, Any]]:
    """Store (or update) one sample finding per type; publish the new ones now, the updates at
    the finding publishing frequency (the administrator's for a member account: see the package's
    docstring); return them all."""
    with LOCK:
        findings: dict[str, dict[str, Any]] = state_of(detector, "findings", dict)
        due_at: dict[str, datetime] = state_of(detector, "updates_due", dict)
        published: dict[str, datetime] = state_of(detector, "published_at", dict)
        suppressed: set[str] = state_of(detector, "suppressed", set)
        administrator = administrator_detector(account_id, region)
        frequency = PUBLISHING_FREQUENCIES.get(
            getattr(
                detector if administrator is None else administrator, "finding_publish_freq", ""
            ),
            PUBLISHING_FREQUENCIES["SIX_HOURS"],
        )
        samples = {
            finding["type"]: finding
            for finding in findings.values()
            if values_at(finding, "service.additionalInfo.sample") == [True]
        }
        created, new = [], []
        for finding_type in finding_types:
            previous = samples.get(finding_type)
            finding = sample_finding(detector, account_id, region, finding_type, previous)
            findings[finding["id"]] = finding
            created.append(finding)
            if (
                finding["id"] in suppressed
                or suppressing_filter(detector, finding)
                or (administrator is not None and suppressing_filter(administrator, finding))
            ):
                # Auto-archived: neither this occurrence nor later ones are published.
                finding["service"]["archived"] = True
                suppressed.add(finding["id"])
                due_at.pop(finding["id"], None)
                continue
            if previous and previous["service"].get("archived"):
                finding["service"]["archived"] = True  # archived by hand: it stays archived
            if previous is None:
                new.append(finding)
                published[finding["id"]] = CLOCK.now()
            elif finding["id"] not in due_at:
                due_at[finding["id"]] = published.get(finding["id"], CLOCK.now()) + frequency
        details = copy.deepcopy(new)
    publish_findings(account_id, region, details)
    publish_due_updates(detector, account_id, region)
    return created


# --------------------------------------------------------------------------------------------
# ListFindings / GetFindings
# --------------------------------------------------------------------------------------------


def list_findings(detector: Detector, body: dict[str, Any]) -> dict[str, Any]:
    criterion = (body.get("findingCriteria") or {}).get("criterion") or {}
    with LOCK:
        findings = list(state_of(detector, "findings", dict).values())
    selected = sort_findings(
        (finding for finding in findings if matches(finding, criterion)), body.get("sortCriteria")
    )
    page, next_token = paginate(selected, body)
    result: dict[str, Any] = {"findingIds": [finding["id"] for finding in page]}
    if next_token:
        result["nextToken"] = next_token
    return result


def get_findings(detector: Detector, body: dict[str, Any]) -> dict[str, Any]:
    ids = body.get("findingIds") or []
    if not isinstance(ids, list) or len(ids) > MAX_RESULTS:
        raise BadRequestException(
            "The request is rejected because findingIds must be a list of at most 50 IDs."
        )
    with LOCK:
        stored = state_of(detector, "findings", dict)
        found = [copy.deepcopy(stored[i]) for i in dict.fromkeys(ids) if i in stored]
    return {"findings": sort_findings(found, body.get("sortCriteria"))}


# --------------------------------------------------------------------------------------------
# Archiving
# --------------------------------------------------------------------------------------------


def set_archived(
    detector: Detector, account_id: str, region: str, body: dict[str, Any], archived: bool
) -> None:
    """ArchiveFindings (``archived`` true) or UnarchiveFindings of the body's ``findingIds``."""
    ids = body.get("findingIds")
    if not isinstance(ids, list) or len(ids) > MAX_RESULTS:
        raise BadRequestException(
            "The request is rejected because findingIds must be a list of at most 50 IDs."
        )
    if ADMINISTRATOR_OF[0](account_id, region) is not None:
        raise BadRequestException(
            "The request is rejected because only the administrator account can archive or "
            "unarchive findings; member accounts don't have permission."
        )
    with LOCK:
        stored = state_of(detector, "findings", dict)
        for finding_id in ids:
            if finding_id in stored:
                stored[finding_id]["service"]["archived"] = archived
