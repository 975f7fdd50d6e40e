"""Plan each module and example with the variables of an inventory and compare the plan to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardduty_ecs.inventory import (
    MISSING,
    REGENERATE,
    SHARED_PLAN_GROUP,
    Inventory,
    PlanCase,
    SharedPlan,
    check_plan,
)

INVENTORIES = sorted((Path(__file__).parent / "inventories").glob("*.yaml"))
# The plan of the root module without inputs, which the checks of the comparison itself use.
ROOT_DEFAULTS = "root_defaults"

pytestmark = pytest.mark.plan

# Planned in the shared plan (tests/plan/conftest.py), as `make inventories` plans them.
SHARED_PLAN_CASES = [
    PlanCase(inventory.name, inventory.module, inventory.tf_vars)
    for inventory in map(Inventory.load, INVENTORIES)
]


@pytest.mark.xdist_group(SHARED_PLAN_GROUP)
@pytest.mark.parametrize("inventory_path", INVENTORIES, ids=[path.stem for path in INVENTORIES])
def test_plan_matches_inventory(shared_plans: dict[str, SharedPlan], inventory_path: Path) -> None:
    inventory = Inventory.load(inventory_path)
    assert check_plan(inventory, shared_plans[inventory.name].plan) == [], REGENERATE


def test_every_example_has_an_inventory(repo_root: Path) -> None:
    planned = {Inventory.load(path).module for path in INVENTORIES}
    examples = {f"examples/{path.name}" for path in (repo_root / "examples").iterdir()}
    assert examples <= planned


@pytest.mark.xdist_group(SHARED_PLAN_GROUP)
def test_inventory_check_reports_a_mismatch(shared_plans: dict[str, SharedPlan]) -> None:
    """The comparison itself must be able to fail, or every inventory test would be hollow."""
    wrong = Inventory(
        name="wrong",
        module=".",
        values={
            "module.runtime_monitoring.aws_guardduty_detector.this[0]": {
                "finding_publishing_frequency": "SIX_HOURS"
            }
        },
        counts={"aws_guardduty_detector": 2},
    )
    problems = check_plan(wrong, shared_plans[ROOT_DEFAULTS].plan)
    assert "expected 'SIX_HOURS', got 'FIFTEEN_MINUTES'" in problems[0]
    assert problems[1].startswith("planned but not in the inventory: ")
    assert problems[2] == "count of aws_guardduty_detector: expected 2, got 1"


@pytest.mark.xdist_group(SHARED_PLAN_GROUP)
def test_missing_marks_fail_when_present(shared_plans: dict[str, SharedPlan]) -> None:
    marked = Inventory(
        name="marked",
        module=".",
        values={
            "module.runtime_monitoring.aws_guardduty_detector.this[0]": {
                "finding_publishing_frequency": MISSING
            },
            "module.alerts.aws_sns_topic.this[0]": MISSING,
        },
    )
    problems = check_plan(marked, shared_plans[ROOT_DEFAULTS].plan)
    assert problems[:2] == [
        "module.runtime_monitoring.aws_guardduty_detector.this[0].finding_publishing_frequency: "
        "must be absent, got 'FIFTEEN_MINUTES'",
        "module.alerts.aws_sns_topic.this[0]: must not be planned",
    ]
