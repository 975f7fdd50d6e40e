"""Which Regions a command reads: checked against boto3's offline list of GuardDuty Regions, one,
several or every one, read in parallel with a bounded pool.

No AWS call is made here: the Regions come from botocore's endpoint data (the partitions aws,
aws-us-gov and aws-cn), so a typo is refused before anything asks AWS.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Protocol, TypeVar

import boto3
import botocore.session

from guardduty_ecs.errors import UserError

PARTITIONS = ("aws", "aws-us-gov", "aws-cn")
# Regions read at once by --all-regions (and by several --region): bounded, as GuardDuty's
# per-account request rates are.
MAX_PARALLEL_REGIONS = 8
REGION_FIX = "give --region REGION (or set AWS_REGION, or a region in the profile)"
# Codes that mean "these credentials cannot read this Region": with --all-regions, when another
# Region accepted them, an opt-in Region that is not enabled or a Region an SCP denies.
REGION_REFUSED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
    }
)

T = TypeVar("T")

# What a Region without a detector is reported as, by every command that reads several.
NO_DETECTOR = "no GuardDuty detector"


class RegionResult(Protocol):
    """What a command read in one Region: ``status`` is read, skipped or error."""

    region: str
    error: str

    @property
    def status(self) -> str: ...


def region_problems(results: Iterable[RegionResult]) -> list[str]:
    """The problems of the Regions themselves, for a command's verdict: each Region that failed,
    and, when none was read and none failed, that no Region had a detector."""
    results = list(results)
    failed = [result for result in results if result.status == "error"]
    problems = [f"{result.region}: {result.error}" for result in failed]
    if not problems and not any(result.status == "read" for result in results):
        problems.append(f"{NO_DETECTOR} in any of {len(results)} Regions")
    return problems


@cache
def guardduty_regions() -> dict[str, str]:
    """Every Region where GuardDuty is available, by boto3's offline endpoint data, with its
    partition."""
    session = botocore.session.get_session()
    return {
        region: partition
        for partition in PARTITIONS
        for region in session.get_available_regions("guardduty", partition)
    }


def check_region(name: str, source: str) -> str:
    """``name`` if it is a GuardDuty Region; else a UserError with the closest names."""
    known = guardduty_regions()
    if name in known:
        return name
    closest = difflib.get_close_matches(name.strip().lower(), list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(closest)}?" if closest else ""
    raise UserError(
        f"{source}: {name!r} is not a Region where GuardDuty is available{hint}",
        fix=f"give a Region of boto3's list (for example us-east-1); {len(known)} are known to "
        f"boto3 {boto3.__version__}: upgrade it if the Region is new",
    )


def check_regions(names: Iterable[str], source: str = "--region") -> list[str]:
    """The Regions given, each checked, each once, in their order."""
    return list(dict.fromkeys(check_region(name, source) for name in names))


def partition_regions(region: str | None) -> list[str]:
    """Every GuardDuty Region of ``region``'s partition (aws when no Region is known)."""
    known = guardduty_regions()
    partition = known.get(region or "", "aws")
    return [name for name, part in known.items() if part == partition]


def target_regions(session: boto3.Session, given: list[str] | None, every: bool) -> list[str]:
    """The Regions a command reads: ``given`` (checked already), else every GuardDuty Region
    of the session's partition (``every``), else the session's Region."""
    if given:
        return given
    if every:
        return partition_regions(session.region_name)
    if not session.region_name:
        raise UserError("no AWS Region", fix=REGION_FIX)
    return [check_region(session.region_name, "the AWS Region (AWS_REGION or the profile)")]


def refused(error: Exception | None) -> bool:
    """Whether ``error`` is AWS refusing these credentials in a Region (REGION_REFUSED)."""
    response = getattr(error, "response", None)
    return isinstance(response, dict) and response.get("Error", {}).get("Code") in REGION_REFUSED


def map_regions(regions: list[str], work: Callable[[str], T]) -> list[T]:
    """``work`` for each Region, at most MAX_PARALLEL_REGIONS at a time, in the order of
    ``regions``. ``work`` reports its own errors: one Region must not hide the others."""
    if len(regions) == 1:
        return [work(regions[0])]
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_REGIONS, len(regions))) as pool:
        return list(pool.map(work, regions))
