"""Expected-value inventories for plans, in the style of cloud-foundation-fabric.

An inventory is a YAML file that names a module, the variables to plan it with, and what the plan
must contain: attribute values per resource address (a subset: only the keys given are checked),
the number of resources per type, and output values known at plan time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tftest
import yaml


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


def subset_differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where ``actual`` differs from ``expected``; dicts only need the expected keys."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping, got {actual!r}"]
        differences: list[str] = []
        for key, value in expected.items():
            if key not in actual:
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


def check_plan(inventory: Inventory, plan: tftest.TerraformPlanOutput) -> list[str]:
    """Every way in which ``plan`` does not match ``inventory`` (empty: it matches)."""
    resources = planned_resources(plan)
    problems: list[str] = []
    for address, expected in inventory.values.items():
        if address not in resources:
            problems.append(f"{address}: not in plan (planned: {sorted(resources)})")
        else:
            problems += subset_differences(expected, resources[address], address)
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
