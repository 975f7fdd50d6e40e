"""The benchmark table: rendering given figures, and the command line of ``benchmark --table``.

Nothing here measures: the measurement runs with ``make bench``, and no test asserts a duration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guardduty_ecs_bench import benchmark
from guardduty_ecs_bench.benchmark import (
    BenchmarkTable,
    CoverageFigures,
    LatencySummary,
    LifecycleTiming,
    MachineInfo,
    OrganizationFigures,
    PlanTiming,
    SuiteRun,
    Timing,
    ValidationTiming,
    pytest_counts,
    render_table,
)
from guardduty_ecs_bench.cli import main

pytestmark = pytest.mark.static

REPO = Path(__file__).resolve().parents[2]


def _table(suite: list[SuiteRun]) -> BenchmarkTable:
    return BenchmarkTable(
        machine=MachineInfo(
            "2026-01-02 03:04 UTC", 2, 24.0, "3.11.7", "1.11.4", "6.0.0", "abc1234"
        ),
        workers=2,
        suite=suite,
        empty_plan=PlanTiming("empty configuration", Timing(2.0, 1.0)),
        plans=[PlanTiming("examples/minimal", Timing(5.0, 4.0))],
        lifecycles=[LifecycleTiming("examples/minimal", 12.3, 4.5)],
        validation=ValidationTiming(cases=40, workers=2, seconds=20.0),
        coverage=[CoverageFigures(1000, 1000, 21, 1.234, 30.0)],
        latency={"findings-high": LatencySummary.of([10.0, 20.0, 30.0])},
    )


def test_table_has_a_row_for_each_figure() -> None:
    suite = [SuiteRun("static", Timing(30.0, 50.0), {"passed": 10, "skipped": 1})]
    text = render_table(_table(suite))
    assert "2026-01-02 03:04 UTC on 2 cores, 24 GiB" in text
    assert "Terraform 1.11.4, hashicorp/aws 6.0.0; commit abc1234" in text
    assert "| static | 30.0 | 50.0 | 10 passed, 1 skipped |" in text
    assert "| empty configuration | 2.00 | 1.00 | 1.0 |" in text
    assert "| examples/minimal | 5.00 | 4.00 | 2.5 |" in text  # 5 s over the empty 2 s
    assert "| examples/minimal | 12.3 | 4.5 |" in text
    assert "| 40 | 20.0 | 2.00 |" in text
    assert "| 1000 | 21 | 1.23 | 30.0 |" in text
    assert "| findings-high | 3 | 20 | 30 | 30 |" in text


def test_organization_figures_have_a_section_of_their_own() -> None:
    figures = OrganizationFigures(100, 4, 10, 40.0, 4000, 328, 1.5, 101, 77, 2.5, 17.26)
    table = _table([])
    assert "## Organization" not in render_table(table)
    text = render_table(BenchmarkTable(**{**table.__dict__, "organization": [figures]}))
    assert "| 100 x 4 x 10 | 4000 | 328 | 1.50 | 101 | 77 | 2.50 | 17.26 | 40.0 |" in text


def test_table_without_suite_has_no_suite_section() -> None:
    text = render_table(_table([]))
    assert "## Test suite" not in text
    assert "The test suite was not run for this table (`--skip-suite`)." in text


def test_pytest_summary_line_is_counted() -> None:
    output = "....s.F\nFAILED tests/x.py::y\n5 passed, 1 failed, 1 skipped, 2 errors in 3.21s\n"
    assert pytest_counts(output) == {"passed": 5, "failed": 1, "skipped": 1, "error": 2}


def test_table_option_with_skip_suite_measures_and_writes_the_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: dict[str, Any] = {}

    def measure_table(repo: Path, **options: Any) -> BenchmarkTable:
        asked.update(options, repo=repo)
        return _table([])

    monkeypatch.setattr(benchmark, "measure_table", measure_table)
    out = tmp_path / "benchmarks.md"
    argv = ["benchmark", "--table", "--skip-suite", "--out", str(out), "--repo", str(REPO)]
    assert main(argv) == 0
    assert (asked["repo"], asked["skip_suite"], asked["events_per_rule"]) == (REPO, True, 20)
    assert out.read_text() == capsys.readouterr().out == render_table(_table([]))


def test_skip_suite_needs_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["benchmark", "--skip-suite"]) == 2
    assert "--skip-suite only applies to --table" in capsys.readouterr().err
