"""``guardduty-ecs coverage``: Runtime Monitoring coverage of ECS clusters and EC2 instances.

Pages through GuardDuty's ListCoverage (50 resources a call, the API's maximum) for each region
given, or for every Region where GuardDuty is available (``--all-regions``), 8 Regions at a time.
A region with N resources costs 1 + max(1, ceil(N / 50)) calls (ListDetectors, then the pages):
10,000 clusters are 201 calls, whatever the accounts.

A Region that fails is reported and does not hide the others. With ``--all-regions``, a Region
without a detector is skipped, and so is one that refuses the credentials (an opt-in Region not
enabled, a Region an SCP denies) when another Region accepted them; any other failure fails the
check. When every Region failed, the command exits as that failure says (2 for credentials, an
endpoint or permissions): an empty table would read as "nothing to cover".

Called from a GuardDuty administrator account, ListCoverage also returns the resources of its
member accounts ("If you're a GuardDuty administrator, you can retrieve all resources associated
with the active member accounts in your organization.", API reference, ListCoverage), each with
its ``accountId``: the table has an ACCOUNT column, ``--account`` keeps some accounts (sent as
the ACCOUNT_ID criterion, so the pages hold only those), and the report ends with totals per
account and for the organization.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

import boto3

from guardduty_ecs.aws import client
from guardduty_ecs.errors import EXIT_CHECK_FAILED, EXIT_OK, UserError
from guardduty_ecs.regions import NO_DETECTOR, map_regions, refused, region_problems

PAGE_SIZE = 50  # ListCoverage's maximum MaxResults
RESOURCE_TYPES = ("ECS", "EC2")
ACCOUNT_ID = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class CoveredResource:
    """One row of the coverage table."""

    region: str
    account: str
    resource_type: str
    resource: str
    status: str
    management_type: str
    issue: str


@dataclass
class RegionCoverage:
    """What one region reported, and what it cost. ``error`` says why it was not read (``failure``
    is the exception); ``skipped`` marks a Region that --all-regions leaves out without failing."""

    region: str
    resources: list[CoveredResource] = field(default_factory=list)
    api_calls: int = 0
    error: str = ""
    skipped: bool = False
    failure: Exception | None = field(default=None, repr=False, compare=False)

    @property
    def status(self) -> str:
        """read, skipped or error."""
        return "skipped" if self.skipped else "error" if self.error else "read"


def _row(region: str, item: dict[str, Any]) -> CoveredResource:
    details = item.get("ResourceDetails", {})
    resource_type = details.get("ResourceType", "")
    if resource_type == "ECS":
        ecs = details.get("EcsClusterDetails", {})
        fargate = ecs.get("FargateDetails", {})
        resource = ecs.get("ClusterName", item.get("ResourceId", ""))
        management = fargate.get("ManagementType", "")
        issues = [item.get("Issue", ""), *fargate.get("Issues", [])]
    elif resource_type == "EC2":
        ec2 = details.get("Ec2InstanceDetails", {})
        cluster = ec2.get("ClusterArn", "")
        resource = ec2.get("InstanceId", item.get("ResourceId", ""))
        resource += f" ({cluster.rsplit('/', 1)[-1]})" if cluster else ""
        management = ec2.get("ManagementType", "")
        issues = [item.get("Issue", "")]
    else:
        resource, management, issues = item.get("ResourceId", ""), "", [item.get("Issue", "")]
    issue = "; ".join(dict.fromkeys(text for text in issues if text))
    return CoveredResource(
        region,
        item.get("AccountId", ""),
        resource_type,
        resource,
        item.get("CoverageStatus", ""),
        management,
        issue,
    )


def account_ids(values: list[str] | None) -> list[str]:
    """The ``--account`` values, checked: 12-digit AWS account IDs, each once."""
    accounts = [value.strip() for value in values or []]
    for account in accounts:
        if not ACCOUNT_ID.match(account):
            raise UserError(f"--account takes a 12-digit AWS account ID, not {account!r}")
    return list(dict.fromkeys(accounts))


def region_coverage(
    session: boto3.Session,
    region: str,
    endpoint_url: str | None = None,
    accounts: list[str] | None = None,
) -> RegionCoverage:
    """Every ECS and EC2 coverage resource of the region's detector (and, for an administrator,
    of its members), only of ``accounts`` if given."""
    result = RegionCoverage(region)
    guardduty = client(session, "guardduty", endpoint_url, region)
    try:
        detectors = guardduty.list_detectors()["DetectorIds"]
        result.api_calls += 1
        if not detectors:
            result.error = NO_DETECTOR
            return result
        criteria: list[dict[str, Any]] = [
            {"CriterionKey": "RESOURCE_TYPE", "FilterCondition": {"Equals": list(RESOURCE_TYPES)}}
        ]
        if accounts:
            criteria.append(
                {"CriterionKey": "ACCOUNT_ID", "FilterCondition": {"Equals": list(accounts)}}
            )
        token = ""
        while True:
            request: dict[str, Any] = {
                "DetectorId": detectors[0],
                "MaxResults": PAGE_SIZE,
                "FilterCriteria": {"FilterCriterion": criteria},
                "SortCriteria": {"AttributeName": "COVERAGE_STATUS", "OrderBy": "DESC"},
            }
            if token:
                request["NextToken"] = token
            page = guardduty.list_coverage(**request)
            result.api_calls += 1
            result.resources += [_row(region, item) for item in page.get("Resources", [])]
            token = page.get("NextToken", "")
            if not token:
                return result
    except Exception as error:  # a region that fails must not hide the others
        result.error = f"{type(error).__name__}: {error}"
        result.failure = error
        return result


def coverage(
    session: boto3.Session,
    regions: list[str],
    endpoint_url: str | None = None,
    accounts: list[str] | None = None,
    *,
    all_regions: bool = False,
) -> list[RegionCoverage]:
    """Coverage of every region, fetched in parallel (8 at a time), in the order of
    ``regions``. With ``all_regions``, Regions without a detector, and Regions that refuse the
    credentials when another accepted them, are marked skipped."""
    results = map_regions(
        regions, lambda region: region_coverage(session, region, endpoint_url, accounts)
    )
    if all_regions:
        accepted = any(not result.failure for result in results)
        for result in results:
            result.skipped = result.error == NO_DETECTOR or (accepted and refused(result.failure))
    return results


def failures(results: list[RegionCoverage]) -> list[Exception]:
    """The errors of the Regions that failed, when every Region failed (else none): the command
    then exits as the first says."""
    errors = [result.failure for result in results if result.failure]
    return errors if len(errors) == len(results) else []


def verdict(results: list[RegionCoverage]) -> tuple[int, str]:
    """The exit code (0 or 1) and its reason: every resource healthy, every Region read that
    is not skipped, and at least one Region read."""
    rows = [row for result in results for row in result.resources]
    unhealthy = sum(row.status != "HEALTHY" for row in rows)
    read = [result for result in results if result.status == "read"]
    problems = [f"{unhealthy} of {len(rows)} resources not healthy"] if unhealthy else []
    problems += region_problems(results)
    if problems:
        return EXIT_CHECK_FAILED, "; ".join(problems)
    return EXIT_OK, f"{len(rows)} resources healthy in {len(read)} Regions"


def to_json(results: list[RegionCoverage]) -> dict[str, Any]:
    """The command's JSON fields: every Region (with its rows), the totals and the summary."""
    rows = [row for result in results for row in result.resources]
    return {
        "regions": [
            {
                "region": result.region,
                "status": result.status,
                "error": result.error,
                "api_calls": result.api_calls,
                "resources": [asdict(row) for row in result.resources],
            }
            for result in results
        ],
        "totals": [asdict(total) for total in totals(results)],
        "summary": {
            "resources": len(rows),
            "not_healthy": sum(row.status != "HEALTHY" for row in rows),
            "regions_read": sum(result.status == "read" for result in results),
            "regions_skipped": sum(result.skipped for result in results),
            "regions_failed": sum(result.status == "error" for result in results),
            "api_calls": sum(result.api_calls for result in results),
        },
    }


