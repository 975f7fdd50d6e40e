"""Plan each module and example with the variables of an inventory and compare the plan to it."""

from __future__ import annotations

from pathlib import Path

import pytest
import tftest

from guardduty_ecs.harness import Workbench
from guardduty_ecs.inventory import MISSING, REGENERATE, Inventory, check_plan, plan_together

INVENTORIES = sorted((Path(__file__).parent / "inventories").glob("*.yaml"))

pytestmark = pytest.mark.plan


@pytest.fixture(scope="session")
def inventory_plans(workbench: Workbench) -> dict[str, tftest.TerraformPlanOutput]:
    """Every inventory's plan, from one plan that calls each case's module (see
    ``plan_together``)."""
    return plan_together(workbench, [Inventory.load(path) for path in INVENTORIES])


# One worker plans every case at once; spread over workers, each would plan them all.
@pytest.mark.xdist_group("inventory-plans")
@pytest.mark.parametrize("inventory_path", INVENTORIES, ids=[path.stem for path in INVENTORIES])
def test_plan_matches_inventory(
    inventory_plans: dict[str, tftest.TerraformPlanOutput], inventory_path: Path
) -> None:
    inventory = Inventory.load(inventory_path)
    assert check_plan(inventory, inventory_plans[inventory.name]) == [], REGENERATE


def test_every_example_has_an_inventory(repo_root: Path) -> None:
    planned = {Inventory.load(path).module for path in INVENTORIES}
    examples = {f"examples/{path.name}" for path in (repo_root / "examples").iterdir()}
    assert examples <= planned


def test_inventory_check_reports_a_mismatch(workbench: Workbench) -> None:
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
    problems = check_plan(wrong, workbench.stack(".").plan())
    assert "expected 'SIX_HOURS', got 'FIFTEEN_MINUTES'" in problems[0]
    assert problems[1].startswith("planned but not in the inventory: ")
    assert problems[2] == "count of aws_guardduty_detector: expected 2, got 1"


def test_missing_marks_fail_when_present(workbench: Workbench) -> None:
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
    problems = check_plan(marked, workbench.stack(".").plan())
    assert problems[:2] == [
        "module.runtime_monitoring.aws_guardduty_detector.this[0].finding_publishing_frequency: "
        "must be absent, got 'FIFTEEN_MINUTES'",
        "module.alerts.aws_sns_topic.this[0]: must not be planned",
    ]
