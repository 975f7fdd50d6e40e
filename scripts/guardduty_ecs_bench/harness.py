"""Plan, apply and tear down the project's Terraform against a backend, for tests and the demo."""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

import tftest
from botocore.exceptions import BotoCoreError

from guardduty_ecs.aws import session_from_environment
from guardduty_ecs_bench.provider_server import SERVERS, initialise
from guardduty_ecs_bench.terraform import (
    TerraformSettings,
    configure_terraform,
    stage_tree,
    terraform_test,
)
from guardduty_ecs_emulator import EmulatorProcess

TfVars = dict[str, Any]
# planned_change actions of `terraform plan -json` that change nothing in the account.
UNCHANGED_ACTIONS = frozenset({"noop", "read", "move"})
Result = TypeVar("Result")


def cli_variables(tf_vars: TfVars) -> dict[str, str]:
    """``-var`` values as Terraform parses them: JSON for everything but plain strings."""
    return {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in tf_vars.items()
    }


def changes_in_plan_log(log: str) -> list[str]:
    """``address: action`` of each planned_change message of a ``terraform plan -json`` log
    ("Machine-Readable UI": one JSON message per line; a planned_change's ``change`` has the
    ``resource.addr`` and an ``action`` of noop, create, read, update, replace, delete, move...).
    Reads of data sources and moves of unchanged resources change nothing in the account."""
    changes = []
    for line in log.splitlines():
        message = json.loads(line)
        if message.get("type") == "planned_change":
            change = message["change"]
            if change["action"] not in UNCHANGED_ACTIONS:
                changes.append(f"{change['resource']['addr']}: {change['action']}")
    return changes


