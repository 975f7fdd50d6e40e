"""docs/emulator-fidelity.md stays true: every test it names exists, every emulator module that
changes moto's behaviour has a row, and every row names a source or says it chose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.static

# Modules that run or start the emulator rather than change what it answers.
NOT_BEHAVIOUR = {"__init__.py", "__main__.py", "process.py"}


def _rows(repo_root: Path) -> list[list[str]]:
    text = (repo_root / "docs" / "emulator-fidelity.md").read_text()
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| ") and not line.startswith("| Behaviour")
    ]
    assert rows, "the fidelity table has no rows"
    return rows


def test_every_named_test_exists(repo_root: Path) -> None:
    named = [
        reference
        for row in _rows(repo_root)
        for reference in re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", row[3])
    ]
    assert len(named) >= len(_rows(repo_root)) - 1, "most rows name a test"
    for path, name in named:
        assert re.search(rf"^def {name}\(", (repo_root / path).read_text(), re.M), (
            f"{path}::{name} is named in the fidelity table but does not exist"
        )


def test_every_emulator_module_has_a_row(repo_root: Path) -> None:
    named = {cell for row in _rows(repo_root) for cell in re.findall(r"emulator/(\w+\.py)", row[2])}
    modules = {
        path.name for path in (repo_root / "scripts" / "guardduty_ecs" / "emulator").glob("*.py")
    }
    assert modules - NOT_BEHAVIOUR <= named


def test_every_row_cites_a_source_or_says_it_chose(repo_root: Path) -> None:
    for row in _rows(repo_root):
        assert len(row) == 4, row
        assert '"' in row[1] or "**chosen**" in row[1], f"no quote and no choice: {row[0]}"


def test_rows_render_as_one_table(repo_root: Path) -> None:
    """Markdown renders a table only from its header and delimiter row on: a row after a
    paragraph or a heading shows as a line of pipes, not as a row."""
    lines = (repo_root / "docs" / "emulator-fidelity.md").read_text().splitlines()
    table = [number for number, line in enumerate(lines) if line.startswith("|")]
    assert table == list(range(table[0], table[0] + len(table))), "the table has a gap"
    assert lines[table[0]].startswith("| Behaviour")
    assert re.fullmatch(r"\|(---\|)+", lines[table[0] + 1])
