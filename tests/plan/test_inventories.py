"""Plan each module and example with the variables of an inventory and compare the plan to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardduty_ecs_bench.inventory import (
    MISSING,
    REGENERATE,
    SHARED_PLAN_GROUP,
    Inventory,
    PlanCase,
    SharedPlan,
    check_plan,
    configured_values,
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


@pytest.mark.xdist_group(SHARED_PLAN_GROUP)
def test_detector_features_form_one_chain(shared_plans: dict[str, SharedPlan]) -> None:
    """Each aws_guardduty_detector_feature sends its own UpdateDetector, and Terraform runs
    independent resources at once; the provider locks the organization and member equivalents
    because "concurrent updates trample on each other" (organization_configuration_feature.go),
    not this one. So every feature but the first waits for exactly one other, and the waits form
    a single chain through all of them: one request at a time, in create and destroy alike."""
    configuration = shared_plans["runtime_monitoring_module"].plan.configuration["root_module"]
    waits = {
        resource["address"]: [
            dependency
            for dependency in resource.get("depends_on", [])
            if dependency.startswith("aws_guardduty_detector_feature.")
        ]
        for resource in configuration["resources"]
        if resource["type"] == "aws_guardduty_detector_feature"
    }
    assert len(waits) == 6, waits
    (first,) = [address for address, after in waits.items() if not after]
    chain = [first]
    followers = {after[0]: address for address, after in waits.items() if after}
    assert all(len(after) <= 1 for after in waits.values()), waits
    while chain[-1] in followers:
        chain.append(followers[chain[-1]])
    assert sorted(chain) == sorted(waits), f"not one chain: {waits}"
    assert first == "aws_guardduty_detector_feature.runtime_monitoring"


@pytest.mark.xdist_group(SHARED_PLAN_GROUP)
def test_inventories_hold_what_the_module_sets(
    shared_plans: dict[str, SharedPlan], repo_root: Path
) -> None:
    """An inventory keeps the values the module's HCL sets (from an input, a default or a
    constant), dynamic blocks included, and leaves out what the provider computes or defaults."""
    values = configured_values(shared_plans[ROOT_DEFAULTS].plan, repo_root)
    feature = values[
        "module.runtime_monitoring.aws_guardduty_detector_feature.runtime_monitoring[0]"
    ]
    assert feature["additional_configuration"][1] == {
        "name": "ECS_FARGATE_AGENT_MANAGEMENT",
        "status": "ENABLED",
    }
    rule = values["module.alerts.aws_cloudwatch_event_rule.coverage[0]"]
    assert '"source":["aws.guardduty"]' in rule["event_pattern"]
    # Provider defaults and computed values the module does not set.
    assert not {"tags_all", "force_destroy", "event_bus_name", "arn"} & set(rule)
    detector = values["module.runtime_monitoring.aws_guardduty_detector.this[0]"]
    assert detector == {"enable": True, "finding_publishing_frequency": "FIFTEEN_MINUTES"}


@pytest.mark.xdist_group(SHARED_PLAN_GROUP)
def test_members_are_created_after_every_auto_enable_setting(
    shared_plans: dict[str, SharedPlan],
) -> None:
    """CreateMembers applies "your organization's auto-enable settings to the member accounts in
    this request" (GuardDuty API reference): created before the features' settings, a listed
    member started without Runtime Monitoring and waited for ALL to reach existing members."""
    configuration = shared_plans["organization_module_members"].plan.configuration["root_module"]
    (member,) = [
        resource
        for resource in configuration["resources"]
        if resource["address"] == "aws_guardduty_member.this"
    ]
    assert {
        "aws_guardduty_organization_configuration.this",
        "aws_guardduty_organization_configuration_feature.runtime_monitoring",
        "aws_guardduty_organization_configuration_feature.protection_plan",
    } <= set(member.get("depends_on", []))
