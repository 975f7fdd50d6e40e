"""The latency summary of the benchmark command (the measurement itself runs in the apply layer)."""

from __future__ import annotations

import io

import pytest

from guardduty_ecs_bench.benchmark import LatencySummary, report
from guardduty_ecs_bench.cli import main

pytestmark = pytest.mark.static


def test_summary_orders_and_picks_the_95th_percentile() -> None:
    summary = LatencySummary.of([float(ms) for ms in range(100, 0, -1)])
    assert summary == LatencySummary(count=100, minimum=1, median=50.5, p95=95, maximum=100)


def test_report_reads_as_one_line() -> None:
    out = io.StringIO()
    report(LatencySummary.of([2.0, 4.0, 3.0]), out)
    assert out.getvalue() == (
        "put-event to probe latency over 3 alerts: "
        "min 2.0 ms, median 3.0 ms, p95 4.0 ms, max 4.0 ms\n"
    )


def test_benchmark_refuses_zero_events(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["benchmark", "--events", "0"]) == 2  # a user error
    assert "the benchmark needs at least one event" in capsys.readouterr().err
