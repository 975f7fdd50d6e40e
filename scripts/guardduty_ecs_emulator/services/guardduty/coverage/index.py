"""Sorted keys of a detector's coverage records, and the page tokens that hold one of them.

Kept up to date as records change, so that ListCoverage finds a page by bisection instead of
sorting every cluster; the token holds the last key of a page, not an offset.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from typing import Any

from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.services.guardduty.coverage.model import Record, record_value


class Desc:
    """A value that sorts in reverse (for a DESC index of mixed, stable keys)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Desc) and self.value == other.value

    def __lt__(self, other: Desc) -> bool:
        return bool(other.value < self.value)

    __hash__ = None  # type: ignore[assignment]


View = tuple[str | None, str]  # (sort attribute or None for the default order, ASC/DESC)


class Index:
    """Sorted keys of one detector's records, one list per order asked for, kept up to date as
    records change, so that a page is found by bisection instead of sorting every cluster.

    Keys end with (cluster name, account ID), so that they are unique and the lists of several
    detectors merge into one order: the default order is by cluster name; a sort attribute
    orders by its value (DESC reverses only the value), then by cluster name, and resources
    without a value come last.
    """

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.views: dict[View, list[tuple[Any, ...]]] = {}

    def key(self, view: View, name: str, record: Record) -> tuple[Any, ...]:
        attribute, order = view
        if attribute is None:
            return (name, self.account_id)
        value = record_value(attribute, self.account_id, name, record)
        if value is None:
            return (1, 0, name, self.account_id)
        return (0, Desc(value) if order == "DESC" else value, name, self.account_id)

    def view(self, view: View, records: dict[str, Record]) -> list[tuple[Any, ...]]:
        if view not in self.views:  # built once, on the first request in this order
            self.views[view] = sorted(self.key(view, n, r) for n, r in records.items())
        return self.views[view]

    def replace(self, name: str, old: Record | None, new: Record | None) -> None:
        for view, keys in self.views.items():
            before = self.key(view, name, old) if old is not None else None
            after = self.key(view, name, new) if new is not None else None
            if before == after:
                continue
            if before is not None:
                del keys[bisect.bisect_left(keys, before)]
            if after is not None:
                bisect.insort(keys, after)

    def clear(self) -> None:
        self.views.clear()


INVALID_TOKEN = "The request is rejected because the input nextToken is not valid."


def token_of(key: tuple[Any, ...]) -> str:
    parts = [part.value if isinstance(part, Desc) else part for part in key]
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


def cursor_of(body: dict[str, Any], view: View) -> tuple[Any, ...] | None:
    """The key of the last resource of the previous page (the token holds it, not an offset,
    so that a page starts by bisection and clusters added or removed meanwhile shift nothing)."""
    token = body.get("nextToken") or ""
    if not token:
        return None
    try:
        parts = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
    except (ValueError, binascii.Error) as error:
        raise BadRequestException(INVALID_TOKEN) from error
    shape = 2 if view[0] is None else 4
    if not isinstance(parts, list) or len(parts) != shape:
        raise BadRequestException(INVALID_TOKEN)
    if shape == 4 and parts[0] == 0 and view[1] == "DESC":
        parts[1] = Desc(parts[1])
    return tuple(parts)
