"""When the harness serves Terraform's commands from one running provider, and that it does.

The rules (guardduty_ecs_bench.provider_server): one ``provider "aws"`` configuration at most,
counted over the root module and every module call; the emulator's loopback HTTP endpoint only;
one command at a time per server; GUARDDUTY_ECS_SHARE_PROVIDER=0 turns it off.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from guardduty_ecs_bench import provider_server
from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_bench.provider_server import (
    ProviderServers,
    aws_provider_blocks,
    installed_provider,
    may_share,
    remembered_provider,
    sharing_allowed,
    unconfigured_provider,
)
from guardduty_ecs_bench.terraform import stage_tree

pytestmark = pytest.mark.static


def _root(tmp_path: Path, files: dict[str, str], calls: dict[str, str] | None = None) -> Path:
    """A root module in ``tmp_path`` with ``files`` (relative paths), and a module manifest as
    ``terraform init`` writes it for ``calls`` (call key: folder)."""
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    manifest = tmp_path / ".terraform" / "modules" / "modules.json"
    manifest.parent.mkdir(parents=True)
    modules = [{"Key": "", "Source": "", "Dir": "."}]
    modules += [{"Key": key, "Source": f"./{d}", "Dir": d} for key, d in (calls or {}).items()]
    manifest.write_text(json.dumps({"Modules": modules}))
    return tmp_path


def test_finds_the_provider_blocks_of_the_root_and_of_each_module_call(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        {
            "main.tf": 'provider "aws" {\n  region = "us-east-1"\n  default_tags {\n  }\n}\n',
            # A legacy module with its own provider block, called twice: two configurations.
            "legacy/main.tf": "provider aws {\n}\n",
            "plain/main.tf": 'resource "aws_sns_topic" "this" {}\n',
        },
        {"first": "legacy", "second": "legacy", "plain": "plain"},
    )
    assert aws_provider_blocks(root) == {
        "": ['provider "aws" {\n  region = "us-east-1"\n  default_tags {\n  }\n}'],
        "first": ["provider aws {\n}"],
        "second": ["provider aws {\n}"],
        "plain": [],
    }
    assert not may_share(root)


@pytest.mark.parametrize(
    ("files", "calls", "shared"),
    [
        ({"main.tf": "# nothing\n"}, {}, True),  # the implied default configuration only
        ({"main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n'}, {}, True),
        # An aliased block leaves the implied default configuration beside it.
        ({"main.tf": 'provider "aws" {\n  alias  = "eu"\n  region = "eu-west-1"\n}\n'}, {}, False),
        # A called module's block is a configuration beside the root's implied default.
        ({"main.tf": "# calls only\n", "m/main.tf": "provider aws {\n}\n"}, {"m": "m"}, False),
        ({"main.tf.json": '{"provider": {}}'}, {}, False),  # JSON syntax is not read
    ],
)
def test_shared_only_with_one_provider_configuration(
    tmp_path: Path, files: dict[str, str], calls: dict[str, str], shared: bool
) -> None:
    assert may_share(_root(tmp_path, files, calls)) is shared


@pytest.mark.parametrize(
    ("environment", "allowed"),
    [
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}, True),
        ({"AWS_ENDPOINT_URL": "http://localhost:5000"}, True),
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "GUARDDUTY_ECS_SHARE_PROVIDER": "0"}, False),
        ({"AWS_ENDPOINT_URL": "https://127.0.0.1:5000"}, False),
        ({"AWS_ENDPOINT_URL": "http://10.0.0.8:5000"}, False),
        ({}, False),  # a real account: the provider starts as a user's Terraform starts it
        # A provider being debugged: the caller's reattachment goes to Terraform unchanged.
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "TF_REATTACH_PROVIDERS": "{}"}, False),
    ],
)
def test_sharing_only_against_the_emulator(environment: dict[str, str], allowed: bool) -> None:
    assert sharing_allowed(environment) is allowed


def test_examples_with_several_provider_configurations_start_their_own(
    offline_workbench: Workbench, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first init installs the provider; later ones reattach and install the modules only,
    unless the root turns out to need a provider per configuration (then it is installed)."""
    # An emulator's address (init calls no AWS API, so nothing needs to listen there).
    environment = {**offline_workbench.environment, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    monkeypatch.setattr(provider_server, "_INSTALLED", {})  # as in a new process
    root = stage_tree(tmp_path, repo_root)
    workbench = Workbench(root, offline_workbench.settings, environment)
    stacks = {
        example: workbench.stack(f"examples/{example}")
        for example in ("minimal", "complete", "multi-region", "organization")
    }
    served = {example: stack.provider_binary is not None for example, stack in stacks.items()}
    assert served == {
        "minimal": True,
        "complete": True,
        "multi-region": False,
        "organization": False,
    }
    installed = {
        example: installed_provider(Path(stack.test.tfdir)) is not None
        for example, stack in stacks.items()
    }
    assert remembered_provider(environment) == stacks["minimal"].provider_binary
    assert installed["minimal"] is True  # the process's first init installs the provider
    assert installed["complete"] is False  # reattached at init: nothing to install
    assert installed["multi-region"] is installed["organization"] is True


@pytest.fixture(scope="module")
def provider_binary(offline_workbench: Workbench) -> Path:
    """The provider binary, installed by an init of a module of the offline tree."""
    directory = offline_workbench.root / "modules" / "alerts"
    subprocess.run(
        ["terraform", "init", "-backend=false", "-input=false"],
        cwd=directory,
        env=offline_workbench.environment,
        capture_output=True,
        check=True,
    )
    binary = installed_provider(directory)
    assert binary is not None
    assert unconfigured_provider(directory, offline_workbench.environment) == binary
    return binary


def _pid(reattach: str) -> int:
    return int(next(iter(json.loads(reattach).values()))["Pid"])


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_lease_is_exclusive_and_an_idle_server_is_reused(
    provider_binary: Path, offline_workbench: Workbench
) -> None:
    servers = ProviderServers(keep_idle=1)
    environment = offline_workbench.environment
    try:
        # A second command while the first runs must not configure the same process.
        with (
            servers.lease(provider_binary, environment) as first,
            servers.lease(provider_binary, environment) as second,
        ):
            assert _pid(second) != _pid(first)
        # Both went back; one idle server is kept, the other stopped.
        assert [_running(_pid(first)), _running(_pid(second))].count(True) == 1
        # The inner lease went back first and stays; the outer one found its place taken.
        assert _running(_pid(second))
        with servers.lease(provider_binary, environment) as again:
            assert again == second
        with servers.lease(provider_binary, {**environment, "AWS_REGION": "eu-west-1"}) as other:
            # Another environment is another server: the provider reads its own environment.
            assert _pid(other) not in (_pid(first), _pid(second))
        # Two idle servers now, one more than kept: the one idle longest stopped.
        assert not _running(_pid(again))
        assert _running(_pid(other))
    finally:
        servers.close()
    assert not any(_running(_pid(r)) for r in (first, second, other))


def test_terraform_uses_the_leased_server_instead_of_starting_the_provider(
    provider_binary: Path, offline_workbench: Workbench
) -> None:
    servers = ProviderServers()
    directory = offline_workbench.root / "modules" / "alerts"
    try:
        with servers.environment(provider_binary, offline_workbench.environment) as environment:
            validate = subprocess.run(
                ["terraform", "validate", "-no-color"],
                cwd=directory,
                env={**environment, "TF_LOG": "debug"},
                capture_output=True,
                text=True,
                check=False,
            )
    finally:
        servers.close()
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert 'hashicorp/aws is overridden as an "unmanaged provider"' in validate.stderr
    assert "plugin started" not in validate.stderr


def _lease_whose_server_dies(
    servers: ProviderServers, binary: Path, environment: dict[str, str], leased: list[str]
) -> None:
    """A command whose provider server is killed under it, failing as Terraform would."""
    with servers.lease(binary, environment) as reattach:
        leased.append(reattach)
        os.kill(_pid(reattach), signal.SIGKILL)
        time.sleep(0.5)  # for the kill to land
        raise RuntimeError("Plugin did not respond")


def test_a_server_that_died_is_replaced_and_named_in_the_failure(
    provider_binary: Path, offline_workbench: Workbench
) -> None:
    servers = ProviderServers()
    environment = offline_workbench.environment
    leased: list[str] = []
    try:
        with (
            pytest.warns(UserWarning, match="exited with code -9"),
            pytest.raises(RuntimeError) as failure,
        ):
            _lease_whose_server_dies(servers, provider_binary, environment, leased)
        assert "the shared aws provider exited with code -9" in "\n".join(failure.value.__notes__)
        with servers.lease(provider_binary, environment) as replacement:
            assert _pid(replacement) != _pid(leased[0])
            assert _running(_pid(replacement))
    finally:
        servers.close()


def test_turned_off_there_is_nothing_to_reattach(provider_binary: Path) -> None:
    off = {"GUARDDUTY_ECS_SHARE_PROVIDER": "0", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    assert remembered_provider(off) is None
    assert unconfigured_provider(provider_binary.parent, off) is None
