"""Expected-value inventories for plans, in the style of cloud-foundation-fabric.

An inventory is a YAML file. Its head is written by hand: a comment saying what the case shows,
the module, and the variables to plan it with. The rest is generated from a plan by
``guardduty-ecs-bench inventories`` (``make inventories``) and reviewed as a diff: every planned
resource with its known attribute values, the number of resources per type, and the output
values known at plan time. ``__missing__`` (kept across regeneration) marks a resource address or
an attribute that must not be planned.
"""

from __future__ import annotations

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


def known_values(plan: tftest.TerraformPlanOutput) -> dict[str, dict[str, Any]]:
    """Planned values of each managed resource that say something: without the attributes known
    only after apply, and without null and empty ones (which also keeps inventories valid on
    provider versions that add or drop optional attributes)."""
    known: dict[str, dict[str, Any]] = {}
    for address, change in plan.resource_changes.items():
        if change["mode"] != "managed" or change["change"]["actions"] == ["delete"]:
            continue
        unknown = change["change"].get("after_unknown") or {}
        known[address] = {
            key: value
            for key, value in (change["change"]["after"] or {}).items()
            if unknown.get(key) is not True and value not in (None, [], {}, "")
        }
    return known


def generated_sections(
    plan: tftest.TerraformPlanOutput, previous: Inventory | None = None
) -> dict[str, Any]:
    """The generated part of an inventory: values, counts and known outputs of ``plan``; the
    ``__missing__`` marks of ``previous`` are kept."""
    values: dict[str, Any] = dict(sorted(known_values(plan).items()))
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
    body = yaml.safe_dump({**hand, **generated}, sort_keys=False, width=100, allow_unicode=True)
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
            text = render(path, generated_sections(plans[inventory.name], inventory))
            if text != path.read_text():
                changed.append(path)
                if not check:
                    path.write_text(text)
    return changed
