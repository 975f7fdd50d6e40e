"""GuardDuty's ``FindingCriteria`` and ``SortCriteria``, read against a finding.

ListFindings selects and sorts with them, and suppression (ARCHIVE) filters match new findings
with the same criteria, so both read them here (see ``findings`` for the semantics).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from guardduty_ecs_emulator.core.errors import BadRequestException

_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _children(value: Any, key: str) -> list[Any]:
    if isinstance(value, list):
        return [child for item in value for child in _children(item, key)]
    if not isinstance(value, dict):
        return []
    if key in value:
        return [value[key]]
    embedded = value.get("value")
    if isinstance(embedded, str):  # service.additionalInfo.value holds JSON
        try:
            parsed = json.loads(embedded)
        except ValueError:
            return []
        if isinstance(parsed, dict) and key in parsed:
            return [parsed[key]]
    return []


def values_at(finding: dict[str, Any], path: str) -> list[Any]:
    """Every value at the dotted ``path`` of the finding (lists are looked through)."""
    values: list[Any] = [finding]
    for key in path.split("."):
        values = [child for value in values for child in _children(value, key)]
    return [
        item
        for value in values
        for item in (value if isinstance(value, list) else [value])
        if item is not None
    ]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _ISO_TIMESTAMP.match(value):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment.timestamp() * 1000  # epoch milliseconds, as the criteria give them
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _equal(value: Any, wanted: Any) -> bool:
    if isinstance(value, bool):
        return str(wanted).lower() == ("true" if value else "false")
    left, right = _number(value), _number(wanted)
    if left is not None and right is not None and not isinstance(value, str):
        return left == right
    return str(value) == str(wanted)


_RANGES: dict[str, Callable[[float, float], bool]] = {
    "gt": lambda value, bound: value > bound,
    "greaterThan": lambda value, bound: value > bound,
    "gte": lambda value, bound: value >= bound,
    "greaterThanOrEqual": lambda value, bound: value >= bound,
    "lt": lambda value, bound: value < bound,
    "lessThan": lambda value, bound: value < bound,
    "lte": lambda value, bound: value <= bound,
    "lessThanOrEqual": lambda value, bound: value <= bound,
}


def matches(finding: dict[str, Any], criterion: dict[str, dict[str, Any]]) -> bool:
    """Whether the finding meets every condition of ``FindingCriteria.criterion``.

    ``severity`` with ``Eq``/``Equals`` or ``Neq``/``NotEquals`` takes band values: botocore's
    model, CreateFilter ``FindingCriteria``: "To filter on the basis of severity, the API and CLI
    use the following input list for the FindingCriteria condition: Low: ["1", "2", "3"] Medium:
    ["4", "5", "6"] High: ["7", "8"] Critical: ["9", "10"]". So a whole number N stands for the
    severities from N.0 to below N+1 (``Eq ["8"]`` covers 8.0 to 8.9, ``["10"]`` is 10.0); that
    each number covers its unit interval is the emulator's reading of the list (**chosen**). Any
    other operand, and every other attribute, compares exactly. The same ``FindingCriteria`` shape
    serves ListFindings, so it reads severity the same way.
    """

    def equal(path: str, value: Any, wanted: Any) -> bool:
        if path == "severity" and isinstance(wanted, str) and wanted.strip().isdigit():
            number = _number(value)
            if number is not None:
                return int(number) == int(wanted)
        return _equal(value, wanted)

    for path, condition in criterion.items():
        values = values_at(finding, path)
        for name, operands in (condition or {}).items():
            if name in ("eq", "equals"):
                if not any(equal(path, value, wanted) for value in values for wanted in operands):
                    return False
            elif name in ("neq", "notEquals"):
                if any(equal(path, value, wanted) for value in values for wanted in operands):
                    return False
            elif name in _RANGES:
                bound = _number(operands)
                if bound is None:
                    raise BadRequestException(
                        f"The request is rejected because {name} of {path} is not a number."
                    )
                numbers = [number for number in map(_number, values) if number is not None]
                if not any(_RANGES[name](number, bound) for number in numbers):
                    return False
            else:
                raise BadRequestException(
                    f"The request is rejected because the condition {name} is not valid."
                )
    return True


def sort_findings(
    findings: Iterable[dict[str, Any]], sort: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """``findings`` ordered by ``SortCriteria`` (missing values last), else as they are."""
    ordered = list(findings)
    if not sort or not sort.get("attributeName"):
        return ordered
    descending = sort.get("orderBy", "ASC") == "DESC"

    def key(finding: dict[str, Any]) -> tuple[int, float, str]:
        values = values_at(finding, sort["attributeName"])
        if not values:
            return (1, 0.0, "")
        number = _number(values[0])
        return (0, number, "") if number is not None else (0, 0.0, str(values[0]))

    present = [finding for finding in ordered if values_at(finding, sort["attributeName"])]
    missing = [finding for finding in ordered if not values_at(finding, sort["attributeName"])]
    return sorted(present, key=key, reverse=descending) + missing
