"""Bad invocations of the installed ``guardduty-ecs``, and how each ends: a Markdown table of the
exit code, the lines on standard error, what standard output held and the seconds it took.

Nothing here reaches AWS: every case that gets as far as a call has ``AWS_ENDPOINT_URL`` pointed
at a server of its own on 127.0.0.1, each stopped when the run ends (and by itself after a
while): a port that refuses connections, a server that accepts connections and never answers,
and one that answers every request with the AWS error its access key ID names (the key
``AccessDeniedException`` gets AccessDeniedException, in the protocol of the service the request
was signed for: XML for STS, JSON for the others). The environment of each run is empty of the
caller's AWS settings: its home, AWS config (with the profiles some cases use) and credentials
files are a temporary folder's, and the instance metadata service is off.

``guardduty-ecs-bench bad-invocations`` (or ``python -m guardduty_ecs_bench.bad_invocations``)
prints the table; ``tests/static/test_bad_invocations.py`` runs the cases marked quick, in
process and with short timeouts, and holds each to its exit code.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO

from guardduty_ecs.errors import EXIT_USER_ERROR

# How long a server of this module lives at most, whatever happens to the run.
SERVER_LIFETIME_SECONDS = 600.0
# Credentials of no account: the access key ID names the error the denying server answers.
SECRET = {"AWS_SECRET_ACCESS_KEY": "not-a-secret"}


DUMMY_KEY_ID = "AKIDBENCHEXAMPLE"


def _credentials(key_id: str = DUMMY_KEY_ID) -> dict[str, str]:
    return {"AWS_ACCESS_KEY_ID": key_id, **SECRET}


def _denied(code: str, endpoint: str = "{deny}") -> dict[str, str]:
    """Credentials and an endpoint for which every request is refused with ``code``."""
    return {**_credentials(code), "AWS_ENDPOINT_URL": endpoint}


REGION = {"AWS_REGION": "us-east-1"}
KEYS = {**_credentials(), **REGION}


@dataclass(frozen=True)
class Case:
    """One bad invocation: its category, the arguments, the environment it adds (``{deny}``,
    ``{silent}``, ``{refused}``, ``{tmp}`` and ``{python}`` are filled in), standard input,
    the exit code it must end with, and whether the quick test runs it."""

    category: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    stdin: str = ""
    expected: int = EXIT_USER_ERROR
    quick: bool = False

    def invocation(self) -> str:
        """The command line as a person would type it; ``[keys]`` stands for the bench's
        dummy access key and secret, and a denying server's secret is left out."""
        shown = {
            name: value
            for name, value in self.env.items()
            if name != "AWS_SECRET_ACCESS_KEY"
            and not (name == "AWS_ACCESS_KEY_ID" and value == DUMMY_KEY_ID)
        }
        keys = "[keys]" if self.env.get("AWS_ACCESS_KEY_ID") == DUMMY_KEY_ID else ""
        variables = " ".join(f"{name}={value}" for name, value in shown.items())
        return " ".join(filter(None, [keys, variables, "guardduty-ecs", *self.argv])) + (
            f" < {self.stdin!r}" if self.stdin else ""
        )


def _case(
    category: str,
    argv: str,
    env: Mapping[str, str] | None = None,
    *,
    stdin: str = "",
    expected: int = EXIT_USER_ERROR,
    quick: bool = False,
) -> Case:
    return Case(category, tuple(argv.split()), dict(env or {}), stdin, expected, quick)


