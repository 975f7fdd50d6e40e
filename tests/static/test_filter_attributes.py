"""The module's plan-time list of filter attributes and the emulator's list are read separately
(the module's from the API reference, the emulator's from botocore's model); they must agree, or
a plan would pass that the emulator, standing in for AWS, refuses, or the reverse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guardduty_ecs_emulator.services.guardduty.detection_controls.filters import filter_attributes

pytestmark = pytest.mark.static


def test_module_and_emulator_accept_the_same_filter_attributes(repo_root: Path) -> None:
    main = (repo_root / "modules" / "detection-controls" / "main.tf").read_text()
    block = re.search(r"filter_attributes = \[(.*?)\]", main, re.DOTALL)
    assert block, "local.filter_attributes not found"
    module = set(re.findall(r'"([A-Za-z0-9.]+)"', block.group(1)))
    assert module == set(filter_attributes())
