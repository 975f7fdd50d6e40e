"""Expected-value inventories for plans, in the style of cloud-foundation-fabric.

An inventory is a YAML file. Its head is written by hand: a comment saying what the case shows,
the module, and the variables to plan it with. The rest is generated from a plan by
``guardduty-ecs-bench inventories`` (``make inventories``) and reviewed as a diff: every planned
resource with the values the module's configuration sets (``configured_values``), the number of
resources per type, and the output values known at plan time. ``__missing__`` (kept across
regeneration) marks a resource address or an attribute that must not be planned.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TextIO

import tftest
import yaml

from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs_bench.harness import Workbench, emulated_workbench
from guardduty_ecs_bench.tfdocs import Block, module_blocks
from guardduty_ecs_bench.validation import module_call


@dataclass(frozen=True)
class Inventory:
    name: str
    module: str
    tf_vars: dict[str, Any] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Inventory:
        data = yaml.safe_load(path.read_text()) or {}
        unknown = set(data) - {"module", "tf_vars", "values", "counts", "outputs"}
        if unknown:
            raise ValueError(f"{path}: unknown inventory keys {sorted(unknown)}")
        return cls(name=path.stem, **data)


MISSING = "__missing__"
GENERATED_KEYS = ("values", "counts", "outputs")
REGENERATE = "run `make inventories` (guardduty-ecs-bench inventories) and review the diff"


def subset_differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where ``actual`` differs from ``expected``; dicts only need the expected keys."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping, got {actual!r}"]
        differences: list[str] = []
        for key, value in expected.items():
            if value == MISSING:
                if actual.get(key) not in (None, [], {}, ""):
                    differences.append(f"{path}.{key}: must be absent, got {actual[key]!r}")
            elif key not in actual:
                differences.append(f"{path}.{key}: missing")
            else:
                differences += subset_differences(value, actual[key], f"{path}.{key}")
        return differences
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        differences = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            differences += subset_differences(want, got, f"{path}[{index}]")
        return differences
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def planned_resources(plan: tftest.TerraformPlanOutput) -> dict[str, dict[str, Any]]:
    """Planned ``after`` values of the managed resources the plan creates or changes."""
    return {
        address: change["change"]["after"] or {}
        for address, change in plan.resource_changes.items()
        if change["mode"] == "managed" and change["change"]["actions"] != ["delete"]
    }


# What a resource's configuration sets: an attribute maps to True (its planned value is kept
# whole), a nested block to the Shape of what the block sets.
Shape = dict[str, "Shape | bool"]
# The keys of an attribute's entry in the plan's configuration section ("expression
# representation" of Terraform's JSON output format); a block's entry has its attributes' names.
_EXPRESSION_KEYS = frozenset({"constant_value", "references"})
# One step of a module path in a resource address: `module.name` or `module.name[key]`.
_MODULE_STEP = re.compile(r'module\.([^.\[]+)(?:\[(?:"[^"]*"|[^\]]*)\])?\.')


def _empty(value: Any) -> bool:
    return value in (None, [], {}, "")


def _merged(*shapes: Shape) -> Shape:
    """Every attribute and block that one of ``shapes`` sets."""
    merged: Shape = {}
    for shape in shapes:
        for key, value in shape.items():
            mine = merged.get(key)
            if mine is True or value is True:
                merged[key] = True
            else:
                merged[key] = _merged(mine or {}, value)
    return merged


def _expression_shape(expressions: dict[str, Any]) -> Shape:
    """The Shape of a block's ``expressions`` in the plan's configuration section: a list or set
    block is a list of the expressions of each block written, a single block their mapping."""
    shape: Shape = {}
    for key, expression in expressions.items():
        if isinstance(expression, list):
            shape[key] = _merged(*(_expression_shape(block) for block in expression))
        elif isinstance(expression, dict) and not expression.keys() <= _EXPRESSION_KEYS:
            shape[key] = _expression_shape(expression)
        else:
            shape[key] = True
    return shape


def _content_shape(block: Block) -> Shape:
    """The Shape of everything a block of the source sets (a ``dynamic`` block's ``content``):
    its attributes and its nested blocks, static or dynamic."""
    shape: Shape = dict.fromkeys(block.attributes, True)
    nested = [
        _dynamic_shape(inner) if inner.kind == "dynamic" else {inner.kind: _content_shape(inner)}
        for inner in block.blocks
    ]
    return _merged(shape, *nested)


def _dynamic_shape(block: Block) -> Shape:
    """The blocks that ``dynamic`` writes at or under ``block`` of the source, by their path."""
    if block.kind == "dynamic":
        contents = [nested for nested in block.blocks if nested.kind == "content"]
        return {block.labels[0]: _merged(*map(_content_shape, contents))}
    nested = _merged(*(_dynamic_shape(inner) for inner in block.blocks))
    return {block.kind: nested} if nested else {}


def _dynamic_shapes(directory: Path | None) -> dict[str, Shape]:
    """The dynamic blocks of each managed resource of the module in ``directory``, by the
    resource's address in the module (`type.name`)."""
    if directory is None or not directory.is_dir():
        return {}
    shapes: dict[str, Shape] = {}
    for block in module_blocks(directory):
        if block.kind == "resource" and len(block.labels) == 2:
            inner = [_dynamic_shape(nested) for nested in block.blocks]
            shapes[".".join(block.labels)] = _merged(*inner)
    return shapes


def configured_shapes(
    plan: tftest.TerraformPlanOutput, module_dir: Path | None = None
) -> dict[str, Shape]:
    """What the configuration sets of each managed resource of ``plan``, by the resource's
    address without instance keys (``module.a.type.name``).

    Read from the plan's configuration section, which lists per resource the expressions of the
    attributes and blocks its HCL writes. That section leaves ``dynamic`` blocks out ("which will
    effectively ignore 'dynamic' blocks", terraform internal/command/jsonconfig/expression.go), so
    those are read from the source of the module in ``module_dir`` and of the local modules it
    calls (their ``source``, relative to the caller)."""
    shapes: dict[str, Shape] = {}

    def walk(module: dict[str, Any], prefix: str, directory: Path | None) -> None:
        dynamic = _dynamic_shapes(directory)
        for resource in module.get("resources", []):
            if resource["mode"] == "managed":
                own = _expression_shape(resource.get("expressions", {}))
                shapes[prefix + resource["address"]] = _merged(
                    own, dynamic.get(resource["address"], {})
                )
        for name, call in module.get("module_calls", {}).items():
            source = call.get("source", "")
            local = directory is not None and source.startswith(("./", "../"))
            walk(
                call.get("module", {}),
                f"{prefix}module.{name}.",
                directory / source if local else None,
            )

    configuration = plan.configuration if "configuration" in plan else {}
    walk(configuration.get("root_module", {}), "", module_dir)
    return shapes


def _configured(value: Any, shape: Shape | bool) -> Any:
    """The part of a planned ``value`` that ``shape`` sets, without null and empty values."""
    if isinstance(value, list):
        return [_configured(item, shape) for item in value]
    if isinstance(value, dict):
        kept = {
            key: _configured(item, True if shape is True else shape[key])
            for key, item in value.items()
            if shape is True or key in shape
        }
        return {key: item for key, item in kept.items() if not _empty(item)}
    return value


def configured_values(
    plan: tftest.TerraformPlanOutput, module_dir: Path | None = None
) -> dict[str, dict[str, Any]]:
    """Planned values of each managed resource that the module decides: the attributes and
    blocks its configuration sets (``configured_shapes``; within a block, what the block sets),
    without the values known only after apply and without null and empty ones. What the
    provider computes or defaults (``arn``, ``tags_all``, ``force_destroy = false``...) is left
    out, so that an inventory changes when the module does, not when the provider does."""
    shapes = configured_shapes(plan, module_dir)
    known: dict[str, dict[str, Any]] = {}
    for address, change in plan.resource_changes.items():
        if change["mode"] != "managed" or change["change"]["actions"] == ["delete"]:
            continue
        calls = "".join(f"module.{name}." for name in _MODULE_STEP.findall(_module_path(change)))
        configured = f"{calls}{change['type']}.{change['name']}"
        if configured not in shapes:
            raise ValueError(f"{address}: {configured} is not in the plan's configuration")
        shape = shapes[configured]
        unknown = change["change"].get("after_unknown") or {}
        after = {
            key: value
            for key, value in (change["change"]["after"] or {}).items()
            if unknown.get(key) is not True
        }
        known[address] = _configured(after, shape)
    return known


def _module_path(change: dict[str, Any]) -> str:
    """The module steps (`module.a.module.b["k"].`) of a resource change's address."""
    address = change["address"]
    return address[: address.rindex(f"{change['type']}.{change['name']}")]


def generated_sections(
    plan: tftest.TerraformPlanOutput,
    previous: Inventory | None = None,
    module_dir: Path | None = None,
) -> dict[str, Any]:
    """The generated part of an inventory: the configured values (of the module in
    ``module_dir``), counts and known outputs of ``plan``; the ``__missing__`` marks of
    ``previous`` are kept."""
    values: dict[str, Any] = dict(sorted(configured_values(plan, module_dir).items()))
    for address, expected in (previous.values if previous else {}).items():
        if expected == MISSING:
            values[address] = MISSING
        elif isinstance(expected, dict) and address in values:
            values[address].update({k: v for k, v in expected.items() if v == MISSING})
    counts = Counter(
        change["type"] for change in plan.resource_changes.values() if change["mode"] == "managed"
    )
    output_changes = plan.output_changes if "output_changes" in plan else {}
    outputs = {
        name: change["after"]
        for name, change in sorted(output_changes.items())
        if change["after_unknown"] is not True
    }
    return {"values": values, "counts": dict(sorted(counts.items())), "outputs": outputs}


class _Dumper(yaml.SafeDumper):
    """Writes a multi-line string as a literal block (``|``): one line of YAML per line of the
    value, as an input template or a message reads (PyYAML quotes what a block cannot hold)."""


def _represent_string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_string)


