"""Long steps of the demo say that they are still running."""

from __future__ import annotations

import io
import time

import pytest

from guardduty_ecs_bench.harness import timed

pytestmark = pytest.mark.static


def test_a_long_step_reports_its_elapsed_time_until_it_ends() -> None:
    progress = io.StringIO()
    result, seconds = timed(lambda: time.sleep(0.35) or "done", progress, "apply", every=0.1)
    assert result == "done"
    assert seconds >= 0.35
    lines = progress.getvalue().splitlines()
    assert len(lines) >= 2
    assert all(line.startswith("   apply: ") and line.endswith("s") for line in lines)
    written = progress.getvalue()
    time.sleep(0.25)
    assert progress.getvalue() == written, "the ticker stops with the step"


def test_without_progress_nothing_is_written() -> None:
    assert timed(lambda: 42)[0] == 42
