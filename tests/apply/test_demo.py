"""The README's main job runs end to end and says what it proved."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from guardduty_ecs.demo import run_demo

pytestmark = pytest.mark.apply


def test_demo_applies_alerts_replans_and_destroys_the_complete_example(tmp_path: Path) -> None:
    out = io.StringIO()
    run_demo(out, tmp_path)
    report = out.getvalue()
    assert "aws_guardduty_detector_feature.runtime_monitoring[0]" in report
    assert "RUNTIME_MONITORING       ENABLED  (EC2_AGENT_MANAGEMENT ENABLED, " in report
    assert '"GuardDuty High severity runtime finding"' in report
    assert '"Type: Execution:Runtime/ReverseShell"' in report
    assert '"GuardDuty Runtime Monitoring coverage is UNHEALTHY (was HEALTHY)"' in report
    assert "== second plan: empty" in report
    assert "nothing left behind" in report