@dataclass(frozen=True)
class AccountTotals:
    """Resources, covered (HEALTHY) and not healthy, of one account (or all: ``account`` "")."""

    account: str
    resources: int
    covered: int
    unhealthy: int


def totals(results: list[RegionCoverage]) -> list[AccountTotals]:
    """Per account, sorted, then the organization (``account`` ""), over every region."""
    rows = [row for result in results for row in result.resources]
    counts: Counter[tuple[str, bool]] = Counter(
        (row.account, row.status == "HEALTHY") for row in rows
    )
    accounts = sorted({row.account for row in rows})
    per_account = [
        AccountTotals(
            account,
            counts[(account, True)] + counts[(account, False)],
            counts[(account, True)],
            counts[(account, False)],
        )
        for account in accounts
    ]
    covered = sum(item.covered for item in per_account)
    return [*per_account, AccountTotals("", len(rows), covered, len(rows) - covered)]


def is_healthy(results: list[RegionCoverage]) -> bool:
    """No unhealthy resource and no region that could not be read (skipped ones aside)."""
    return all(
        (not result.error or result.skipped)
        and all(row.status == "HEALTHY" for row in result.resources)
        for result in results
    )


def report(results: list[RegionCoverage], out: TextIO, as_json: bool = False) -> None:
    """The coverage table, the Regions not read, the totals per account and the summary line
    (``as_json``: the JSON fields, as ``guardduty-ecs coverage --output json`` prints them)."""
    if as_json:
        json.dump(to_json(results), out, indent=2)
        out.write("\n")
        return
    rows = [row for result in results for row in result.resources]
    headers = ("REGION", "ACCOUNT", "TYPE", "RESOURCE", "STATUS", "MANAGEMENT", "ISSUE")
    _table(
        out,
        [headers]
        + [
            (r.region, r.account, r.resource_type, r.resource, r.status, r.management_type, r.issue)
            for r in rows
        ],
    )
    skipped = [result for result in results if result.skipped]
    for result in results:
        if result.error and not result.skipped:
            out.write(f"{result.region}: {result.error}\n")
    without = [result.region for result in skipped if result.error == NO_DETECTOR]
    if without:
        out.write(f"skipped, {NO_DETECTOR}: {', '.join(without)}\n")
    for result in skipped:
        if result.error != NO_DETECTOR:
            out.write(f"skipped, the credentials cannot read it: {result.region}: {result.error}\n")
    if rows:
        out.write("\n")
        _table(
            out,
            [("ACCOUNT", "RESOURCES", "COVERED", "UNHEALTHY")]
            + [
                (t.account or "all accounts", str(t.resources), str(t.covered), str(t.unhealthy))
                for t in totals(results)
            ],
        )
    unhealthy = sum(row.status != "HEALTHY" for row in rows)
    calls = sum(result.api_calls for result in results)
    read = sum(result.status == "read" for result in results)
    out.write(
        f"{len(rows)} resources, {unhealthy} not healthy, in {read} regions ({calls} API calls)\n"
    )


def _table(out: TextIO, table: list[tuple[str, ...]]) -> None:
    """Columns padded to their widest cell; the last column is not padded."""
    widths = [max(len(line[column]) for line in table) for column in range(len(table[0]) - 1)]
    for line in table:
        cells = [cell.ljust(width) for cell, width in zip(line[:-1], widths, strict=True)]
        out.write("  ".join([*cells, line[-1]]).rstrip() + "\n")
