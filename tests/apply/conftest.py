"""Fixtures for apply tests whose tests share one deployment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from guardduty_ecs.emulator import EmulatorProcess
from guardduty_ecs.harness import Workbench
from guardduty_ecs.terraform import TerraformSettings, stage_tree


@pytest.fixture(scope="module")
def private_workbench(
    tmp_path_factory: pytest.TempPathFactory, terraform_settings: TerraformSettings
) -> Iterator[Workbench]:
    """A staged tree and an emulator of its own, for one test module's shared deployment.

    Other tests reset the session's emulator; a deployment that lives across several tests must
    not be reset under them.
    """
    with EmulatorProcess(log_dir=tmp_path_factory.mktemp("private-emulator")) as emulator:
        root = stage_tree(tmp_path_factory.mktemp("private-tree"))
        environment = terraform_settings.environment(emulator.environment())
        yield Workbench(root, terraform_settings, environment)
