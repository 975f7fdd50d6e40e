"""``guardduty-ecs``, the operator commands: what they do without AWS, and how they exit."""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)
from botocore.stub import Stubber

from guardduty_ecs import cli, coverage
from guardduty_ecs.cli import COMMANDS, DISTRIBUTION, build_parser, main
from guardduty_ecs.diagnosis import diagnosis
from guardduty_ecs.errors import EXIT_CODES, EXIT_UNEXPECTED, EXIT_USER_ERROR, UserError
from guardduty_ecs.output import SCHEMA_VERSION, Outcome, envelope
from guardduty_ecs.regions import guardduty_regions
from guardduty_ecs.verify import outputs_from_terraform_json

pytestmark = pytest.mark.static

DETECTOR = "0123456789abcdef0123456789abcdef"
NAMES = [spec.name for spec in COMMANDS]


def test_verify_reads_outputs_and_rejects_what_is_not_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text("not json")
    assert main(["verify", "--outputs", str(outputs)]) == 2  # a user error
    line, fix = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(
        "guardduty-ecs verify: the outputs are not JSON (terraform output -json)"
    )
    assert fix.startswith("fix: ")


def test_verify_unwraps_terraform_output_values() -> None:
    document = {"detector_id": {"value": "abc", "type": "string", "sensitive": False}}
    assert outputs_from_terraform_json(document) == {"detector_id": "abc"}


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"guardduty-ecs {metadata.version(DISTRIBUTION)}"


def test_unexpected_errors_exit_3_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli.verify, "outputs_from_terraform_json", broken)
    monkeypatch.setattr("sys.stdin", io.StringIO("{}"))
    assert main(["verify", "--outputs", "-"]) == 3
    assert capsys.readouterr().err.splitlines() == [
        "guardduty-ecs verify: unexpected error: RuntimeError: boom",
        "hint: rerun with GUARDDUTY_ECS_DEBUG=1 for the traceback",
    ]


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.verify, "outputs_from_terraform_json", interrupted)
    monkeypatch.setattr("sys.stdin", io.StringIO("{}"))
    assert main(["verify", "--outputs", "-"]) == 130


