"""The shared plan: every plan-layer case that should plan, from one Terraform plan.

A test module lists its cases in ``SHARED_PLAN_CASES`` (``guardduty_ecs_bench.inventory.PlanCase``);
its tests read their plan from ``shared_plans[name]`` and carry the xdist group
``SHARED_PLAN_GROUP``, so that one worker plans once for all of them. A plan costs about 4 s of
CPU before it plans anything (the provider's schema), so some forty cases in one plan save minutes
of CPU.
"""

from __future__ import annotations

import pytest

from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_bench.inventory import PlanCase, SharedPlan, plan_together, prepare_cases
from guardduty_ecs_emulator import EmulatorProcess

SHARED_PLAN_DIR = ".shared-plan"


def _collected_cases(session: pytest.Session) -> list[PlanCase]:
    """The SHARED_PLAN_CASES of every collected test module, in collection order."""
    cases: dict[str, PlanCase] = {}
    modules = dict.fromkeys(item.module for item in session.items if hasattr(item, "module"))
    for module in modules:
        for case in getattr(module, "SHARED_PLAN_CASES", []):
            if cases.setdefault(case.name, case) is not case:
                raise pytest.UsageError(f"two shared plan cases are named {case.name}")
    return list(cases.values())


@pytest.fixture(scope="session")
def shared_plans(
    request: pytest.FixtureRequest, workbench: Workbench, emulator: EmulatorProcess
) -> dict[str, SharedPlan]:
    """Every collected case's plan, from one plan of a root that calls each case's module, against
    an emulator that holds only what the cases prepared."""
    emulator.reset()
    cases = prepare_cases(workbench, _collected_cases(request.session))
    try:
        plans = plan_together(workbench, cases, SHARED_PLAN_DIR)
    finally:
        emulator.reset()
    return {case.name: SharedPlan(plans[case.name], case.tf_vars) for case in cases}
