"""The HCL usage examples of the READMEs plan as written (only their module source is local)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import tftest

from guardduty_ecs_bench.inventory import SHARED_PLAN_GROUP, PlanCase, SharedPlan, planned_resources
from guardduty_ecs_bench.validation import module_source, readme_usage_blocks, with_module_source

pytestmark = pytest.mark.plan

REPO = Path(__file__).resolve().parents[2]
PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n}\n'


def _assert_runtime_monitoring_planned(plan: tftest.TerraformPlanOutput) -> None:
    """The example turns on Runtime Monitoring with the managed Fargate agent."""
    features = [
        values
        for values in planned_resources(plan).values()
        if values.get("name") == "RUNTIME_MONITORING"
    ]
    assert len(features) == 1
    assert {"name": "ECS_FARGATE_AGENT_MANAGEMENT", "status": "ENABLED"} in (
        features[0]["additional_configuration"]
    )


def _assert_alerts_planned(plan: tftest.TerraformPlanOutput) -> None:
    """The example creates findings rules and the topic they send to."""
    planned = [
        (change["type"], change["name"])
        for change in plan.resource_changes.values()
        if change["mode"] == "managed" and change["change"]["actions"] == ["create"]
    ]
    assert ("aws_cloudwatch_event_rule", "findings") in planned
    assert planned.count(("aws_sns_topic", "this")) == 1


def _assert_guardduty_data_endpoint_planned(plan: tftest.TerraformPlanOutput) -> None:
    """The example creates the guardduty-data interface endpoint with private DNS."""
    endpoints = [
        values
        for values in planned_resources(plan).values()
        if values.get("service_name") == "com.amazonaws.us-east-1.guardduty-data"
    ]
    assert len(endpoints) == 1
    assert endpoints[0]["vpc_endpoint_type"] == "Interface"
    assert endpoints[0]["private_dns_enabled"] is True


# README -> (module its usage blocks call, what their plan must contain)
READMES: dict[str, tuple[str, Callable[[tftest.TerraformPlanOutput], None]]] = {
    "README.md": (".", _assert_runtime_monitoring_planned),
    "modules/runtime-monitoring/README.md": (
        "modules/runtime-monitoring",
        _assert_runtime_monitoring_planned,
    ),
    "modules/alerts/README.md": ("modules/alerts", _assert_alerts_planned),
    "modules/vpc-endpoint/README.md": (
        "modules/vpc-endpoint",
        _assert_guardduty_data_endpoint_planned,
    ),
}
# Each block is a module of its own under EXAMPLES_DIR, its source pointed at the module in the
# tree, and planned in the shared plan (tests/plan/conftest.py).
EXAMPLES_DIR = "readme-examples"


def _case(readme: str, index: int, block: str) -> PlanCase:
    module, _ = READMES[readme]
    directory = f"{Path(readme).parent.name or 'root'}-{index}"
    # One folder deeper than the generated roots that module_source serves.
    source = f"../{module_source(module)}"
    return PlanCase(
        name=f"readme_{directory.replace('-', '_')}",
        module=f"{EXAMPLES_DIR}/{directory}",
        files={"main.tf": PROVIDER + with_module_source(block, source)},
    )


BLOCKS = [
    (readme, index, block)
    for readme in READMES
    for index, block in enumerate(readme_usage_blocks(REPO / readme))
]
SHARED_PLAN_CASES = [_case(readme, index, block) for readme, index, block in BLOCKS]
CASES = [
    pytest.param(readme, case.name, id=f"{readme}#{index}")
    for (readme, index, _), case in zip(BLOCKS, SHARED_PLAN_CASES, strict=True)
]


def test_readmes_have_usage_examples() -> None:
    assert {case.values[0] for case in CASES} == set(READMES)


@pytest.mark.xdist_group(SHARED_PLAN_GROUP)
@pytest.mark.parametrize(("readme", "case"), CASES)
def test_readme_usage_plans(shared_plans: dict[str, SharedPlan], readme: str, case: str) -> None:
    _, assert_planned = READMES[readme]
    assert_planned(shared_plans[case].plan)