CASES: tuple[Case, ...] = (
    _case("arguments", "", quick=True),
    _case("arguments", "cover"),
    _case("arguments", "coverage --acount 123456789012", KEYS),
    _case("arguments", "coverage --account 12345", KEYS, quick=True),
    _case("arguments", "drill --scale-to-zero payments", KEYS),
    _case("arguments", "drill --scale-to-zero payments/app", KEYS, quick=True),
    _case("arguments", "verify --topic-arn not-an-arn", KEYS),
    _case("arguments", "verify --terraform-dir /nonexistent", KEYS),
    _case("arguments", "verify --terraform-dir . --outputs {tmp}/list.json", KEYS),
    _case("arguments", "coverage --all-regions --region us-east-1", KEYS, quick=True),
    _case("files", "verify --outputs {tmp}/missing.json", KEYS, quick=True),
    _case("files", "verify --outputs {tmp}/list.json", KEYS, quick=True),
    _case("files", "verify --outputs {tmp}/latin1.json", KEYS, quick=True),
    _case("files", "drill --outputs {tmp}/empty.json", KEYS),
    _case("files", "verify --outputs {tmp}", KEYS),
    _case("files", "drill --outputs -", KEYS, stdin="[1, 2]"),
    _case("files", "verify --outputs {tmp}/bad-pattern.json", KEYS, quick=True),
    _case("credentials", "coverage --region us-east-1", quick=True),
    _case("credentials", "verify --region us-east-1"),
    _case("credentials", "drill --region us-east-1"),
    _case("credentials", "coverage", {"AWS_ACCESS_KEY_ID": "AKIDBENCHEXAMPLE", **REGION}),
    _case("credentials", "coverage --profile failing-process", quick=True),
    _case("profile", "coverage --profile nope", REGION, quick=True),
    _case("profile", "verify", {"AWS_PROFILE": "nope", **REGION}),
    _case("profile", "coverage --profile legacy-sso", quick=True),
    _case("profile", "verify --profile sso-session"),
    _case("profile", "drill --profile orphan-role"),
    _case("region", "coverage --region mars-1", KEYS, quick=True),
    _case("region", "coverage --region us-east-11", KEYS),
    _case("region", "coverage --region US-EAST-1", KEYS),
    _case("region", "verify", {**_credentials(), "AWS_REGION": "eu-wset-1"}, quick=True),
    _case("region", "drill", _credentials(), quick=True),
    _case("region", "verify", _credentials()),
    _case("region", "coverage --profile mars"),
    _case("endpoint", "coverage", {**KEYS, "AWS_ENDPOINT_URL": "{refused}"}, quick=True),
    _case("endpoint", "verify", {**KEYS, "AWS_ENDPOINT_URL": "{refused}"}),
    _case("endpoint", "coverage", {**KEYS, "AWS_ENDPOINT_URL": "{silent}"}, quick=True),
    _case("endpoint", "drill", {**KEYS, "AWS_ENDPOINT_URL": "not-a-url"}, quick=True),
    _case("permissions", "coverage", {**_denied("AccessDeniedException"), **REGION}, quick=True),
    _case("permissions", "verify", {**_denied("AccessDenied"), **REGION}, quick=True),
    _case("permissions", "drill", {**_denied("AccessDenied"), **REGION}),
    _case("permissions", "verify", {**_denied("ExpiredToken"), **REGION}, quick=True),
    _case("permissions", "coverage", {**_denied("UnrecognizedClientException"), **REGION}),
    _case("permissions", "verify", {**_denied("InvalidClientTokenId"), **REGION}),
    _case("permissions", "coverage", {**_denied("ThrottlingException"), **REGION}),
    _case("permissions", "coverage --all-regions", {**_denied("AccessDeniedException"), **REGION}),
    _case("finding types", "drill --finding-type Bogus", KEYS, quick=True),
    _case("finding types", "drill --finding-type Execution:Runtime/ReverseShel", KEYS),
    _case("finding types", "drill --finding-type AttackSequence:ECS/Compromised", KEYS),
    _case("finding types", f"drill --finding-type Execution:Runtime/{'A' * 40}", KEYS),
    _case("timeouts", "drill --timeout -5", KEYS, quick=True),
    _case("timeouts", "drill --timeout 0", KEYS),
    _case("timeouts", "drill --timeout abc", KEYS),
    _case("timeouts", "drill --timeout nan", KEYS),
    _case("timeouts", "coverage", {**KEYS, "GUARDDUTY_ECS_API_TIMEOUT": "abc"}, quick=True),
    _case("--output", "coverage --output yaml", KEYS, quick=True),
    _case("--output", "coverage --output", KEYS),
    _case("--output", "verify --json --region us-east-1", quick=True),
    _case("--output", "drill --output json --timeout -1", KEYS, quick=True),
)

