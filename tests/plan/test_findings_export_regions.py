"""The findings export names GuardDuty's Regional service principal in an opt-in Region and the
global one elsewhere (user guide, "Exporting findings": "If you're using GuardDuty in an
manually-enabled Region, replace the value for the "Service" with the Regional endpoint for that
Region"). The module's own Terraform test judges it with a mocked provider
(modules/findings-export/tests/regions.tftest.hcl), since the plans of this layer all run in one
Region."""

from __future__ import annotations

import pytest

from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_bench.validation import module_tests

pytestmark = pytest.mark.plan


def test_findings_export_principal_follows_the_region(offline_workbench: Workbench) -> None:
    messages = module_tests(
        offline_workbench.root / "modules" / "findings-export", offline_workbench.environment
    )
    runs = {
        message["test_run"]["run"]: message["test_run"]["status"]
        for message in messages
        if message.get("type") == "test_run" and message["test_run"].get("progress") == "complete"
    }
    failures = [message["@message"] for message in messages if message.get("@level") == "error"]
    assert runs == {
        "opt_in_region_policies_name_the_regional_principal": "pass",
        "default_region_policies_name_the_global_principal": "pass",
    }, failures
