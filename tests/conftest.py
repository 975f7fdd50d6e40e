"""Fixtures that own the emulator, the Terraform CLI config and the staged working copies.

Each pytest process (each xdist worker) gets one emulator and one staged copy of the Terraform
tree for the session; tests that create AWS resources start from an empty emulator.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs.emulator import EmulatorProcess
from guardduty_ecs.harness import (
    AWS_BACKEND,
    EMULATOR_BACKEND,
    Backend,
    NoAccountError,
    Workbench,
    account_environment,
    selected_backend,
)
from guardduty_ecs.repository import find_repository
from guardduty_ecs.terraform import TerraformSettings, configure_terraform, stage_tree


@pytest.fixture(scope="session")
def repo_root(request: pytest.FixtureRequest) -> Path:
    """The checkout under test (the pytest root directory), found as the CLI finds it."""
    return find_repository(cwd=Path(str(request.config.rootpath)))


@pytest.fixture(scope="session")
def teardown_script(repo_root: Path) -> ModuleType:
    """The ecs-fargate example's destroy-time script, imported from the checkout. It makes its
    boto3 client when called, so the AWS_* environment of that moment is the one it uses."""
    path = repo_root / "examples" / "ecs-fargate" / "remove_guardduty_endpoint.py"
    spec = importlib.util.spec_from_file_location("remove_guardduty_endpoint", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def terraform_settings(tmp_path_factory: pytest.TempPathFactory) -> TerraformSettings:
    return configure_terraform(tmp_path_factory.mktemp("terraform"))


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    with EmulatorProcess(log_dir=tmp_path_factory.mktemp("emulator")) as process:
        yield process


@pytest.fixture(scope="session")
def offline_workbench(
    tmp_path_factory: pytest.TempPathFactory,
    terraform_settings: TerraformSettings,
    repo_root: Path,
) -> Workbench:
    """A staged copy of the modules and examples for commands that call no AWS API."""
    root = stage_tree(tmp_path_factory.mktemp("offline-tree"), repo_root)
    return Workbench(root, terraform_settings, terraform_settings.environment())


@pytest.fixture(scope="session")
def workbench(
    tmp_path_factory: pytest.TempPathFactory,
    terraform_settings: TerraformSettings,
    emulator: EmulatorProcess,
    repo_root: Path,
) -> Workbench:
    """A staged copy of the modules and examples, pointed at the session's emulator."""
    root = stage_tree(tmp_path_factory.mktemp("tree"), repo_root)
    environment = terraform_settings.environment(emulator.environment())
    return Workbench(root, terraform_settings, environment)


@pytest.fixture
def clean_emulator(emulator: EmulatorProcess) -> EmulatorProcess:
    """The session's emulator, emptied before the test."""
    emulator.reset()
    return emulator


@pytest.fixture
def aws_session(workbench: Workbench, clean_emulator: EmulatorProcess) -> boto3.Session:
    """A boto3 session on an empty emulator, with the credentials Terraform uses."""
    return session_from_environment(workbench.environment)


@pytest.fixture
def aws_client(aws_session: boto3.Session, clean_emulator: EmulatorProcess) -> Callable[[str], Any]:
    """boto3 clients of the empty emulator, by service name."""
    return lambda service: client(aws_session, service, clean_emulator.endpoint_url)


LAYERS = ("static", "plan", "apply")
# Every apply test says whether it holds on a real account (make test-aws) or only here.
ACCOUNT_MARKERS = ("emulator_only", "runs_on_aws")


# Applies mostly wait, so they start first and the CPU-bound plan and static tests fill the gaps;
# the longest applies start before the others, so that none of them is left to run alone at the end.
LONGEST_FIRST = (
    "test_multi_region.py",
    "test_examples.py",
    "test_organization.py",
    "test_upgrade.py",
)


def _start_order(item: pytest.Item) -> tuple[int, int]:
    name = item.path.name
    longest = LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
    return (0 if item.get_closest_marker("apply") else 1, longest)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test belongs to exactly one layer, so that `-m <layer>` runs cover the suite; every
    apply test is either emulator-only (with the reason) or runs on a real account too.

    With GUARDDUTY_ECS_TEST_BACKEND=aws only the apply tests that run on AWS run; the others are
    skipped with their reason.
    """
    items.sort(key=_start_order)
    on_aws = selected_backend() == AWS_BACKEND
    for item in items:
        layers = [name for name in LAYERS if item.get_closest_marker(name)]
        if len(layers) != 1:
            raise pytest.UsageError(f"{item.nodeid} must carry one layer marker of {LAYERS}")
        if layers == ["apply"]:
            kinds = [name for name in ACCOUNT_MARKERS if item.get_closest_marker(name)]
            if len(kinds) != 1:
                raise pytest.UsageError(
                    f"{item.nodeid} must carry one of {ACCOUNT_MARKERS}: does it hold on AWS?"
                )
        if not on_aws:
            continue
        only_here = item.get_closest_marker("emulator_only")
        if layers != ["apply"]:
            item.add_marker(pytest.mark.skip(reason="the real-account run is the apply layer"))
        elif only_here:
            reason = only_here.kwargs.get("reason") or (only_here.args or ["?"])[0]
            item.add_marker(pytest.mark.skip(reason=f"emulator only: {reason}"))


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """Where the account-capable tests run: a private emulator, or the account of the standard
    AWS variables when GUARDDUTY_ECS_TEST_BACKEND=aws (skipped, with the reason, without them)."""
    if selected_backend() == AWS_BACKEND:
        try:
            environment = account_environment()
        except NoAccountError as missing:
            pytest.skip(f"real-account run: {missing}")
        yield Backend(AWS_BACKEND, environment, None)
        return
    with EmulatorProcess(log_dir=tmp_path_factory.mktemp("backend-emulator")) as process:
        yield Backend(EMULATOR_BACKEND, process.environment(), process.endpoint_url, process)