# The folder every case runs in: files the cases read and the AWS config with their profiles.
CONFIG = """\
[profile legacy-sso]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = ReadOnly
region = us-east-1

[profile sso-session]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = ReadOnly
region = us-east-1

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile failing-process]
credential_process = "{python}" -c "raise SystemExit('no credentials for you')"
region = us-east-1

[profile orphan-role]
role_arn = arn:aws:iam::123456789012:role/Auditor
source_profile = missing
region = us-east-1

[profile mars]
aws_access_key_id = AKIDBENCHEXAMPLE
aws_secret_access_key = not-a-secret
region = mars-1
"""


def prepare(folder: Path) -> dict[str, str]:
    """The files of the cases in ``folder``, and the environment every case starts from."""
    (folder / "home").mkdir(exist_ok=True)
    (folder / "list.json").write_text(json.dumps([{"detector_id": "0" * 32}]))
    (folder / "latin1.json").write_bytes('{"détecteur": "é"}'.encode("latin-1"))
    (folder / "empty.json").write_text("")
    pattern = {
        "findings_rule_names": {"value": {"high": "guardduty-ecs-runtime-findings-high"}},
        "findings_event_patterns": {"value": {"high": "{not json"}},
    }
    (folder / "bad-pattern.json").write_text(json.dumps(pattern))
    (folder / "config").write_text(CONFIG.replace("{python}", sys.executable))
    (folder / "credentials").write_text("")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder / "home"),
        "AWS_CONFIG_FILE": str(folder / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "LANG": "C.UTF-8",
    }


# --- the local servers ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def refused_endpoint() -> Iterator[str]:
    """A URL of 127.0.0.1 where nothing listens (its port was free a moment ago)."""
    yield f"http://127.0.0.1:{_free_port()}"


@contextmanager
def silent_endpoint(lifetime: float = SERVER_LIFETIME_SECONDS) -> Iterator[str]:
    """A URL of 127.0.0.1 whose server accepts every connection and never answers; it stops
    when the context ends, or after ``lifetime`` seconds."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()
    deadline = time.monotonic() + lifetime

    def accept() -> None:
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                break
        for connection in held:
            connection.close()
        listener.close()

    thread = threading.Thread(target=accept, name="silent-endpoint", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)


_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/[^/]+/([^/]+)/aws4_request")
_STATUS = {"ThrottlingException": 400, "InternalServerErrorException": 500}


class _Denying(BaseHTTPRequestHandler):
    """Answers every request with the error its access key ID names, as AWS writes errors."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        match = _CREDENTIAL.search(self.headers.get("Authorization", ""))
        code, service = (match[1], match[2]) if match else ("AccessDenied", "sts")
        message = (
            "User: arn:aws:iam::123456789012:user/bench is not authorized to perform this "
            f"{service} action (the bench's denying endpoint)"
        )
        status = _STATUS.get(code, 403)
        if service == "sts":  # the query protocol: XML
            body = (
                '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
                f"<Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                "<RequestId>bench</RequestId></ErrorResponse>"
            ).encode()
            kind = "text/xml"
        else:  # the JSON protocols
            body = json.dumps({"__type": code, "message": message}).encode()
            kind = "application/x-amz-json-1.1"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("x-amzn-ErrorType", code)
        self.send_header("x-amzn-RequestId", "bench")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def denying_endpoint(lifetime: float = SERVER_LIFETIME_SECONDS) -> Iterator[str]:
    """A URL of 127.0.0.1 that answers every AWS request with the error its access key ID names;
    it stops when the context ends, or after ``lifetime`` seconds."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Denying)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="denying-endpoint", daemon=True
    )
    thread.start()
    timer = threading.Timer(lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)


@contextmanager
def places(folder: Path) -> Iterator[dict[str, str]]:
    """What the cases' ``{...}`` stand for, with the servers running."""
    with ExitStack() as stack:
        yield {
            "tmp": str(folder),
            "python": sys.executable,
            "refused": stack.enter_context(refused_endpoint()),
            "silent": stack.enter_context(silent_endpoint()),
            "deny": stack.enter_context(denying_endpoint()),
        }


