"""One running aws provider for the harness's Terraform commands against the emulator.

Terraform starts the provider plugin anew for each walk of each command: three times for a plan,
four for an apply, five for a destroy (count "plugin started" in ``TF_LOG=debug``). Each start
costs about 0.7 s of CPU while the provider builds its schema of some 1,500 resources. Against the
emulator, init, plan, apply, re-plan and destroy of examples/minimal took 20.4 s of CPU that way,
and 9.3 s with one provider started beforehand and reattached (Terraform 1.11, provider 5.100.0).

The reattachment is Terraform's own mechanism for provider developers ("Debugging providers":
the provider started with ``-debug`` prints a ``TF_REATTACH_PROVIDERS`` value, and Terraform
given it uses that process instead of starting one). Its one limit decides where the harness uses
it: "there is a single reattachment address for all provider instances with the same provider
address ... the process will receive the multiple, but differing ConfigureProvider RPCs"
(hashicorp/terraform-plugin-framework#490). So a server is used only

* for a configuration with one aws provider configuration: no ``provider "aws"`` block in the
  root module or any module it calls, or a single one, in the root and without ``alias`` (the
  multi-region and organization examples start theirs as usual);
* by one command at a time, and for one environment: the provider reads credentials, region and
  endpoint from its own environment, which is the environment it was started with;
* against the emulator (an ``http://`` loopback endpoint): a real-account run starts the provider
  exactly as a user's Terraform does. ``GUARDDUTY_ECS_SHARE_PROVIDER=0`` turns it off everywhere.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import subprocess
import tempfile
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from guardduty_ecs_bench.terraform import GO_GARBAGE_COLLECTION_PERCENT
from guardduty_ecs_emulator.subprocesses import terminate

REATTACH_VARIABLE = "TF_REATTACH_PROVIDERS"
SHARE_VARIABLE = "GUARDDUTY_ECS_SHARE_PROVIDER"
PROVIDER_SOURCE = "registry.terraform.io/hashicorp/aws"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# `provider "aws" {` or `provider aws {` at the start of a line (terraform fmt's layout). A block
# this misses would be served by one process with the other configuration; one it counts too many
# only costs the speed-up.
_AWS_PROVIDER_BLOCK = re.compile(r'^\s*provider\s+"?aws"?\s*\{', re.MULTILINE)
_ALIAS = re.compile(r"^\s*alias\s*=", re.MULTILINE)
_REATTACH_LINE = re.compile(rf"{REATTACH_VARIABLE}='(\{{.*\}})'")
# A server started without Terraform writes every gRPC call to its own output at trace level
# (8.8 MB for one apply and destroy); under Terraform the same lines go to Terraform, which drops
# them unless TF_LOG is set. These keep the server as quiet, unless the caller sets them.
_QUIET_PROVIDER_LOGS = {
    name: "off"
    for name in (
        "TF_LOG_SDK",
        "TF_LOG_SDK_PROTO",
        "TF_LOG_SDK_MUX",
        "TF_LOG_SDK_FRAMEWORK",
        "TF_LOG_SDK_HELPER_SCHEMA",
        "TF_LOG_SDK_HELPER_RESOURCE",
        "TF_LOG_PROVIDER",
        "TF_LOG_PROVIDER_AWS",
    )
}
# The provider reads AWS_CA_BUNDLE into its HTTP client at its first ConfigureProvider and fails
# at the second ("unable to add custom RootCAs HTTPClient, has no WithTransportOptions"). A
# server is only used against the emulator's plain-HTTP endpoint, where no CA is involved.
_LEFT_OUT = frozenset({"AWS_CA_BUNDLE"})


# A server serves one provider binary with one environment.
ServerKey = tuple[str, tuple[tuple[str, str], ...]]


class ProviderServerError(RuntimeError):
    """The provider could not be started in its debug mode."""


def _turned_off(environment: Mapping[str, str]) -> bool:
    """Turned off by GUARDDUTY_ECS_SHARE_PROVIDER=0, or by a reattachment of the caller's own
    (a provider being debugged), which then reaches Terraform unchanged."""
    return environment.get(SHARE_VARIABLE, "1").strip() == "0" or REATTACH_VARIABLE in environment


def sharing_allowed(environment: Mapping[str, str]) -> bool:
    """True when commands with ``environment`` may use a shared provider: the emulator's
    loopback HTTP endpoint, and not turned off (GUARDDUTY_ECS_SHARE_PROVIDER=0, or a
    TF_REATTACH_PROVIDERS of the caller's own)."""
    if _turned_off(environment):
        return False
    endpoint = urlparse(environment.get("AWS_ENDPOINT_URL", ""))
    return endpoint.scheme == "http" and endpoint.hostname in LOOPBACK_HOSTS


def installed_provider(tfdir: Path) -> Path | None:
    """The aws provider binary that ``terraform init`` installed for ``tfdir``, if just one."""
    found = sorted(
        (tfdir / ".terraform" / "providers" / PROVIDER_SOURCE).glob("*/*/terraform-provider-aws*")
    )
    return found[0].resolve() if len(found) == 1 else None


def _blocks(text: str) -> list[str]:
    """The text of each ``provider "aws"`` block in ``text`` (to its matching brace)."""
    blocks = []
    for start in _AWS_PROVIDER_BLOCK.finditer(text):
        depth, end = 0, start.end() - 1
        for end in range(start.end() - 1, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        blocks.append(text[start.start() : end + 1])
    return blocks


def _folder_blocks(folder: Path) -> list[str]:
    """The ``provider "aws"`` blocks of the ``.tf`` files of ``folder``."""
    return [block for f in sorted(folder.glob("*.tf")) for block in _blocks(f.read_text())]


def aws_provider_blocks(tfdir: Path) -> dict[str, list[str]] | None:
    """The ``provider "aws"`` blocks of the initialised root module ``tfdir`` and of every module
    call it makes, by call key ("" for the root; two calls of one folder are two entries). None
    when a folder has a ``.tf.json`` file, which this does not read."""
    folders = {"": tfdir}
    manifest = tfdir / ".terraform" / "modules" / "modules.json"
    if manifest.exists():
        for module in json.loads(manifest.read_text())["Modules"]:
            if module["Key"]:  # the root module's entry has the empty key
                folders[module["Key"]] = tfdir / module["Dir"]
    if any(any(folder.glob("*.tf.json")) for folder in folders.values()):
        return None
    return {key: _folder_blocks(folder) for key, folder in folders.items()}


def may_share(tfdir: Path) -> bool:
    """True when the initialised root ``tfdir`` has one aws provider configuration: no
    ``provider "aws"`` block at all (the implied default), or a single one, in the root module
    and without ``alias`` (an aliased block leaves the implied default beside it, and a block in
    a called module is a configuration beside the root's)."""
    blocks = aws_provider_blocks(tfdir)
    if blocks is None:
        return False
    everywhere = [block for found in blocks.values() for block in found]
    if not everywhere:
        return True
    return len(everywhere) == 1 and len(blocks[""]) == 1 and not _ALIAS.search(blocks[""][0])


# The provider binary that an init of this process installed, by Terraform CLI configuration.
_INSTALLED: dict[str, Path] = {}


def _installed_and_remembered(tfdir: Path, environment: Mapping[str, str]) -> Path | None:
    binary = installed_provider(tfdir)
    if binary is not None:
        _INSTALLED[environment.get("TF_CLI_CONFIG_FILE", "")] = binary
    return binary


def remembered_provider(environment: Mapping[str, str]) -> Path | None:
    """The provider binary that an init in this process installed with ``environment``'s CLI
    configuration (None if none did, or sharing is turned off). An init reattached to a server
    of it installs only the modules and does not check the provider's version constraints: the
    roots the harness runs (the tree, and the previous release's for the upgrade test) require
    the same provider, which the mirror or the registry gives as the same binary."""
    if _turned_off(environment):
        return None
    binary = _INSTALLED.get(environment.get("TF_CLI_CONFIG_FILE", ""))
    return binary if binary is not None and binary.is_file() else None


def shareable_provider(tfdir: Path, environment: Mapping[str, str]) -> Path | None:
    """The provider binary to serve ``tfdir``'s commands from one process, or None to let
    Terraform start the provider itself (see the module's docstring for when)."""
    if not sharing_allowed(environment) or not may_share(tfdir):
        return None
    return _installed_and_remembered(tfdir, environment)


def declares_aws_provider(folder: Path) -> bool:
    """True when a ``.tf`` file of ``folder`` has a ``provider "aws"`` block."""
    return bool(_folder_blocks(folder))


def unconfigured_provider(tfdir: Path, environment: Mapping[str, str]) -> Path | None:
    """The provider binary to serve ``tfdir``'s commands that never configure the provider
    (``validate``, and ``test`` whose modules have no provider block of their own beside its
    ``mock_provider``): they only ask for its schema and checks, so neither the endpoint nor the
    number of provider blocks matters."""
    return None if _turned_off(environment) else _installed_and_remembered(tfdir, environment)


def initialise(
    tfdir: Path,
    environment: Mapping[str, str],
    run_init: Callable[[dict[str, str]], object],
    configures: bool = True,
) -> Path | None:
    """Run ``terraform init`` in ``tfdir`` with ``run_init`` (given the environment to run it
    with); return the provider binary whose server ``tfdir``'s later commands reattach to, or None
    for Terraform to start the provider itself. ``configures=False`` is for commands that never
    configure the provider (see unconfigured_provider).

    Once an init in this process installed the provider for the same CLI configuration, the init
    reattaches to a server of it, which skips installing it (0.5 s of CPU); a root that turns out
    to have several provider configurations (``may_share``) is initialised again the usual way,
    for Terraform to start a provider per configuration."""
    allowed = sharing_allowed(environment) if configures else not _turned_off(environment)
    binary = remembered_provider(environment) if allowed else None
    if binary is not None:
        with SERVERS.environment(binary, environment) as reattached:
            run_init(reattached)
        if not configures or may_share(tfdir):
            return binary
    run_init(dict(environment))
    if configures:
        return shareable_provider(tfdir, environment)
    return unconfigured_provider(tfdir, environment)


class ProviderServer:
    """The provider binary running in its debug mode, and the value that reattaches to it."""

    def __init__(self, binary: Path, environment: Mapping[str, str], timeout: float = 60) -> None:
        server_environment = {k: v for k, v in environment.items() if k not in _LEFT_OUT}
        for name, level in _QUIET_PROVIDER_LOGS.items():
            server_environment.setdefault(name, level)
        if server_environment.get("GOGC") == GO_GARBAGE_COLLECTION_PERCENT:
            # The harness's GOGC saves garbage collection in a provider's start-up, which a
            # server pays once; over its many commands it only made each server hold ~540 MB.
            server_environment["GOGC"] = "100"
        descriptor, log_name = tempfile.mkstemp(prefix="guardduty-ecs-provider-", suffix=".log")
        self.log_path = Path(log_name)
        with os.fdopen(descriptor, "wb") as log:
            self._process = subprocess.Popen(
                [str(binary), "-debug"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=server_environment,
            )
        self.reattach = self._wait_for_address(timeout)

    def _wait_for_address(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = _REATTACH_LINE.search(self.log_path.read_text(errors="replace"))
            if found:
                return found.group(1)
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        output = self.output_tail()
        self.stop()
        raise ProviderServerError(
            f"the aws provider did not start in debug mode (set {SHARE_VARIABLE}=0 to let "
            f"Terraform start it as usual): {output}"
        )

    def alive(self) -> bool:
        return self._process.poll() is None

    @property
    def exit_code(self) -> int | None:
        return self._process.poll()

    def output_tail(self, characters: int = 2000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:].strip()

    def stop(self) -> None:
        """Stop the server and remove its output; a server that exited on its own (a provider
        crash: Terraform only reports the lost connection) keeps its output, with a warning."""
        if self._process.poll() is not None:
            warnings.warn(
                f"the shared aws provider exited with code {self._process.returncode}; "
                f"its output: {self.log_path}",
                stacklevel=2,
            )
            return
        terminate(self._process)
        self.log_path.unlink(missing_ok=True)


class ProviderServers:
    """Idle servers by binary and environment; a command leases one, or a new one starts.

    A lease is exclusive, so two commands never configure one process at once. The oldest idle
    servers stop beyond ``keep_idle`` (each holds some 300 MB).
    """

    def __init__(self, keep_idle: int = 2) -> None:
        self._keep_idle = keep_idle
        self._idle: OrderedDict[ServerKey, ProviderServer] = OrderedDict()
        self._lock = threading.Lock()

    @contextmanager
    def lease(self, binary: Path, environment: Mapping[str, str]) -> Iterator[str]:
        """The ``TF_REATTACH_PROVIDERS`` value of a server only this lease uses."""
        key: ServerKey = (str(binary), tuple(sorted(environment.items())))
        with self._lock:
            server = self._idle.pop(key, None)
        if server is not None and not server.alive():
            server.stop()
            server = None
        server = server or ProviderServer(binary, environment)
        try:
            yield server.reattach
        except Exception as error:
            if not server.alive():  # Terraform only reports the lost connection
                error.add_note(
                    f"the shared aws provider exited with code {server.exit_code}: "
                    f"{server.output_tail()} (all of it: {server.log_path})"
                )
            raise
        finally:
            self._give_back(key, server)

    def _give_back(self, key: ServerKey, server: ProviderServer) -> None:
        stopping: list[ProviderServer] = []
        with self._lock:
            if not server.alive() or key in self._idle:
                stopping.append(server)
            else:
                self._idle[key] = server
            while len(self._idle) > self._keep_idle:
                stopping.append(self._idle.popitem(last=False)[1])
        for extra in stopping:
            extra.stop()

    @contextmanager
    def environment(
        self, binary: Path | None, environment: Mapping[str, str]
    ) -> Iterator[dict[str, str]]:
        """``environment`` reattached to a leased server of ``binary``; unchanged when None."""
        if binary is None:
            yield dict(environment)
            return
        with self.lease(binary, environment) as reattach:
            yield {**environment, REATTACH_VARIABLE: reattach}

    def close(self) -> None:
        with self._lock:
            servers, self._idle = list(self._idle.values()), OrderedDict()
        for server in servers:
            server.stop()


SERVERS = ProviderServers()
atexit.register(SERVERS.close)
