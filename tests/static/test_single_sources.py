"""Facts that several files must state alike are held equal here: the agent management order,
the protection plans and their input names, and the severity bands. Each copy is a reading of
its own (HCL cannot import, and the emulator reads AWS, not the modules), so a test, not a shared
constant, keeps them one fact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guardduty_ecs import events
from guardduty_ecs_emulator.services.guardduty import finding_types
from guardduty_ecs_emulator.services.guardduty.features import (
    ADDITIONAL_CONFIGURATION_ORDER,
    FEATURE_ORDER,
)

pytestmark = pytest.mark.static

AGENT_MANAGEMENT = ("EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT")
# Protection plan feature name -> the input attribute that sets it.
PROTECTION_PLANS = {
    "S3_DATA_EVENTS": "s3_data_events",
    "EKS_AUDIT_LOGS": "eks_audit_logs",
    "EBS_MALWARE_PROTECTION": "ebs_malware_protection",
    "RDS_LOGIN_EVENTS": "rds_login_events",
    "LAMBDA_NETWORK_LOGS": "lambda_network_logs",
}


def _text(repo_root: Path, path: str) -> str:
    return (repo_root / path).read_text()


def _agent_management_lists(text: str) -> list[list[str]]:
    """Every HCL list that names agent management options, in its order."""
    lists = re.findall(r"\[\s*(\{ name = \"\w+_MANAGEMENT\".*?)\]", text, re.DOTALL)
    return [re.findall(r'name = "(\w+)"', body) for body in lists]


@pytest.mark.parametrize(
    "path", ["modules/runtime-monitoring/main.tf", "modules/organization/main.tf"]
)
def test_agent_management_is_sent_in_getdetectors_order(repo_root: Path, path: str) -> None:
    lists = _agent_management_lists(_text(repo_root, path))
    assert lists, f"{path} names no agent management list"
    emulator_order = [name for name in ADDITIONAL_CONFIGURATION_ORDER if name in AGENT_MANAGEMENT]
    for names in lists:
        assert names == list(AGENT_MANAGEMENT) == emulator_order


@pytest.mark.parametrize(
    "path", ["modules/runtime-monitoring/main.tf", "modules/organization/main.tf"]
)
def test_protection_plans_are_the_same_five_with_the_same_inputs(
    repo_root: Path, path: str
) -> None:
    body = re.search(r"protection_plans = \{(.*?)\}", _text(repo_root, path), re.DOTALL)
    assert body, f"{path} has no local.protection_plans"
    mapped = dict(re.findall(r"(\w+)\s*=\s*var\.protection_plans\.(\w+)", body.group(1)))
    assert mapped == PROTECTION_PLANS
    assert set(PROTECTION_PLANS) <= set(FEATURE_ORDER), "the emulator orders every plan"


@pytest.mark.parametrize(
    "path",
    [
        "variables.tf",
        "modules/runtime-monitoring/variables.tf",
        "modules/organization/variables.tf",
    ],
)
def test_protection_plan_inputs_are_the_same_names(repo_root: Path, path: str) -> None:
    block = re.search(
        r'variable "protection_plans" \{(.*?)^\}', _text(repo_root, path), re.M | re.S
    )
    assert block
    assert set(re.findall(r"^\s+(\w+)\s*=\s*optional", block.group(1), re.M)) == set(
        PROTECTION_PLANS.values()
    )


def test_severity_bands_are_stated_alike(repo_root: Path) -> None:
    """The alerts' rules split severity where GuardDuty's bands split it, and every description
    that names the bands gives the same bounds (user guide, "Severity levels of GuardDuty
    findings": Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0)."""
    bands = re.findall(
        r'(\w+)\s*=\s*\{ name = "(\w+)", from = (\d+), upper_operator = "(<=?)", to = (\d+)[ ,]',
        _text(repo_root, "modules/alerts/main.tf"),
    )
    bounds = {name: (int(low), int(high)) for _, name, low, _, high in bands}
    assert bounds == {"Low": (1, 4), "Medium": (4, 7), "High": (7, 9), "Critical": (9, 10)}
    stated = {"Low": "1.0-3.9", "Medium": "4.0-6.9", "High": "7.0-8.9", "Critical": "9.0-10.0"}
    description = _text(repo_root, "modules/alerts/variables.tf")
    for name, span in stated.items():
        assert f"{name} {span}" in description
    root = _text(repo_root, "variables.tf")
    for name, span in stated.items():
        assert f"{name} {span.replace('.0-', '-').replace('-10.0', '-10')}" in root, name


def test_the_finding_types_the_drill_knows_are_the_ones_the_emulator_samples() -> None:
    """The product's names (``guardduty_ecs.events``, which the drill checks --finding-type
    against) and the emulator's tables (severities and titles) list the same types, in order."""
    assert events.RUNTIME_FINDING_TYPES == finding_types.RUNTIME_FINDING_TYPES
    assert events.ATTACK_SEQUENCE_FINDING_TYPES == finding_types.ATTACK_SEQUENCE_FINDING_TYPES
