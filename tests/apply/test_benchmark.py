"""The benchmark command measures real deliveries (no timing is asserted: figures go in notes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardduty_ecs.benchmark import measure_alert_latency

pytestmark = [pytest.mark.apply, pytest.mark.emulator_only(reason="measures the emulator")]


def test_benchmark_measures_each_delivery(repo_root: Path, tmp_path: Path) -> None:
    summary = measure_alert_latency(3, repo_root, tmp_path)
    assert summary.count == 3
    assert 0 < summary.minimum <= summary.median <= summary.p95 <= summary.maximum
