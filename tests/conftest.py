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
from xdist.scheduler import LoadGroupScheduling

from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs_bench.harness import (
    AWS_BACKEND,
    EMULATOR_BACKEND,
    Backend,
    NoAccountError,
    Workbench,
    account_environment,
    selected_backend,
)
from guardduty_ecs_bench.provider_server import SERVERS
from guardduty_ecs_bench.repository import find_repository
from guardduty_ecs_bench.terraform import TerraformSettings, configure_terraform, stage_tree
from guardduty_ecs_emulator import EmulatorProcess, act_as
from guardduty_ecs_emulator.process import take_rejections


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


@pytest.fixture(scope="session", autouse=True)
def provider_servers() -> Iterator[None]:
    """Stop the running providers the session's Terraform commands shared
    (guardduty_ecs_bench.provider_server) when the session ends: a worker process may end without
    running its exit handlers."""
    yield
    SERVERS.close()


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


@pytest.fixture(scope="session")
def terraform_credentials_session(workbench: Workbench) -> boto3.Session:
    """One boto3 session per worker: a session loads each service's model once, and a new one
    per test would load them again (some 50 ms of CPU per client)."""
    return session_from_environment(workbench.environment)


@pytest.fixture
def aws_session(
    terraform_credentials_session: boto3.Session, clean_emulator: EmulatorProcess
) -> boto3.Session:
    """A boto3 session on an empty emulator, with the credentials Terraform uses."""
    return terraform_credentials_session


@pytest.fixture
def aws_client(aws_session: boto3.Session, clean_emulator: EmulatorProcess) -> Callable[[str], Any]:
    """boto3 clients of the empty emulator, by service name."""
    return lambda service: client(aws_session, service, clean_emulator.endpoint_url)


# The account of the emulator's test credentials: the organization's management account.
# The organization fixtures serve the apply layer and the emulator's own tests alike.
MANAGEMENT_ACCOUNT = "123456789012"


@pytest.fixture
def as_account(
    aws_session: boto3.Session, clean_emulator: EmulatorProcess
) -> Callable[[str, str], Any]:
    """A client of ``service`` that acts as ``account`` (moto's x-moto-account-id header)."""

    def make(service: str, account: str) -> Any:
        return act_as(client(aws_session, service, clean_emulator.endpoint_url), account)

    return make


@pytest.fixture
def organization(aws_client: Callable[[str], Any]) -> dict[str, str]:
    """An organization of the management account with two more accounts."""
    organizations = aws_client("organizations")
    assert organizations.describe_organization  # the caller is the management account
    organizations.create_organization(FeatureSet="ALL")
    for name in ("security", "workload"):
        organizations.create_account(AccountName=name, Email=f"{name}@example.com")
    accounts = {a["Name"]: a["Id"] for a in organizations.list_accounts()["Accounts"]}
    return {
        "management": MANAGEMENT_ACCOUNT,
        "security": accounts["security"],
        "workload": accounts["workload"],
    }


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "emulator_rejects: the test sends requests that the emulator refuses as AWS's request "
        "validation would, on purpose (any other test that causes one fails)",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Fail a test during which an emulator refused a request as AWS's validation would
    (emulator/request_validation.py), unless the test is marked ``emulator_rejects``: Terraform
    retries some errors and commands may swallow them, so the 400 alone could go unseen. Taken
    after the teardown, so that requests of fixtures finalized with this test count too."""
    result = yield
    rejected = take_rejections()
    if rejected and item.get_closest_marker("emulator_rejects") is None:
        lines = "\n".join(
            f"  {r['service']} {r['operation']} ({r['code']}): {r['message']}" for r in rejected
        )
        pytest.fail(f"the emulator refused requests as AWS would:\n{lines}", pytrace=False)
    return result


# The layers; their tests start last first: applies, the emulator's own tests, plans, static
# checks. The emulator layer never runs on a real account (make test-aws runs -m apply).
LAYERS = ("static", "plan", "emulator", "apply")
# Every apply test says whether it holds on a real account (make test-aws) or only here.
ACCOUNT_MARKERS = ("emulator_only", "runs_on_aws")


# Applies mostly wait, so they start first and the CPU-bound plan and static tests fill the gaps;
# the longest units (an xdist group, or a test file's tests) start before the others, so that
# none of them is left to run alone at the end. Durations: `pytest --durations`, 2 cores.
LONGEST_FIRST = (
    "test_multi_region.py",  # 75 s
    "vpc-endpoint",  # 60 s
    "bad-input-verdicts",  # 20 s, busy on CPU while the applies wait in the provider's waiters
    "test_examples.py",  # complete 85 s, the demo 65 s, minimal 45 s
    "alerts-defaults",  # 60 s
    "test_upgrade.py",  # 50 s
    "test_drill_and_verify.py",  # 40 s: two applies and the drill on the README's usage
    "test_organization.py",  # 55 s
    "end-to-end",  # 50 s
    "alerts-bring-your-own",  # 50 s: with chat, raw events and PagerDuty on the same rules
    "shared-plan",  # 40 s
    "test_terraform.py",  # checkov 45 s under load (15 s of CPU)
    "static-validate",  # 15 s
)


def _unit(item: pytest.Item) -> str:
    """What xdist's loadgroup hands to one worker: the item's xdist group, or its own file."""
    group = item.get_closest_marker("xdist_group")
    return str(group.args[0] if group and group.args else item.path.name)


def _start_order(item: pytest.Item) -> tuple[int, int]:
    unit = _unit(item)
    longest = LONGEST_FIRST.index(unit) if unit in LONGEST_FIRST else len(LONGEST_FIRST)
    layer = next((i for i, name in enumerate(reversed(LAYERS)) if item.get_closest_marker(name)), 0)
    return (longest, layer)


class LongestFirstScheduling(LoadGroupScheduling):
    """xdist's loadgroup, in the order collection put the units in (see _start_order), each
    worker holding at most one test beyond the one it runs.

    loadgroup would sort the units by their number of tests, which starts the many-test groups of
    quick cases first and leaves the long applies to the end, and would queue up to two tests
    beyond the running one on a worker while another worker waits idle. A worker runs a test only
    once it has the next one (for fixture teardown), so one queued test is the least.
    """

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        config.option.loadscopereorder = False
        super().__init__(config, log)

    def _reschedule(self, node: Any) -> None:
        if node.shutting_down:
            return
        if not self.workqueue:
            node.shutdown()
            return
        if self._pending_of(self.assigned_work[node]) <= 1:
            self._assign_work_unit(node)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """LongestFirstScheduling for ``--dist loadgroup`` (what `make test` uses)."""
    return LongestFirstScheduling(config, log) if config.getvalue("dist") == "loadgroup" else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test belongs to exactly one layer, so that `-m <layer>` runs cover the suite; every
    apply test is either emulator-only (with the reason) or runs on a real account too (the
    emulator's own tests are a layer of their own, and never run on one).

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
