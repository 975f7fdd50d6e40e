"""The README's main job runs the blog scenario end to end and says what it proved."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from guardduty_ecs.demo import run_demo

pytestmark = [
    pytest.mark.apply,
    pytest.mark.emulator_only(reason="the demo is the emulator's blog scenario"),
]


def test_demo_runs_the_blog_scenario(repo_root: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    run_demo(out, repo_root, tmp_path)
    report = out.getvalue()
    # Coverage healthy after apply, and again once the service is restored.
    row = "us-east-1  123456789012  ECS   guardduty-fargate  HEALTHY  AUTO_MANAGED"
    assert report.count(row) == 2
    # The Unhealthy alert and the finding alerts, as the e-mail reads them.
    assert '"GuardDuty Runtime Monitoring coverage is UNHEALTHY (was HEALTHY)"' in report
    assert '"Type: Execution:Runtime/ReverseShell"' in report
    assert '"GuardDuty Medium severity runtime finding"' in report
    assert "4 passed, 0 failed" in report  # the drill
    assert "24 passed, 0 failed" in report  # verify
    assert "== second plan: empty" in report
    assert "nothing left behind" in report