def render(path: Path, generated: dict[str, Any]) -> str:
    """The inventory file at ``path`` with its generated part replaced by ``generated``."""
    lines = path.read_text().splitlines()
    head = []  # the leading comment block, written by hand
    for line in lines:
        if not line.startswith("#"):
            break
        head.append(line)
    data = yaml.safe_load(path.read_text()) or {}
    hand = {key: data[key] for key in ("module", "tf_vars") if key in data}
    body = yaml.dump(
        {**hand, **generated}, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True
    )
    return "\n".join([*head, body.rstrip(), ""])


def _value_problems(inventory: Inventory, resources: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    for address, expected in inventory.values.items():
        if expected == MISSING:
            if address in resources:
                problems.append(f"{address}: must not be planned")
        elif address not in resources:
            problems.append(f"{address}: not in plan (planned: {sorted(resources)})")
        else:
            problems += subset_differences(expected, resources[address], address)
    unlisted = sorted(set(resources) - set(inventory.values))
    if unlisted:
        problems.append(f"planned but not in the inventory: {unlisted}")
    return problems


def check_plan(inventory: Inventory, plan: tftest.TerraformPlanOutput) -> list[str]:
    """Every way in which ``plan`` does not match ``inventory`` (empty: it matches)."""
    problems = _value_problems(inventory, planned_resources(plan))
    if inventory.counts:
        counts = Counter(
            change["type"]
            for change in plan.resource_changes.values()
            if change["mode"] == "managed"
        )
        for resource_type, count in inventory.counts.items():
            planned = counts.get(resource_type, 0)
            if planned != count:
                problems.append(f"count of {resource_type}: expected {count}, got {planned}")
    # output_changes, unlike planned_values, also holds outputs computed from planned resources.
    output_changes = plan.output_changes if "output_changes" in plan else {}
    for name, expected in inventory.outputs.items():
        if name not in output_changes:
            problems.append(f"output {name}: not in plan")
        elif output_changes[name]["after_unknown"] is True:
            problems.append(f"output {name}: not known until apply")
        else:
            problems += subset_differences(
                expected, output_changes[name]["after"], f"output {name}"
            )
    return problems


PLAN_DIR = ".inventory-plan"
# boto3 clients of the backend, by service name, for a case's preparation.
Clients = Callable[[str], Any]
# Makes what a case plans against in the backend; returns the variables that name it.
Prepare = Callable[[Clients], dict[str, Any]]


class PlannedCase(Protocol):
    """What ``plan_together`` needs of a case: a module call name, the called directory of the
    tree (``"."`` for the root module) and its variables. An Inventory is one."""

    @property
    def name(self) -> str: ...

    @property
    def module(self) -> str: ...

    @property
    def tf_vars(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PlanCase:
    """A plan-layer test's case in the shared plan (``plan_together``).

    ``files`` are written into ``module`` before planning, for a case that is a module of its own
    (a README's usage block). ``prepare`` makes what the case plans against (a VPC, an existing
    detector) in the backend and returns the variables that name it, merged over ``tf_vars``.
    """

    name: str
    module: str
    tf_vars: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    prepare: Prepare | None = None

    def prepared(self, root: Path, clients: Clients) -> PlanCase:
        """This case with its files written under ``root`` and its prepared variables."""
        for name, text in self.files.items():
            path = root / self.module / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        if self.prepare is None:
            return self
        return replace(self, tf_vars={**self.tf_vars, **self.prepare(clients)}, prepare=None)


@dataclass(frozen=True)
class SharedPlan:
    """A case's part of a shared plan and the variables it was planned with."""

    plan: tftest.TerraformPlanOutput
    tf_vars: dict[str, Any]


# The xdist group of the plan-layer tests that read the shared plan (tests/plan/conftest.py):
# one worker plans once for all of them.
SHARED_PLAN_GROUP = "shared-plan"


def prepare_cases(workbench: Workbench, cases: Iterable[PlanCase]) -> list[PlanCase]:
    """``cases`` prepared in the workbench's backend (see PlanCase.prepared)."""
    session = session_from_environment(workbench.environment)
    endpoint_url = workbench.environment.get("AWS_ENDPOINT_URL")

    def clients(service: str) -> Any:
        return client(session, service, endpoint_url)

    return [case.prepared(workbench.root, clients) for case in cases]


def write_plan_root(workbench: Workbench, cases: Iterable[PlannedCase], directory: str) -> str:
    """Write a root module into ``directory`` of the tree that calls each case's module once
    (call named after the case) and outputs each call; return ``directory``."""
    folder = workbench.root / directory
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    calls = []
    for case in cases:
        calls.append(module_call(case.name, case.module, case.tf_vars))
        calls.append(f'output "{case.name}" {{\n  value = module.{case.name}\n}}\n')
    (folder / "main.tf").write_text("\n".join(calls))
    return directory


def plan_together(
    workbench: Workbench, cases: Iterable[PlannedCase], directory: str = PLAN_DIR
) -> dict[str, tftest.TerraformPlanOutput]:
    """The plan of each case, from one plan of a generated root that calls every case's module:
    one Terraform process and one provider start-up instead of one per case.

    The resources of a case are those under its module call, addressed as a plan of the module
    alone would address them; its outputs are the call's outputs and its configuration the called
    module's. Modules with provider blocks of their own (the examples) keep them: a module call
    without count or for_each may have them.
    """
    cases = list(cases)
    raw = workbench.stack(write_plan_root(workbench, cases, directory)).plan()._raw
    return {case.name: _case_plan(raw, case.name) for case in cases}


def _case_plan(raw: dict[str, Any], name: str) -> tftest.TerraformPlanOutput:
    """The part of the combined plan ``raw`` that belongs to the module call ``name``."""
    prefix = f"module.{name}."
    changes = []
    for change in raw.get("resource_changes", []):
        if change["address"].startswith(prefix):
            changes.append({**change, "address": change["address"].removeprefix(prefix)})
    call = raw.get("output_changes", {}).get(name, {})
    after = call.get("after") or {}
    unknown = call.get("after_unknown")
    output_changes = {
        output: {
            "after": after.get(output),
            "after_unknown": unknown is True or (unknown or {}).get(output, False),
        }
        for output in sorted(set(after) | set(unknown if isinstance(unknown, dict) else {}))
    }
    calls = raw.get("configuration", {}).get("root_module", {}).get("module_calls", {})
    configuration = {"root_module": calls.get(name, {}).get("module", {})}
    return tftest.TerraformPlanOutput(
        {
            "resource_changes": changes,
            "output_changes": output_changes,
            "configuration": configuration,
        }
    )


def inventory_paths(repo: Path) -> list[Path]:
    return sorted((repo / "tests" / "plan" / "inventories").glob("*.yaml"))


def regenerate(repo: Path, *, check: bool = False, progress: TextIO | None = None) -> list[Path]:
    """Plan every inventory's case against a fresh emulator and rewrite its generated part.

    Returns the inventories whose generated part changed (with ``check``, nothing is written).
    """
    changed: list[Path] = []
    paths = inventory_paths(repo)
    inventories = [Inventory.load(path) for path in paths]
    with emulated_workbench(repo) as (workbench, _):
        if progress:
            progress.write(f"planning {len(inventories)} inventories in one plan\n")
        plans = plan_together(workbench, inventories)
        for path, inventory in zip(paths, inventories, strict=True):
            module_dir = workbench.root / inventory.module
            generated = generated_sections(plans[inventory.name], inventory, module_dir)
            text = render(path, generated)
            if text != path.read_text():
                changed.append(path)
                if not check:
                    path.write_text(text)
    return changed