# A data source's address: module path steps (`module.name` or `module.name[key]`), then `data.`.
_DATA_SOURCE_ADDRESS = re.compile(r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*data\.")


def managed_addresses(state_list: str) -> list[str]:
    """The managed resources' addresses in the output of ``terraform state list``, sorted."""
    addresses = (line.strip() for line in state_list.splitlines())
    return sorted(a for a in addresses if a and not _DATA_SOURCE_ADDRESS.match(a))


@dataclass
class Stack:
    """One Terraform root module in a staged working copy.

    With ``provider_binary`` set, every command runs against one running provider of the
    harness's (``guardduty_ecs_bench.provider_server``) instead of starting the provider per walk.
    """

    test: tftest.TerraformTest
    tf_vars: TfVars = field(default_factory=dict)
    provider_binary: Path | None = None

    def _handle(self, environment: dict[str, str]) -> tftest.TerraformTest:
        """A copy of the tftest handle that runs with ``environment``: the stack's own handle
        keeps its environment, whoever else uses it."""
        handle = copy.copy(self.test)
        handle.env = environment
        return handle

    @contextmanager
    def _terraform(self) -> Iterator[tftest.TerraformTest]:
        """The tftest handle, reattached to a leased provider for the commands run inside."""
        with SERVERS.environment(self.provider_binary, self.test.env) as environment:
            yield self._handle(environment)

    def init(self) -> None:
        """``terraform init``, and the decision whether a running provider serves the stack
        (``guardduty_ecs_bench.provider_server.initialise``)."""
        self.provider_binary = initialise(
            Path(self.test.tfdir),
            self.test.env,
            lambda environment: self._handle(environment).setup(cleanup_on_exit=False),
        )

    def plan(self) -> tftest.TerraformPlanOutput:
        with self._terraform() as test:
            return test.plan(output=True, tf_vars=cli_variables(self.tf_vars))

    def apply(self) -> None:
        with self._terraform() as test:
            test.apply(tf_vars=cli_variables(self.tf_vars))

    def outputs(self) -> dict[str, Any]:
        with self._terraform() as test:
            return dict(test.output())

    def pending_changes(self) -> list[str]:
        """Every resource change a new plan would make, as ``address: action``.

        Read from the plan's machine-readable log (``plan -json``), which names each change as it
        is planned: no saved plan to ``show``, so one Terraform command instead of two.
        """
        arguments = tftest.parse_args(input=False, color=False, tf_vars=cli_variables(self.tf_vars))
        with self._terraform() as test:
            return changes_in_plan_log(test.execute_command("plan", "-json", *arguments).out)

    def managed_resources(self) -> list[str]:
        """Addresses of the managed resources in the state (``terraform state list``, which
        reads the state alone: ``show -json`` would decode the provider's schema for it)."""
        with self._terraform() as test:
            return managed_addresses(test.execute_command("state", "list").out)

    def destroy(self) -> None:
        with self._terraform() as test:
            test.destroy(tf_vars=cli_variables(self.tf_vars))


@dataclass
class Workbench:
    """A staged copy of the Terraform tree and the environment that points it at a backend."""

    root: Path
    settings: TerraformSettings
    environment: dict[str, str]
    # Each initialised directory, and the provider binary that serves it (None: none does).
    _initialised: dict[Path, Path | None] = field(default_factory=dict)

    def stack(self, relative_dir: str, tf_vars: TfVars | None = None) -> Stack:
        """An initialised stack for ``relative_dir`` (``"."`` for the root module)."""
        directory = (self.root / relative_dir).resolve()
        stack = Stack(terraform_test(directory, self.environment), dict(tf_vars or {}))
        if directory in self._initialised:
            stack.provider_binary = self._initialised[directory]
        else:
            stack.init()
            self._initialised[directory] = stack.provider_binary
        return stack


def initialised_stack(directory: Path, environment: dict[str, str]) -> Stack:
    """A stack for a root module outside a workbench's tree, initialised."""
    stack = Stack(terraform_test(directory, environment))
    stack.init()
    return stack


BACKEND_VARIABLE = "GUARDDUTY_ECS_TEST_BACKEND"
EMULATOR_BACKEND, AWS_BACKEND = "emulator", "aws"


@dataclass(frozen=True)
class Backend:
    """What the account-capable tests run against: the emulator or a real account."""

    name: str
    environment: dict[str, str]
    endpoint_url: str | None
    emulator: EmulatorProcess | None = None


class NoAccountError(RuntimeError):
    """The real-account run was asked for, but no AWS credentials or region are set."""


def selected_backend(environment: Mapping[str, str] | None = None) -> str:
    """``emulator`` (the default) or ``aws``, from GUARDDUTY_ECS_TEST_BACKEND."""
    name = (environment if environment is not None else os.environ).get(
        BACKEND_VARIABLE, EMULATOR_BACKEND
    )
    if name not in (EMULATOR_BACKEND, AWS_BACKEND):
        raise ValueError(
            f"{BACKEND_VARIABLE} must be {EMULATOR_BACKEND} or {AWS_BACKEND}, not {name!r}"
        )
    return name


def account_environment(environment: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment for a real account: standard AWS variables, no emulator.

    Raises NoAccountError, naming what is missing, when boto3 finds no credentials or region.
    """
    account = {
        key: value
        for key, value in (environment if environment is not None else os.environ).items()
        if key != "AWS_ENDPOINT_URL"
    }
    try:
        session = session_from_environment(account)
        credentials = session.get_credentials()
    except BotoCoreError as error:  # an unknown profile, a broken config file
        raise NoAccountError(f"AWS credentials: {error}") from error
    if credentials is None:
        raise NoAccountError(
            "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if not session.region_name:
        raise NoAccountError("no AWS region: set AWS_REGION")
    account["AWS_REGION"] = session.region_name
    return account


@contextmanager
def emulated_workbench(
    repo: Path, work_dir: Path | None = None
) -> Iterator[tuple[Workbench, EmulatorProcess]]:
    """Start the emulator and stage the Terraform tree for it; stop the emulator afterwards."""
    with tempfile.TemporaryDirectory(prefix="guardduty-ecs-") as temporary:
        base = work_dir or Path(temporary)
        settings = configure_terraform(base / "terraform")
        root = stage_tree(base / "tree", repo)
        with EmulatorProcess(log_dir=base / "logs") as emulator:
            environment = settings.environment(emulator.environment())
            yield Workbench(root, settings, environment), emulator


def timed(
    action: Callable[[], Result],
    progress: TextIO | None = None,
    label: str = "",
    every: float | None = None,
) -> tuple[Result, float]:
    """Run ``action``; return its result and how long it took, in seconds.

    With ``progress``, a long step shows that it is still running: the elapsed time every few
    seconds, on one line when ``progress`` is a terminal.
    """
    started = time.perf_counter()
    done = threading.Event()

    terminal = progress is not None and progress.isatty()
    interval = every or (1 if terminal else 10)

    def tick() -> None:
        while not done.wait(interval):
            line = f"   {label}: {time.perf_counter() - started:.0f}s"
            progress.write(f"{line}\r" if terminal else f"{line}\n")  # type: ignore[union-attr]
            progress.flush()  # type: ignore[union-attr]

    ticker = threading.Thread(target=tick, daemon=True) if progress is not None else None
    if ticker:
        ticker.start()
    try:
        result = action()
    finally:
        done.set()
        if ticker:
            ticker.join()
            if terminal:  # leave no half-overwritten tick behind on the terminal line
                progress.write("\r" + " " * 60 + "\r")  # type: ignore[union-attr]
    return result, time.perf_counter() - started