def filled(case: Case, where: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """The case's arguments and environment with ``where`` filled in."""

    def fill(text: str) -> str:
        for name, value in where.items():
            text = text.replace("{" + name + "}", value)
        return text

    argv = [fill(arg) for arg in case.argv]
    environment = {name: fill(value) for name, value in case.env.items()}
    if "AWS_ACCESS_KEY_ID" in environment and "AWS_ENDPOINT_URL" not in environment:
        # Nothing reaches AWS: a case with keys must fail before a call, or call a local server.
        environment.setdefault("AWS_ENDPOINT_URL", where.get("refused", "http://127.0.0.1:9"))
    return argv, environment


# --- running them --------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """How one case ended."""

    case: Case
    exit_code: int
    stderr: list[str]
    stdout: str
    seconds: float

    @property
    def output(self) -> str:
        """What standard output held, in a few words."""
        text = self.stdout.strip()
        if not text:
            return "empty"
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            return f"{len(text.splitlines())} lines"
        return f"JSON, exit_code {document.get('exit_code')}"


def installed_command() -> str:
    """The ``guardduty-ecs`` of this interpreter's environment (else the PATH's)."""
    beside = Path(sys.executable).parent / "guardduty-ecs"
    found = str(beside) if beside.exists() else shutil.which("guardduty-ecs")
    if not found:
        raise FileNotFoundError("guardduty-ecs is not installed: pip install .")
    return found


def run_case(case: Case, where: Mapping[str, str], base: Mapping[str, str], command: str) -> Result:
    """Run the installed command for ``case``, timed."""
    argv, environment = filled(case, where)
    started = time.monotonic()
    done = subprocess.run(
        [command, *argv],
        input=case.stdin,
        capture_output=True,
        text=True,
        env={**base, **environment},
        cwd=base["HOME"],
        check=False,
        timeout=120,
    )
    seconds = time.monotonic() - started
    return Result(case, done.returncode, done.stderr.splitlines(), done.stdout, seconds)


def run_all(cases: tuple[Case, ...] = CASES, command: str | None = None) -> list[Result]:
    """Every case against the installed command, with the servers running."""
    command = command or installed_command()
    with tempfile.TemporaryDirectory(prefix="bad-invocations-") as folder:
        base = prepare(Path(folder))
        with places(Path(folder)) as where:
            return [run_case(case, where, base, command) for case in cases]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(results: list[Result], folder_hint: str = "<tmp>") -> str:
    """The results as a Markdown table, with the first line of standard error of each."""
    lines = [
        f"`[keys]`: AWS_ACCESS_KEY_ID={DUMMY_KEY_ID} and a dummy AWS_SECRET_ACCESS_KEY (and, "
        "unless the case names another, AWS_ENDPOINT_URL at a port of 127.0.0.1 that refuses "
        "connections); `{refused}`, `{silent}`, `{deny}`: servers of 127.0.0.1 that refuse, "
        "accept and never answer, answer with the error the access key ID names. HOME, "
        "AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are a temporary folder's, the instance "
        "metadata service is off, default timeouts.",
        "",
        "| # | category | invocation | exit | stderr lines | stdout | seconds | first line of "
        "stderr |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for number, result in enumerate(results, 1):
        invocation = re.sub(r"/tmp/bad-invocations-\w+", folder_hint, result.case.invocation())
        first = result.stderr[0] if result.stderr else ""
        first = re.sub(r"/tmp/bad-invocations-\w+", folder_hint, first)
        lines.append(
            f"| {number} | {result.case.category} | `{_cell(invocation)}` | {result.exit_code} "
            f"| {len(result.stderr)} | {result.output} | {result.seconds:.2f} | {_cell(first)} |"
        )
    unexpected = [r for r in results if r.exit_code != r.case.expected]
    lines.append("")
    lines.append(
        f"{len(results)} invocations; {len(results) - len(unexpected)} ended with the expected "
        f"exit code; at most {max(len(r.stderr) for r in results)} lines of stderr; "
        f"{sum(r.seconds for r in results):.1f} s in all."
    )
    lines += [
        f"UNEXPECTED: `{r.case.invocation()}` exited {r.exit_code}, not {r.case.expected}"
        for r in unexpected
    ]
    return "\n".join(lines) + "\n"


def report(out: TextIO, copy: Path | None = None) -> int:
    """Run every case, write the table to ``out`` (and ``copy``); 1 if a case ended with
    another exit code than its own, else 0."""
    results = run_all()
    text = render(results)
    out.write(text)
    if copy:
        copy.write_text(text)
    return int(any(result.exit_code != result.case.expected for result in results))


if __name__ == "__main__":
    sys.exit(report(sys.stdout))
