"""Each validation rule rejects its bad value at plan time, saying what is allowed.

Each case runs against the root module (the public interface) and the submodule that declares the
same input, so that both keep their rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import tftest

from guardduty_ecs.harness import Workbench

pytestmark = pytest.mark.plan

MODULES = [".", "modules/runtime-monitoring"]

# (case id, variables, a fragment of the expected error message)
BAD_INPUTS: list[tuple[str, dict[str, Any], str]] = [
    (
        "detector_id_format",
        {"create_detector": False, "detector_id": "ABC"},
        "detector_id must be 32 lowercase hexadecimal characters",
    ),
    (
        "detector_id_uppercase",
        {"create_detector": False, "detector_id": "A" * 32},
        "detector_id must be 32 lowercase hexadecimal characters",
    ),
    (
        "detector_id_missing_when_adopting",
        {"create_detector": False},
        "detector_id is required when create_detector is false",
    ),
    (
        "detector_id_given_when_creating",
        {"detector_id": "0" * 32},
        "detector_id is only used when create_detector is false",
    ),
    (
        "finding_publishing_frequency",
        {"finding_publishing_frequency": "HOURLY"},
        "finding_publishing_frequency must be one of FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS",
    ),
    (
        "agent_management_without_runtime_monitoring",
        {"runtime_monitoring": {"enabled": False}},
        "agent management (ecs_fargate_agent_management, ec2_agent_management, "
        "eks_addon_management) only works with Runtime Monitoring on",
    ),
    ("tags_reserved_prefix", {"tags": {"aws:owner": "x"}}, 'must not start with "aws:"'),
    ("tags_long_value", {"tags": {"Owner": "x" * 257}}, "values at most 256 characters"),
]


def _plain(text: str) -> str:
    """Terraform wraps and frames diagnostics; compare words only."""
    return re.sub(r"[\s│╷╵├─]+", " ", text).strip()


@pytest.mark.parametrize("module", MODULES)
@pytest.mark.parametrize(
    ("tf_vars", "message"),
    [pytest.param(tf_vars, message, id=case) for case, tf_vars, message in BAD_INPUTS],
)
def test_bad_input_fails_at_plan(
    workbench: Workbench, module: str, tf_vars: dict[str, Any], message: str
) -> None:
    with pytest.raises(tftest.TerraformTestError) as failure:
        workbench.stack(module, tf_vars).plan()
    output = _plain(" ".join(str(part) for part in failure.value.args))
    assert "Invalid value for variable" in output
    assert _plain(message) in output


@pytest.mark.parametrize("module", MODULES)
def test_valid_adoption_input_passes_validation(
    workbench: Workbench, aws_client: Callable[[str], Any], module: str
) -> None:
    """The adoption inputs that the rules above allow do plan (against an existing detector)."""
    guardduty = aws_client("guardduty")
    detector_id = guardduty.create_detector(Enable=True)["DetectorId"]
    try:
        plan = workbench.stack(
            module, {"create_detector": False, "detector_id": detector_id}
        ).plan()
        types = {
            change["type"]
            for change in plan.resource_changes.values()
            if change["mode"] == "managed"
        }
        assert types == {"aws_guardduty_detector_feature"}
    finally:
        guardduty.delete_detector(DetectorId=detector_id)
