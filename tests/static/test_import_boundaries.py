"""The three Python homes under ``scripts/`` keep to their audiences, and no module imports another
in a circle.

- ``guardduty_ecs``, the product (what ``pip install .`` installs): the operator commands, on the
  standard library and boto3 alone; it imports nothing of the bench or the emulator.
- ``guardduty_ecs_emulator``, the emulator: moto and its extensions; nothing of the bench, and of
  the product only ``guardduty_ecs.events``, GuardDuty's documented event shapes, so that the
  emulator publishes the events the commands expect from one definition. That module imports the
  standard library alone: no decision of the product reaches the emulator through it.
- ``guardduty_ecs_bench``, the test bench: may import both.

Imports are read from the source (``ast``), those inside functions and under ``TYPE_CHECKING``
included.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.static

PRODUCT, BENCH, EMULATOR = "guardduty_ecs", "guardduty_ecs_bench", "guardduty_ecs_emulator"
HOMES = (PRODUCT, BENCH, EMULATOR)
# The one module of the product that the emulator may import (see the module docstring).
SHARED_WITH_THE_EMULATOR = "guardduty_ecs.events"
# What the product may import besides the standard library and itself.
PRODUCT_DEPENDENCIES = {"boto3", "botocore"}


def _modules(repo_root: Path) -> dict[str, Path]:
    """Every module of the three homes by its dotted name (a package by its own name)."""
    scripts = repo_root / "scripts"
    modules = {}
    for home in HOMES:
        for path in sorted((scripts / home).rglob("*.py")):
            parts = path.relative_to(scripts).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _imported(path: Path) -> Iterator[str]:
    """The dotted names a file imports: ``from a import b`` gives ``a.b`` (which may be a module)
    and ``a``; relative imports are resolved against the file's package."""
    package = ".".join(path.with_suffix("").parts[path.parts.index("scripts") + 1 : -1])
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _home(name: str) -> str:
    return name.split(".", maxsplit=1)[0]


def _imports_of(repo_root: Path) -> dict[str, set[str]]:
    return {module: set(_imported(path)) for module, path in _modules(repo_root).items()}


def test_the_homes_are_found(repo_root: Path) -> None:
    found = {_home(module) for module in _modules(repo_root)}
    assert found == set(HOMES)


def test_the_product_imports_nothing_of_the_bench_or_the_emulator(repo_root: Path) -> None:
    wrong = sorted(
        f"{module} imports {name}"
        for module, names in _imports_of(repo_root).items()
        if _home(module) == PRODUCT
        for name in names
        if _home(name) in (BENCH, EMULATOR)
    )
    assert not wrong, wrong


def test_the_product_needs_boto3_alone(repo_root: Path) -> None:
    """Besides itself and the standard library, the product imports boto3 (and its botocore):
    its distribution's one dependency."""
    allowed = set(sys.stdlib_module_names) | PRODUCT_DEPENDENCIES | {PRODUCT, "__future__"}
    wrong = sorted(
        f"{module} imports {name}"
        for module, names in _imports_of(repo_root).items()
        if _home(module) == PRODUCT
        for name in names
        if _home(name) not in allowed
    )
    assert not wrong, wrong


def test_the_emulator_imports_nothing_of_the_bench_and_only_the_event_shapes_of_the_product(
    repo_root: Path,
) -> None:
    wrong = sorted(
        f"{module} imports {name}"
        for module, names in _imports_of(repo_root).items()
        if _home(module) == EMULATOR
        for name in names
        if _home(name) == BENCH
        or (_home(name) == PRODUCT and not name.startswith(SHARED_WITH_THE_EMULATOR))
    )
    assert not wrong, wrong


def test_the_event_shapes_the_emulator_shares_import_the_standard_library_alone(
    repo_root: Path,
) -> None:
    names = _imports_of(repo_root)[SHARED_WITH_THE_EMULATOR]
    outside = sorted(
        name for name in names if _home(name) not in {*sys.stdlib_module_names, "__future__"}
    )
    assert not outside, outside


def test_no_module_imports_another_in_a_circle(repo_root: Path) -> None:
    modules = _modules(repo_root)
    graph = {
        module: {name for name in names if name in modules and name != module}
        for module, names in _imports_of(repo_root).items()
    }
    # Tarjan's strongly connected components: a component of more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert not circles, f"modules that import each other in a circle: {circles}"


def test_the_emulators_core_imports_no_service(repo_root: Path) -> None:
    """Each service extension builds on the core; the core knows none of them."""
    core = f"{EMULATOR}.core"
    wrong = sorted(
        f"{module} imports {name}"
        for module, names in _imports_of(repo_root).items()
        if module.startswith(core)
        for name in names
        if name.startswith(f"{EMULATOR}.") and not name.startswith(core)
    )
    assert not wrong, wrong
