"""The price table of ``guardduty-ecs cost``: the default, from AWS's public pricing pages, and
one read from a file (``--prices FILE``), checked before any AWS call.

A table is JSON (the default below is the same document as a Python literal)::

    {
      "source": "where the prices come from (printed with every figure in dollars)",
      "date": "YYYY-MM-DD (when they were read; printed too)",
      "currency": "USD",
      "hours_per_month": 730,
      "runtime_monitoring_tiers": [
        {"up_to_vcpus": 500, "usd_per_vcpu_month": 1.50},
        {"up_to_vcpus": 5000, "usd_per_vcpu_month": 0.75}
      ],
      "monthly": {"kms_key": 1.00, "alarm_metric": 0.10, "guardduty_data_endpoint": 0.0},
      "alarm_metrics_free": 10,
      "notes": ["..."]
    }

``runtime_monitoring_tiers`` price the average monitored vCPUs of a month (vCPU-hours /
``hours_per_month``), tier after tier; the last tier's ``up_to_vcpus`` may be ``null`` (no
upper bound). vCPUs beyond a bounded last tier are not priced: the projection says so instead of
guessing. ``monthly`` prices the module's own resources per month each (any of them may be left
out: that item is then listed without a price). Nothing else is read.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardduty_ecs.errors import UserError

# Read from AWS's pages as docs/cost.md cites them (its "Sources"), us-east-1.
DEFAULT_PRICES: dict[str, Any] = {
    "source": (
        "Amazon GuardDuty pricing, https://aws.amazon.com/guardduty/pricing/ (Runtime "
        'Monitoring: "$1.50 per vCPU (for first 500 vCPUs)", "$0.75 per vCPU (for next 4,500 '
        'vCPUs)", as transcribed in api-evangelist/amazon-guardduty, '
        "plans/amazon-guardduty-plans-pricing.yml); AWS KMS pricing, "
        'https://aws.amazon.com/kms/pricing/ ("$1/month (prorated hourly)" a key); Amazon '
        "CloudWatch pricing, https://aws.amazon.com/cloudwatch/pricing/ (10 alarm metrics free) "
        'and c3x.dev ("$0.10/alarm-month for standard resolution"); GuardDuty user guide, '
        '"There is no additional cost for the usage of the VPC endpoint"'
    ),
    "date": "2026-10-07",
    "currency": "USD",
    "region": "us-east-1",
    "hours_per_month": 730,
    "runtime_monitoring_tiers": [
        {"up_to_vcpus": 500, "usd_per_vcpu_month": 1.50},
        {"up_to_vcpus": 5000, "usd_per_vcpu_month": 0.75},
    ],
    "monthly": {"kms_key": 1.00, "alarm_metric": 0.10, "guardduty_data_endpoint": 0.0},
    "alarm_metrics_free": 10,
    "notes": [
        "Prices of US East (N. Virginia); other Regions differ: give --prices FILE.",
        "Tiers are applied per account and Region (chosen: the pricing page does not say how "
        "tiers add up across an organization).",
        "Beyond 5,000 vCPUs the pricing page's price was not transcribed: not priced.",
    ],
}

MONTHLY_ITEMS = ("kms_key", "alarm_metric", "guardduty_data_endpoint")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Tier:
    up_to_vcpus: float | None  # None: no upper bound
    usd_per_vcpu_month: float


@dataclass(frozen=True)
class PriceTable:
    """A checked price table and where it was read from (``origin``)."""

    document: dict[str, Any]
    origin: str  # "default" or "file <path>"

    @property
    def source(self) -> str:
        return str(self.document["source"])

    @property
    def date(self) -> str:
        return str(self.document["date"])

    @property
    def hours_per_month(self) -> float:
        return float(self.document.get("hours_per_month", 730))

    @property
    def tiers(self) -> list[Tier]:
        return [
            Tier(tier.get("up_to_vcpus"), float(tier["usd_per_vcpu_month"]))
            for tier in self.document["runtime_monitoring_tiers"]
        ]

    def monthly(self, item: str) -> float | None:
        value = (self.document.get("monthly") or {}).get(item)
        return None if value is None else float(value)

    @property
    def alarm_metrics_free(self) -> int:
        return int(self.document.get("alarm_metrics_free", 0))

    def runtime_monitoring_usd(self, vcpu_hours: float) -> float | None:
        """Dollars a month for ``vcpu_hours`` monitored a month, tier after tier; None when
        part of it lies beyond a bounded last tier."""
        vcpus = vcpu_hours / self.hours_per_month
        usd, floor = 0.0, 0.0
        for tier in self.tiers:
            ceiling = math.inf if tier.up_to_vcpus is None else float(tier.up_to_vcpus)
            usd += max(0.0, min(vcpus, ceiling) - floor) * tier.usd_per_vcpu_month
            floor = ceiling
            if vcpus <= ceiling:
                return usd
        return None


def _number(value: Any, where: str, minimum: float = 0.0, above: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where} must be a number, not {json.dumps(value)}")
    if value < minimum or (above and value <= minimum):
        raise ValueError(f"{where} must be {'above' if above else 'at least'} {minimum:g}")
    return float(value)


def _check_tiers(tiers: Any) -> None:
    if not isinstance(tiers, list) or not tiers:
        raise ValueError("runtime_monitoring_tiers must be a non-empty list of tiers")
    previous = 0.0
    for index, tier in enumerate(tiers):
        where = f"runtime_monitoring_tiers[{index}]"
        if not isinstance(tier, dict):
            raise ValueError(f"{where} must be an object with up_to_vcpus and usd_per_vcpu_month")
        unknown = set(tier) - {"up_to_vcpus", "usd_per_vcpu_month"}
        if unknown:
            raise ValueError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
        _number(tier.get("usd_per_vcpu_month"), f"{where}.usd_per_vcpu_month")
        bound = tier.get("up_to_vcpus")
        if bound is None:
            if index != len(tiers) - 1:
                raise ValueError(f"{where}.up_to_vcpus may be null only in the last tier")
            continue
        if _number(bound, f"{where}.up_to_vcpus", previous, above=True) <= previous:
            raise ValueError(f"{where}.up_to_vcpus must be above the tier before it")
        previous = float(bound)


def check(document: Any) -> dict[str, Any]:
    """``document`` if it is a valid price table; else ValueError saying what is wrong."""
    if not isinstance(document, dict):
        raise ValueError("the price table must be a JSON object")
    known = {
        "source",
        "date",
        "currency",
        "region",
        "hours_per_month",
        "runtime_monitoring_tiers",
        "monthly",
        "alarm_metrics_free",
        "notes",
    }
    unknown = set(document) - known
    if unknown:
        raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")
    for key in ("source", "date"):
        if not isinstance(document.get(key), str) or not document[key].strip():
            raise ValueError(f"{key} is required: where and when the prices were read")
    if not _DATE.match(document["date"]):
        raise ValueError(f"date must be YYYY-MM-DD, not {document['date']!r}")
    if document.get("currency") != "USD":
        raise ValueError("currency must be USD (GuardDuty's usage statistics are in USD)")
    if "hours_per_month" in document:
        _number(document["hours_per_month"], "hours_per_month", 0.0, above=True)
    _check_tiers(document.get("runtime_monitoring_tiers"))
    _check_optional(document)
    return document


def _check_optional(document: dict[str, Any]) -> None:
    monthly = document.get("monthly", {})
    if not isinstance(monthly, dict):
        raise ValueError("monthly must be an object of prices a month")
    for item, value in monthly.items():
        if item not in MONTHLY_ITEMS:
            raise ValueError(f"monthly.{item} is not one of {', '.join(MONTHLY_ITEMS)}")
        _number(value, f"monthly.{item}")
    if "alarm_metrics_free" in document:
        free = document["alarm_metrics_free"]
        if _number(free, "alarm_metrics_free") != int(free):
            raise ValueError("alarm_metrics_free must be a whole number")
    notes = document.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
        raise ValueError("notes must be a list of strings")


def default_table() -> PriceTable:
    return PriceTable(check(DEFAULT_PRICES), "default")


def read_table(path: str) -> PriceTable:
    """The price table in the JSON file ``path``; a UserError (exit 2) naming what is wrong."""
    fix = "see the README's `guardduty-ecs cost` section for the format (or leave out --prices)"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"--prices: cannot read {path}: {error}", fix=fix) from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(f"--prices: {path} is not JSON: {error}", fix=fix) from error
    try:
        return PriceTable(check(document), f"file {path}")
    except ValueError as error:
        raise UserError(f"--prices: {path}: {error}", fix=fix) from error
