"""docs/emulator-fidelity.md stays true: every test and emulator file it names exists, every
service extension of the emulator has a row, and every row names a source or says it chose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.static

EMULATOR = Path("scripts") / "guardduty_ecs_emulator"
# The service extensions (each changes what moto answers) and the request validation every
# service goes through: each must have a row. The core (plumbing) and the modules that run or
# start the emulator may be named, but need not be.
MUST_HAVE_A_ROW = ("services/**/*.py", "request_validation.py")


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


def _named_files(repo_root: Path) -> set[str]:
    """The files the Emulator file column names, relative to the emulator's package."""
    return {cell for row in _rows(repo_root) for cell in re.findall(r"`([\w/]+\.py)`", row[2])}


def test_every_named_emulator_file_exists(repo_root: Path) -> None:
    missing = [
        name for name in _named_files(repo_root) if not (repo_root / EMULATOR / name).is_file()
    ]
    assert not missing, f"named in the fidelity table but not in {EMULATOR}: {missing}"


def test_every_service_extension_has_a_row(repo_root: Path) -> None:
    package = repo_root / EMULATOR
    modules = {
        path.relative_to(package).as_posix()
        for pattern in MUST_HAVE_A_ROW
        for path in package.glob(pattern)
        if path.name != "__init__.py"
    }
    assert len(modules) > 10, "the emulator's services were not found"
    assert modules <= _named_files(repo_root), modules - _named_files(repo_root)


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
