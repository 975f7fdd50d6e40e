"""Adopting an existing detector configures its features and, on destroy, leaves it as it is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from guardduty_ecs.aws import read_detector
from guardduty_ecs_bench.harness import Workbench

pytestmark = [
    pytest.mark.apply,
    pytest.mark.emulator_only(
        reason="adopts a detector it creates through the API first, and reads an empty account"
    ),
]


def test_adopted_detector_is_configured_and_kept(
    workbench: Workbench, aws_client: Callable[[str], Any]
) -> None:
    guardduty = aws_client("guardduty")
    detector_id = guardduty.create_detector(
        Enable=True,
        FindingPublishingFrequency="SIX_HOURS",
        Features=[{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}],
    )["DetectorId"]

    # Alerts do not depend on the detector and have tests of their own; off, they save ~40 s.
    stack = workbench.stack(
        ".", {"create_detector": False, "detector_id": detector_id, "alerts": {"create": False}}
    )
    stack.apply()
    try:
        assert stack.outputs()["detector_id"] == detector_id
        adopted = read_detector(guardduty, detector_id)
        assert adopted.features["RUNTIME_MONITORING"] == "ENABLED"
        assert (
            adopted.additional_configuration["RUNTIME_MONITORING"]["ECS_FARGATE_AGENT_MANAGEMENT"]
            == "ENABLED"
        )
        # The module manages every protection plan explicitly: S3 is now off, as declared.
        assert adopted.features["S3_DATA_EVENTS"] == "DISABLED"
        # The detector's own settings belong to whoever created it.
        assert adopted.finding_publishing_frequency == "SIX_HOURS"
        assert stack.pending_changes() == []
    finally:
        stack.destroy()

    # Destroying feature resources only removes them from state (as the module README says):
    # the adopted detector and its Runtime Monitoring setting remain.
    after = read_detector(guardduty, detector_id)
    assert after.features["RUNTIME_MONITORING"] == "ENABLED"
    assert guardduty.list_detectors()["DetectorIds"] == [detector_id]
