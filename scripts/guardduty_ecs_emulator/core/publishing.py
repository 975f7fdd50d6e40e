"""Putting GuardDuty events on the default bus, as GuardDuty does, and handing published findings
to their exporters.

The findings service publishes findings and the coverage service coverage changes; the
organization service says who administers a member (``ADMINISTRATOR_OF``), whose bus gets the
member's findings too, and the detection controls add an exporter (``FINDING_EXPORTERS``). The
event shapes are the product's ``guardduty_ecs.events`` (GuardDuty's documented events, standard
library only), the one module of the product that the emulator imports.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.events.models import events_backends

from guardduty_ecs.events import FINDING_DETAIL_TYPE, GUARDDUTY_SOURCE

PUT_EVENTS_BATCH = 10  # PutEvents takes at most 10 entries


def publish(account_id: str, region: str, detail_type: str, details: list[dict[str, Any]]) -> None:
    """Put GuardDuty events on the default bus of the account and region, as GuardDuty does."""
    backend = events_backends[account_id][region]
    entries = [
        {
            "Source": GUARDDUTY_SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(detail),
            "Resources": [],
        }
        for detail in details
    ]
    for start in range(0, len(entries), PUT_EVENTS_BATCH):
        backend.put_events(entries[start : start + PUT_EVENTS_BATCH])


# Who administers a member account's GuardDuty in a Region; the organization service's
# hooks.install() sets it.
ADMINISTRATOR_OF: list[Callable[[str, str], str | None]] = [lambda account_id, region: None]

# Writers of published findings to S3 publishing destinations; the detection controls'
# hooks.install() adds its own. Called with the account whose detector exports, the Region
# and the findings.
FINDING_EXPORTERS: list[Callable[[str, str, list[dict[str, Any]]], None]] = []


def _export(account_id: str, region: str, details: list[dict[str, Any]]) -> None:
    """Hand published findings to the exporters: for the account's own detector and, for a
    member account, its administrator's ("all findings from associated member accounts ... are
    also exported to the same location that you configured for the administrator account", user
    guide, "Exporting findings")."""
    administrator = ADMINISTRATOR_OF[0](account_id, region)
    for exporter in FINDING_EXPORTERS:
        exporter(account_id, region, details)
        if administrator is not None:
            exporter(administrator, region, details)


def publish_findings(account_id: str, region: str, details: list[dict[str, Any]]) -> None:
    """Publish finding events on the account's default bus and, for a member account, also on
    its administrator's default bus in the same Region (see ``organization``): there the event's
    ``account`` is the administrator's and ``detail.accountId`` the member's (see the module's
    docstring, "Administrator")."""
    if not details:
        return
    _export(account_id, region, details)
    publish(account_id, region, FINDING_DETAIL_TYPE, details)
    administrator = ADMINISTRATOR_OF[0](account_id, region)
    if administrator is None:
        return
    publish(administrator, region, FINDING_DETAIL_TYPE, details)
