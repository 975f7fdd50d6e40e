"""Start, reset and stop the emulator as a child process."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from guardduty_ecs_emulator.subprocesses import terminate

EMULATOR_HOST = "127.0.0.1"
EMULATOR_REGION = "us-east-1"
# moto answers a request carrying this header in the account it names.
ACCOUNT_HEADER = "x-moto-account-id"

# Variables that would make the provider or boto3 ignore the emulator's dummy credentials.
_CREDENTIAL_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


class ActAs:
    """A botocore ``before-sign`` hook that makes the emulator answer in ``account``; an empty
    account (or one set later, per use) sends nothing and leaves the credentials' account."""

    def __init__(self, account: str = "") -> None:
        self.account = account

    def __call__(self, request: Any, **_: Any) -> None:
        if self.account:
            request.headers[ACCOUNT_HEADER] = self.account


def act_as(client: Any, account: str | ActAs) -> Any:
    """``client`` (a boto3 client of the emulator), answered in ``account`` from now on."""
    hook = account if isinstance(account, ActAs) else ActAs(account)
    client.meta.events.register("before-sign.*.*", hook)
    return client


def emulator_environment(endpoint_url: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """Return ``base`` (default: this process's environment) pointed at the emulator.

    Only standard AWS SDK variables are used, so Terraform examples stay exactly as a user
    would run them against AWS.
    """
    environment = {
        key: value
        for key, value in (os.environ if base is None else base).items()
        if key not in _CREDENTIAL_VARIABLES
    }
    environment.update(
        {
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": EMULATOR_REGION,
            "AWS_DEFAULT_REGION": EMULATOR_REGION,
            # Keeps the shared config/credentials files of the machine out of the way.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )
    return environment


def advance_clock(endpoint_url: str, seconds: float) -> str:
    """Move the GuardDuty time of the emulator at ``endpoint_url`` forward (instead of sleeping in
    a test); updates of findings that became due are published. Returns the new time."""
    request = urllib.request.Request(
        f"{endpoint_url}/moto-api/guardduty-ecs/clock",
        data=json.dumps({"advance_seconds": seconds}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.loads(response.read())["now"])


def _control(endpoint_url: str, path: str, document: dict[str, Any] | None = None) -> Any:
    """POST ``document`` (GET without one) to a control endpoint of the emulator; its answer."""
    request = urllib.request.Request(
        f"{endpoint_url}/moto-api/guardduty-ecs/{path}",
        data=None if document is None else json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
        method="GET" if document is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def redirect_api_destinations(endpoint_url: str, hosts: dict[str, str]) -> None:
    """Send the API destination requests for each host (``events.pagerduty.com``) to a local
    receiver's base URL instead (test-only; ``{}`` removes the redirects)."""
    _control(endpoint_url, "api-destination-hosts", {"hosts": hosts})


def authorize_chat(
    endpoint_url: str,
    account: str,
    slack_workspaces: dict[str, str] | None = None,
    teams: list[tuple[str, str, str]] | None = None,
) -> None:
    """What the chat console would have authorized in ``account``: Slack workspaces (ID ->
    name) and Microsoft Teams teams (tenant ID, team ID, team name)."""
    _control(
        endpoint_url,
        "chatbot/authorizations",
        {
            "account": account,
            "slack_workspaces": [
                {"id": workspace, "name": name}
                for workspace, name in (slack_workspaces or {}).items()
            ],
            "teams": [
                {"tenant_id": tenant, "team_id": team, "team_name": name}
                for tenant, team, name in teams or []
            ],
        },
    )


def chat_deliveries(endpoint_url: str, account: str, take: bool = True) -> list[dict[str, Any]]:
    """What the chat channel configurations of ``account`` received since the last take, each
    with ``ChatConfigurationArn``, ``TopicArn``, ``Message``, ``Rendered`` and ``Reason``."""
    path = f"chatbot/deliveries?account={account}"
    request = urllib.request.Request(
        f"{endpoint_url}/moto-api/guardduty-ecs/{path}",
        data=b"" if take else None,
        method="POST" if take else "GET",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return list(json.loads(response.read())["deliveries"])


def _take_rejections(endpoint_url: str) -> list[dict[str, str]]:
    """The requests the emulator at ``endpoint_url`` refused as AWS's request validation would
    (``emulator/request_validation.py``) since the last take; the emulator forgets them."""
    request = urllib.request.Request(
        f"{endpoint_url}/moto-api/guardduty-ecs/rejections", data=b"", method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return list(json.loads(response.read())["rejections"])


# The emulators this process runs, and the rejections of those it stopped that nobody took yet:
# a test harness takes them all after each test (take_rejections).
_RUNNING: list[EmulatorProcess] = []
_UNCLAIMED: list[dict[str, str]] = []


def take_rejections() -> list[dict[str, str]]:
    """Every request that an emulator of this process refused since the last take, each with
    its ``service``, ``operation``, ``code`` and ``message``."""
    taken = list(_UNCLAIMED)
    _UNCLAIMED.clear()
    for running in list(_RUNNING):
        taken.extend(running.take_rejections())
    return taken


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class EmulatorError(RuntimeError):
    """The emulator could not be started or reached."""


class EmulatorProcess:
    """moto's server with this project's extensions, on 127.0.0.1 and a free port."""

    def __init__(self, log_dir: Path | None = None, start_timeout: float = 30.0) -> None:
        self._log_dir = log_dir
        self._start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log_path: Path | None = None

    @property
    def endpoint_url(self) -> str:
        if self._process is None:
            raise EmulatorError("the emulator is not running")
        return f"http://{EMULATOR_HOST}:{self.port}"

    def environment(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """The environment for Terraform and boto3 to use this emulator."""
        return emulator_environment(self.endpoint_url, base)

    def start(self) -> EmulatorProcess:
        log_dir = self._log_dir or Path(tempfile.mkdtemp(prefix="guardduty-ecs-emulator-"))
        log_dir.mkdir(parents=True, exist_ok=True)
        self.port = _free_port(EMULATOR_HOST)
        self.log_path = log_dir / f"emulator-{self.port}.log"
        child_env = dict(os.environ)
        # The child imports exactly what this process imports (an installed package, or a
        # checkout on sys.path), whatever its working directory.
        child_env["PYTHONPATH"] = os.pathsep.join(filter(None, sys.path))
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "guardduty_ecs_emulator",
                    "--host",
                    EMULATOR_HOST,
                    "--port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=child_env,
            )
        self._wait_until_ready()
        _RUNNING.append(self)
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self._start_timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise EmulatorError(
                    f"the emulator exited with code {self._process.returncode}; see {self.log_path}"
                )
            try:
                self.reset()
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise EmulatorError(
            f"the emulator did not answer within {self._start_timeout:.0f}s; see {self.log_path}"
        )

    def reset(self) -> None:
        """Forget every resource, in every account and region."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status != 200:
                raise EmulatorError(f"emulator reset answered HTTP {response.status}")

    def advance_clock(self, seconds: float) -> str:
        """Move the emulator's GuardDuty time forward; see ``advance_clock``."""
        return advance_clock(self.endpoint_url, seconds)

    def take_rejections(self) -> list[dict[str, str]]:
        """The requests this emulator refused since the last take (see ``_take_rejections``)."""
        return _take_rejections(self.endpoint_url)

    def stop(self) -> None:
        if self._process is None:
            return
        if self in _RUNNING:
            _RUNNING.remove(self)
            # An emulator that no longer answers has nothing more to tell.
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                _UNCLAIMED.extend(self.take_rejections())
        terminate(self._process)
        self._process = None

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
