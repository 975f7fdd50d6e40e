"""Bad invocations end with their exit code in a few lines, before any AWS call or at a local
server: the quick cases of ``guardduty_ecs_bench.bad_invocations`` (the closing note's table runs
them all against the installed command), run in process with short timeouts."""

from __future__ import annotations

import io
import json
import os
import socket
import time
from collections.abc import Iterator

import pytest

from guardduty_ecs.aws import (
    API_TIMEOUT_VARIABLE,
    DEFAULT_MAX_ATTEMPTS,
    MAX_ATTEMPTS_VARIABLE,
    Timeouts,
    timeouts,
)
from guardduty_ecs.cli import main
from guardduty_ecs.errors import UserError
from guardduty_ecs_bench.bad_invocations import (
    CASES,
    Case,
    filled,
    places,
    prepare,
    silent_endpoint,
)

pytestmark = pytest.mark.static

QUICK = [case for case in CASES if case.quick]
# A silent endpoint fails after one attempt of half a second here; the default budget is held
# to about 30 s below.
FAST = {API_TIMEOUT_VARIABLE: "0.5", MAX_ATTEMPTS_VARIABLE: "1"}


@pytest.fixture(scope="module")
def where(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], dict]]:
    folder = tmp_path_factory.mktemp("bad-invocations")
    base = prepare(folder)
    with places(folder) as places_:
        yield base, places_


def test_there_are_forty_cases_of_every_category_and_a_quick_one_of_most() -> None:
    categories = {case.category for case in CASES}
    assert len(CASES) >= 40
    assert {
        "arguments",
        "files",
        "credentials",
        "profile",
        "region",
        "endpoint",
        "permissions",
        "finding types",
        "timeouts",
        "--output",
    } <= categories
    assert len({case.category for case in QUICK}) == len(categories)


@pytest.mark.parametrize("case", QUICK, ids=[case.invocation() for case in QUICK])
def test_a_bad_invocation_exits_with_its_code_in_a_few_lines(
    case: Case,
    where: tuple[dict[str, str], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, places_ = where
    argv, environment = filled(case, places_)
    for name in os.environ:
        if name.startswith(("AWS_", "GUARDDUTY_ECS_")):
            monkeypatch.delenv(name)
    for name, value in {**base, **FAST, **environment}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdin", io.StringIO(case.stdin))
    started = time.monotonic()
    code = main(argv)
    seconds = time.monotonic() - started
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == case.expected, err
    assert 1 <= len(lines) <= 3, err
    assert lines[0].startswith("guardduty-ecs"), err
    assert "Traceback" not in err
    assert seconds < 3, f"{case.invocation()} took {seconds:.1f}s"
    if "--json" in argv or "json" in argv:
        document = json.loads(out)
        assert (document["exit_code"], document["reason"]) == (code, lines[0].split(": ", 1)[1])
    else:
        assert out == "", "a user error prints no table"
    endpoint = environment.get("AWS_ENDPOINT_URL", "")
    if case.category == "endpoint" and endpoint.startswith("http"):
        assert endpoint in lines[0], "the message names the endpoint"


def test_the_default_budget_of_a_call_is_about_30_seconds() -> None:
    limits = timeouts({})
    assert limits.attempts == DEFAULT_MAX_ATTEMPTS
    assert limits.budget_seconds <= 30
    assert limits.budget_seconds + limits.backoff_seconds <= 35
    config = limits.config()
    assert (config.connect_timeout, config.read_timeout) == (limits.connect, limits.read)
    assert config.retries == {"total_max_attempts": limits.attempts, "mode": "standard"}


def test_the_timeouts_come_from_the_environment_and_are_checked() -> None:
    assert timeouts({API_TIMEOUT_VARIABLE: "0.5", MAX_ATTEMPTS_VARIABLE: "1"}) == Timeouts(
        0.5, 0.5, 1
    )
    assert timeouts({API_TIMEOUT_VARIABLE: "20"}).connect == 3
    assert timeouts({API_TIMEOUT_VARIABLE: "20"}).backoff_seconds == 3
    for wrong in ({API_TIMEOUT_VARIABLE: "-1"}, {MAX_ATTEMPTS_VARIABLE: "1.5"}):
        with pytest.raises(UserError, match="must be a"):
            timeouts(wrong)


def test_the_silent_server_stops_by_itself() -> None:
    with silent_endpoint(lifetime=0.1) as url:
        port = int(url.rsplit(":", 1)[1])
        socket.create_connection(("127.0.0.1", port), timeout=1).close()  # accepted
        time.sleep(0.5)  # past its lifetime and one turn of its accept loop
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1)