def test_every_command_is_in_the_readme_table(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert sorted(commands) == sorted(
        name for name in commands if f"| `guardduty-ecs {name}" in readme
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_command_lists_the_exit_codes_and_takes_the_common_options(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([name, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "exit codes:" in text
    for code, meaning in EXIT_CODES:
        assert f"{code} {' '.join(meaning.split())}" in text
    parser = build_parser()
    for argv, output in (([], "table"), (["--json"], "json"), (["--output", "json"], "json")):
        args = parser.parse_args([name, *argv, "--profile", "audit", "--region", "eu-west-1"])
        assert (args.output, args.profile) == (output, "audit")


def _readme_examples(repo_root: Path) -> list[dict[str, Any]]:
    """The JSON documents of the README's "JSON output" section."""
    readme = (repo_root / "README.md").read_text()
    section = readme.split("### JSON output", 1)[1].split("\n## ", 1)[0]
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]


def test_the_readme_documents_the_json_of_every_command(repo_root: Path) -> None:
    examples = _readme_examples(repo_root)
    assert sorted({example["command"] for example in examples}) == sorted(NAMES)
    head = list(envelope("", Outcome(0, "")))
    for example in examples:
        assert list(example)[: len(head)] == head
        assert example["schema_version"] == SCHEMA_VERSION


def _client_error(code: str, status: int = 403) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "ListDetectors",
    )


ENDPOINT = "http://127.0.0.1:1/"
ENVIRONMENT_ERRORS = {
    "no credentials": NoCredentialsError(),
    "partial": PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
    "profile": ProfileNotFound(profile="nope"),
    "sso token": TokenRetrievalError(provider="sso", error_msg="expired"),
    "sso load": SSOTokenLoadError(error_msg="no token"),
    "sso unauthorized": UnauthorizedSSOTokenError(),
    "region": NoRegionError(),
    "refused": EndpointConnectionError(endpoint_url=ENDPOINT),
    "connect timeout": ConnectTimeoutError(endpoint_url=ENDPOINT),
    "read timeout": ReadTimeoutError(endpoint_url=ENDPOINT),
    "closed": ConnectionClosedError(endpoint_url=ENDPOINT),
    **{
        code: _client_error(code)
        for code in (
            "AccessDenied",
            "AccessDeniedException",
            "UnauthorizedOperation",
            "ExpiredToken",
            "InvalidClientTokenId",
            "UnrecognizedClientException",
        )
    },
    "throttled": _client_error("ThrottlingException", 400),
    "unavailable": _client_error("InternalServerErrorException", 500),
}
FIXES = {
    "no credentials": "aws sso login",
    "profile": "--profile",
    "sso token": "aws sso login",
    "region": "--region",
    "read timeout": "AWS_ENDPOINT_URL",
    "AccessDenied": "docs/permissions.md",
    "ExpiredToken": "aws sso login",
}


@pytest.mark.parametrize("kind", ENVIRONMENT_ERRORS)
def test_errors_of_the_environment_exit_2_with_a_reason_and_a_fix(kind: str) -> None:
    code, lines = diagnosis(ENVIRONMENT_ERRORS[kind])
    assert code == EXIT_USER_ERROR
    reason, fix = lines
    assert "Traceback" not in reason
    assert fix.startswith("fix: ")
    assert FIXES.get(kind, "") in fix
    if "time" in kind or kind in ("refused", "closed"):
        assert ENDPOINT in reason, "the message names the endpoint"


@pytest.mark.parametrize(
    "error", [_client_error("ValidationException", 400), KeyError("x")], ids=["client", "bug"]
)
def test_anything_else_is_a_bug(error: Exception) -> None:
    code, lines = diagnosis(error)
    assert code == EXIT_UNEXPECTED
    assert lines[-1].startswith("hint: rerun with GUARDDUTY_ECS_DEBUG=1")


def test_a_user_error_names_its_fix() -> None:
    assert diagnosis(UserError("wrong", fix="do this")) == (2, ["wrong", "fix: do this"])


# --- coverage, with GuardDuty stubbed (botocore's Stubber) -----------------------------------

UNHEALTHY_CLUSTER = {
    "ResourceId": "payments",
    "AccountId": "123456789012",
    "CoverageStatus": "UNHEALTHY",
    "Issue": "No agent reporting",
    "ResourceDetails": {
        "ResourceType": "ECS",
        "EcsClusterDetails": {"ClusterName": "payments", "FargateDetails": {}},
    },
}


@pytest.fixture
def stubbed_guardduty(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, Any]], None]:
    """Make coverage's GuardDuty clients stubs: Region -> detectors and resources (a list), or
    an error code; Regions not given have no detector."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSTUB")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "stub")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # never reached

    def install(regions: dict[str, Any]) -> None:
        session, lock = boto3.Session(), threading.Lock()

        def client(_session: object, service: str, endpoint: object, region: str) -> Any:
            with lock:  # a session makes one client at a time
                guardduty = session.client(service, region_name=region)
            stub = Stubber(guardduty)
            answer = regions.get(region)
            if isinstance(answer, str):
                stub.add_client_error("list_detectors", answer, http_status_code=403)
            elif answer is None:
                stub.add_response("list_detectors", {"DetectorIds": []})
            else:
                stub.add_response("list_detectors", {"DetectorIds": [DETECTOR]})
                stub.add_response("list_coverage", {"Resources": answer})
            stub.activate()
            return guardduty

        monkeypatch.setattr(coverage, "client", client)

    return install


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return json.loads(capsys.readouterr().out)


def test_coverage_json_carries_the_rows_and_the_exit_reason(
    stubbed_guardduty: Callable[[dict[str, Any]], None],
    capsys: pytest.CaptureFixture[str],
    repo_root: Path,
) -> None:
    stubbed_guardduty({"us-east-1": [UNHEALTHY_CLUSTER]})
    assert main(["coverage", "--output", "json"]) == 1
    document = _json(capsys)
    assert document["schema_version"] == SCHEMA_VERSION
    assert (document["command"], document["exit_code"]) == ("coverage", 1)
    assert document["reason"] == "1 of 1 resources not healthy"
    (region,) = document["regions"]
    assert (region["region"], region["status"], region["api_calls"]) == ("us-east-1", "read", 2)
    assert region["resources"][0]["resource"] == "payments"
    assert document["totals"][-1] == {
        "account": "",
        "resources": 1,
        "covered": 0,
        "unhealthy": 1,
    }
    # The README's example has the same fields, at every level.
    example = next(e for e in _readme_examples(repo_root) if e["command"] == "coverage")
    assert list(document) == list(example)
    assert list(region) == list(example["regions"][0])
    assert list(region["resources"][0]) == list(example["regions"][0]["resources"][0])
    assert list(document["summary"]) == list(example["summary"])


def test_coverage_of_every_region_skips_those_without_a_detector_or_access(
    stubbed_guardduty: Callable[[dict[str, Any]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    healthy = {**UNHEALTHY_CLUSTER, "CoverageStatus": "HEALTHY", "Issue": ""}
    stubbed_guardduty({"us-east-1": [healthy], "eu-west-1": [], "me-south-1": "AccessDenied"})
    assert main(["coverage", "--all-regions", "--json"]) == 0
    document = _json(capsys)
    aws = [region for region, partition in guardduty_regions().items() if partition == "aws"]
    assert [region["region"] for region in document["regions"]] == aws
    statuses = {region["region"]: region["status"] for region in document["regions"]}
    assert (statuses["us-east-1"], statuses["eu-west-1"], statuses["me-south-1"]) == (
        "read",
        "read",
        "skipped",
    )
    assert document["summary"]["regions_read"] == 2
    assert document["summary"]["regions_skipped"] == len(aws) - 2
    assert document["reason"] == "1 resources healthy in 2 Regions"


def test_coverage_with_every_region_failing_exits_as_the_failure_says(
    stubbed_guardduty: Callable[[dict[str, Any]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    stubbed_guardduty({"us-east-1": "AccessDeniedException"})
    assert main(["coverage"]) == 2
    out, err = capsys.readouterr()
    assert out == "", "no empty table"
    reason, fix = err.strip().splitlines()
    assert reason.startswith("guardduty-ecs coverage: AWS denied the request (ListDetectors")
    assert "docs/permissions.md" in fix


def test_a_region_without_a_detector_fails_coverage_when_named(
    stubbed_guardduty: Callable[[dict[str, Any]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    stubbed_guardduty({"us-east-1": None})
    assert main(["coverage", "--region", "us-east-1"]) == 1
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "us-east-1: no GuardDuty detector",
        "0 resources, 0 not healthy, in 0 regions (1 API calls)",
    ]
