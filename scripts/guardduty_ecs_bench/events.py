"""GuardDuty events that only the bench makes: put on the bus by hand, or of EC2 resources.

The emulator accepts ``aws.guardduty`` events from PutEvents (AWS does not), so the tests and the
benchmark put events of their own making; and the EC2 coverage change, which neither the operator
commands nor the emulator build, is here for the tests. Their shapes follow the product's
``guardduty_ecs.events``.
"""

from __future__ import annotations

import json
from typing import Any

from guardduty_ecs.events import GUARDDUTY_SOURCE, event_timestamp

# What the tests expect of an event a target receives unmodified (EventBridge user guide, "Amazon
# EventBridge events": "The following fields appear in an event", in this order in every example).
EVENT_ENVELOPE_FIELDS = [
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
]


def ec2_coverage_change(
    current: str, previous: str, *, instance_id: str, cluster_arn: str, issue: str = ""
) -> dict[str, Any]:
    """The ``detail`` of a coverage change of an EC2 instance (an ECS container instance)."""
    return {
        "schemaVersion": "1.0",
        "resourceAccountId": cluster_arn.split(":")[4],
        "currentStatus": current,
        "previousStatus": previous,
        "resourceDetails": {
            "resourceType": "EC2",
            "ec2InstanceDetails": {
                "instanceId": instance_id,
                "instanceType": "m6i.large",
                "clusterArn": cluster_arn,
                "managementType": "AUTO_MANAGED",
            },
        },
        "issue": issue,
        "lastUpdatedAt": event_timestamp(),
    }


def put_guardduty_event(events: Any, detail_type: str, detail: dict[str, Any]) -> str:
    """Put one GuardDuty event on the default bus (the emulator only); return its event ID."""
    response = events.put_events(
        Entries=[
            {
                "Source": GUARDDUTY_SOURCE,
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
                "Resources": [],
            }
        ]
    )
    (entry,) = response["Entries"]
    if response.get("FailedEntryCount"):
        raise RuntimeError(f"PutEvents rejected the event: {entry}")
    return str(entry["EventId"])
