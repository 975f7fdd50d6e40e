"""ListCoverage and GetCoverageStatistics: criteria, sort orders, pages, and an administrator's
view over its members (see the package's docstring).
"""

from __future__ import annotations

import bisect
import heapq
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from moto.guardduty.models import Detector
from moto.guardduty.responses import GuardDutyResponse

from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.pagination import max_results
from guardduty_ecs_emulator.core.requests import detector_of, request_body
from guardduty_ecs_emulator.core.state import detectors
from guardduty_ecs_emulator.services.guardduty.coverage.index import (
    INVALID_TOKEN,
    View,
    cursor_of,
    token_of,
)
from guardduty_ecs_emulator.services.guardduty.coverage.model import Record, record_value
from guardduty_ecs_emulator.services.guardduty.coverage.records import (
    index_of,
    records_of,
    resource_json,
)

CRITERION_KEYS = (
    "ACCOUNT_ID",
    "CLUSTER_NAME",
    "RESOURCE_TYPE",
    "COVERAGE_STATUS",
    "ADDON_VERSION",
    "MANAGEMENT_TYPE",
    "EKS_CLUSTER_NAME",
    "ECS_CLUSTER_NAME",
    "AGENT_VERSION",
    "INSTANCE_ID",
    "CLUSTER_ARN",
)
SORT_KEYS = (
    "ACCOUNT_ID",
    "CLUSTER_NAME",
    "COVERAGE_STATUS",
    "ISSUE",
    "ADDON_VERSION",
    "UPDATED_AT",
    "EKS_CLUSTER_NAME",
    "ECS_CLUSTER_NAME",
    "INSTANCE_ID",
)
STATISTICS_TYPES = ("COUNT_BY_RESOURCE_TYPE", "COUNT_BY_COVERAGE_STATUS")


def _check_criteria(criteria: list[dict[str, Any]]) -> None:
    for criterion in criteria:
        key = criterion.get("criterionKey")
        condition = criterion.get("filterCondition") or {}
        if key not in CRITERION_KEYS:
            raise BadRequestException(
                f"The request is rejected because the criterionKey {key} is not valid."
            )
        if not condition.get("equals") and not condition.get("notEquals"):
            raise BadRequestException(
                f"The request is rejected because the filterCondition of {key} has neither "
                "equals nor notEquals."
            )


def _criteria(body: dict[str, Any]) -> list[dict[str, Any]]:
    criteria = (body.get("filterCriteria") or {}).get("filterCriterion") or []
    _check_criteria(criteria)
    return criteria


def _matches(criteria: list[dict[str, Any]], account_id: str, name: str, record: Record) -> bool:
    for criterion in criteria:
        value = record_value(criterion["criterionKey"], account_id, name, record)
        condition = criterion["filterCondition"]
        if condition.get("equals") and value not in condition["equals"]:
            return False
        if condition.get("notEquals") and value in condition["notEquals"]:
            return False
    return True


def _view(body: dict[str, Any]) -> View:
    sort = body.get("sortCriteria")
    if not sort:
        return (None, "ASC")
    name, order = sort.get("attributeName"), sort.get("orderBy", "ASC")
    if name not in SORT_KEYS or order not in ("ASC", "DESC"):
        raise BadRequestException(
            f"The request is rejected because the sortCriteria {name} {order} is not valid."
        )
    return (name, order)


def _member_accounts(account_id: str, region: str) -> list[str]:
    """The member accounts (relationship Enabled) of a GuardDuty administrator, else none."""
    try:
        from guardduty_ecs_emulator.services.guardduty.organization.model import (  # noqa: PLC0415
            member_account_ids,  # (written alongside)
        )
    except ModuleNotFoundError as missing:  # organizations not emulated in this checkout
        if missing.name != "guardduty_ecs_emulator.services.guardduty.organization":
            raise
        return []
    return [member for member in member_account_ids(account_id, region) if member != account_id]


def _scope(self: GuardDutyResponse, criteria: list[dict[str, Any]]) -> list[tuple[str, Detector]]:
    """(account, detector) of the caller's detector and, for an administrator, of the
    detectors of its members in the region; without the accounts an ACCOUNT_ID criterion
    excludes."""
    detector = detector_of(self)
    accounts = _member_accounts(self.current_account, self.region)
    scope = [(self.current_account, detector)] + [
        (member, member_detector)
        for member in accounts
        for member_detector in detectors(member, self.region)
    ]
    for criterion in criteria:
        if criterion["criterionKey"] == "ACCOUNT_ID":
            equals = criterion["filterCondition"].get("equals")
            not_equals = criterion["filterCondition"].get("notEquals") or []
            scope = [
                (account, d)
                for account, d in scope
                if (not equals or account in equals) and account not in not_equals
            ]
    return scope


def _stream(
    keys: list[tuple[Any, ...]],
    start: int,
    account: str,
    detector: Detector,
    records: dict[str, Record],
) -> Iterator[tuple[tuple[Any, ...], str, Detector, dict[str, Record]]]:
    for position in range(start, len(keys)):
        yield keys[position], account, detector, records


def list_coverage(self: GuardDutyResponse) -> str:
    body = request_body(self)
    criteria = _criteria(body)
    view = _view(body)
    limit = max_results(body)
    cursor = cursor_of(body, view)
    scope = _scope(self, criteria)
    page: list[tuple[tuple[Any, ...], str, Detector, Record]] = []
    with LOCK:
        streams = []
        for account, detector in scope:
            records = records_of(detector)
            keys = index_of(detector, account).view(view, records)
            try:
                start = bisect.bisect_right(keys, cursor) if cursor is not None else 0
            except TypeError as error:  # a token of another order
                raise BadRequestException(INVALID_TOKEN) from error
            streams.append(_stream(keys, start, account, detector, records))
        for key, account, detector, records in heapq.merge(*streams, key=lambda item: item[0]):
            name = key[-2]
            record = records[name]
            if _matches(criteria, account, name, record):
                page.append((key, account, detector, record))
                if len(page) > limit:
                    break
        resources = [
            resource_json(detector, account, key[-2], record)
            for key, account, detector, record in page[:limit]
        ]
    result: dict[str, Any] = {"resources": resources}
    if len(page) > limit:
        result["nextToken"] = token_of(page[limit - 1][0])
    return json.dumps(result)


def get_coverage_statistics(self: GuardDutyResponse) -> str:
    body = request_body(self)
    types = body.get("statisticsType") or []
    if not types or any(kind not in STATISTICS_TYPES for kind in types):
        raise BadRequestException(
            f"The request is rejected because statisticsType must be one or more of "
            f"{', '.join(STATISTICS_TYPES)}."
        )
    criteria = _criteria(body)
    by_status: Counter[str] = Counter()
    with LOCK:
        for account, detector in _scope(self, criteria):
            for name, record in records_of(detector).items():
                if _matches(criteria, account, name, record):
                    by_status[record.status] += 1
    statistics: dict[str, dict[str, int]] = {}
    if "COUNT_BY_RESOURCE_TYPE" in types:
        total = sum(by_status.values())
        statistics["countByResourceType"] = {"ECS": total} if total else {}
    if "COUNT_BY_COVERAGE_STATUS" in types:
        statistics["countByCoverageStatus"] = dict(by_status)
    return json.dumps({"coverageStatistics": statistics})
