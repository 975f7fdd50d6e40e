"""What a command ends with, for people (a table) and for pipelines (one JSON document).

Every command's handler returns an ``Outcome``: the exit code, the one-line reason for it, the
command's own fields for JSON and the table for people. The JSON document of every command has
the same head (``envelope``): ``schema_version``, ``command``, ``exit_code``, ``reason`` and
``fix``, then the command's fields. ``schema_version`` changes only when a field is removed or
changes its meaning; new fields may be added within a version.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

SCHEMA_VERSION = 1
TABLE, JSON = "table", "json"
OUTPUTS = (TABLE, JSON)


@dataclass
class Outcome:
    """How a command ended: ``exit_code`` and ``reason``, the command's JSON ``fields`` and its
    ``table`` (written to standard output for people); ``fix`` for exit codes 2 and 3."""

    exit_code: int
    reason: str
    fields: dict[str, Any] = field(default_factory=dict)
    table: Callable[[TextIO], None] | None = None
    fix: str = ""


def envelope(command: str, outcome: Outcome) -> dict[str, Any]:
    """The JSON document of ``outcome``: the common head, then the command's fields."""
    return {
        "schema_version": SCHEMA_VERSION,
        "command": command,
        "exit_code": outcome.exit_code,
        "reason": outcome.reason,
        "fix": outcome.fix,
        **outcome.fields,
    }


def write(command: str, outcome: Outcome, output: str, out: TextIO) -> None:
    """``outcome`` as ``output`` says: one JSON document, or the table (if there is one)."""
    if output == JSON:
        json.dump(envelope(command, outcome), out, indent=2)
        out.write("\n")
    elif outcome.table is not None:
        outcome.table(out)


def wants_json(argv: list[str]) -> bool:
    """Whether a command line asks for JSON, read before (or without) parsing it, so that an
    invocation that cannot be parsed still answers a pipeline in JSON."""
    for index, arg in enumerate(argv):
        if arg in ("--json", f"--output={JSON}"):
            return True
        if arg == "--output" and argv[index + 1 : index + 2] == [JSON]:
            return True
    return False
