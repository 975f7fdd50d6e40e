"""``guardduty-ecs``: the operator commands ``coverage``, ``drill`` and ``verify``.

They need boto3 only. Exit codes (``guardduty_ecs.errors``): 0 all good, 1 a check failed, 2 a
user error (one line), 3 anything unexpected (with a hint), 130 interrupted. The test bench's
commands (``guardduty-ecs-bench``) run through ``run`` too, so that both exit alike.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from guardduty_ecs import coverage as coverage_report
from guardduty_ecs import drill, verify
from guardduty_ecs.aws import session_from_environment
from guardduty_ecs.discovery import (
    Hints,
    hints_from_document,
    hints_from_outputs,
    hints_from_terraform,
)
from guardduty_ecs.errors import (
    EXIT_CHECK_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNEXPECTED,
    EXIT_USER_ERROR,
    CheckFailed,
    UserError,
)

DISTRIBUTION = "guardduty-ecs-runtime"
DEBUG_VARIABLE = "GUARDDUTY_ECS_DEBUG"


def _coverage(args: argparse.Namespace) -> int:
    accounts = coverage_report.account_ids(args.account)
    session = session_from_environment(dict(os.environ))
    regions = args.region or [session.region_name or ""]
    if not all(regions):
        raise UserError("give --region (or set AWS_REGION)")
    results = coverage_report.coverage(session, regions, accounts=accounts)
    coverage_report.report(results, sys.stdout, as_json=args.json)
    return EXIT_OK if coverage_report.is_healthy(results) else EXIT_CHECK_FAILED


def _read_outputs(source: str) -> dict[str, object]:
    """Terraform outputs (``terraform output -json``) from a file or standard input."""
    if source == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"cannot read the outputs: {error}") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(f"the outputs are not JSON (terraform output -json): {error}") from error
    if not isinstance(document, dict):
        raise UserError("the outputs must be a JSON object, as terraform output -json writes")
    return verify.outputs_from_terraform_json(document)


def _hints(args: argparse.Namespace) -> Hints:
    """What narrows the search in the account: Terraform state, outputs, or topic ARNs; none
    means everything the account and Region have."""
    if args.terraform_dir:
        hints = hints_from_terraform(args.terraform_dir)
    elif args.outputs:
        hints = hints_from_outputs(_read_outputs(args.outputs))
    else:
        hints = Hints()
    if args.topic_arn:
        bad = [arn for arn in args.topic_arn if not hints_from_document([arn], "").topic_arns]
        if bad:
            raise UserError(f"--topic-arn: not an SNS topic ARN: {bad[0]}")
        hints = Hints(
            hints.detector_ids,
            frozenset(args.topic_arn),
            frozenset(),
            hints.expected_patterns,
            source=f"--topic-arn {' '.join(args.topic_arn)}",
        )
    return hints


def _session(args: argparse.Namespace) -> boto3.Session:
    environment = dict(os.environ)
    if args.region:
        environment["AWS_REGION"] = args.region
    session = session_from_environment(environment)
    if not session.region_name:
        raise UserError("give --region (or set AWS_REGION)")
    return session


def _confirm_scale_to_zero(args: argparse.Namespace) -> None:
    """--scale-to-zero stops every task of a service: a person confirms, a pipeline says --yes."""
    if not args.scale_to_zero or args.yes:
        return
    if not sys.stdin.isatty():
        raise UserError(
            f"--scale-to-zero stops every task of {args.scale_to_zero} for up to 15 minutes: "
            "add --yes to confirm it in a pipeline"
        )
    answer = input(f"scale {args.scale_to_zero} to 0 tasks until its Unhealthy alert? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise UserError("not confirmed: nothing was done")


def _drill(args: argparse.Namespace) -> int:
    if args.timeout is not None and args.timeout <= 0:
        raise UserError(f"--timeout must be a number of seconds above 0, not {args.timeout:g}")
    hints = _hints(args)
    session = _session(args)
    _confirm_scale_to_zero(args)
    results = drill.run_drill(
        session,
        args.finding_type or list(drill.DEFAULT_FINDING_TYPES),
        args.timeout,
        hints=hints,
        scale_to_zero=args.scale_to_zero,
    )
    return EXIT_OK if drill.report(results, sys.stdout) else EXIT_CHECK_FAILED


def _verify(args: argparse.Namespace) -> int:
    hints = _hints(args)  # files and arguments first, before anything asks AWS
    checks = verify.verify(_session(args), hints=hints)
    passed = verify.report(checks, sys.stdout, as_json=args.json)
    return EXIT_OK if passed else EXIT_CHECK_FAILED


def _add_deployment_options(command: argparse.ArgumentParser) -> None:
    """Where to look (the Region) and what narrows the search in it."""
    command.add_argument("--region", help="the Region to check (default: AWS_REGION)")
    source = command.add_mutually_exclusive_group()
    source.add_argument(
        "--terraform-dir",
        metavar="DIR",
        help="narrow the search to the detector, rules and topics in the Terraform state of "
        "this root (terraform show -json, nested modules included)",
    )
    source.add_argument(
        "--outputs",
        metavar="FILE",
        help="narrow the search to what a file of `terraform output -json` names (- for "
        "stdin; stacks of the previous release)",
    )
    command.add_argument(
        "--topic-arn",
        action="append",
        metavar="ARN",
        help="only rules that send to this topic (repeat for more)",
    )


def command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str
) -> argparse.ArgumentParser:
    """A sub-command whose one-line help is also the description its --help shows."""
    return commands.add_parser(name, help=text, description=text)


def program(
    prog: str, what: str, distribution: str
) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction[argparse.ArgumentParser]]:
    """A program with ``--version`` (of ``distribution``), the exit codes in its help, and the
    sub-commands to add; the test bench's command is made the same way."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=f"GuardDuty Runtime Monitoring for Amazon ECS: {what}. Exit codes: 0 all "
        "good, 1 a check failed, 2 a user error, 3 unexpected, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version(distribution)}")
    return parser, parser.add_subparsers(dest="command", required=True)


def build_parser() -> argparse.ArgumentParser:
    parser, commands = program("guardduty-ecs", "operator commands", DISTRIBUTION)

    cover = command(
        commands,
        "coverage",
        "Runtime Monitoring coverage of ECS clusters and EC2 instances; exit 1 if unhealthy",
    )
    cover.add_argument(
        "--region", action="append", help="a region to read (repeat for more; default AWS_REGION)"
    )
    cover.add_argument(
        "--account",
        action="append",
        metavar="ACCOUNT_ID",
        help="only this account's resources (repeat for more; from a GuardDuty administrator, "
        "its members' too; default: every account ListCoverage returns)",
    )
    cover.add_argument("--json", action="store_true", help="print the coverage as JSON")
    cover.set_defaults(handler=_coverage)

    fire = command(
        commands,
        "drill",
        "find the detector, GuardDuty rules and topics of the account and Region, create sample "
        "findings (and optionally scale a service to 0), and wait for each routed alert; exit 1 "
        "when an alert does not arrive or nothing would alert",
    )
    _add_deployment_options(fire)
    fire.add_argument(
        "--finding-type",
        action="append",
        help="a finding type to sample (repeat; default: "
        + ", ".join(drill.DEFAULT_FINDING_TYPES)
        + ")",
    )
    fire.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds to wait for the alerts (default: as long as GuardDuty may take, 6 minutes "
        "for new sample findings, plus the finding publishing frequency when a previous drill "
        "left samples of the same types, which this run then updates)",
    )
    fire.add_argument(
        "--scale-to-zero",
        metavar="CLUSTER/SERVICE",
        help="also scale this ECS service to 0, wait for the Unhealthy alert, then restore it "
        "(asks for confirmation)",
    )
    fire.add_argument(
        "--yes", action="store_true", help="confirm --scale-to-zero without asking (pipelines)"
    )
    fire.set_defaults(handler=_drill)

    check = command(
        commands,
        "verify",
        "check the account and Region's GuardDuty alerts: features, routing of runtime findings, "
        "attack sequences and coverage, rules, topic and key policies, subscriptions, "
        "suppression rules",
    )
    _add_deployment_options(check)
    check.add_argument("--json", action="store_true", help="print the checks as JSON")
    check.set_defaults(handler=_verify)

    return parser


def version(distribution: str) -> str:
    """The installed version of ``distribution`` (the bench's CLI asks for its own)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown (not installed)"


def diagnosis(error: Exception) -> tuple[int, list[str]]:
    """The exit code of an error that ended a command, and the lines that explain it."""
    if isinstance(error, UserError | NoCredentialsError | NoRegionError):
        return EXIT_USER_ERROR, [str(error)]
    if isinstance(error, CheckFailed):
        return EXIT_CHECK_FAILED, [str(error)]
    if isinstance(error, ClientError | BotoCoreError):
        return EXIT_UNEXPECTED, [
            f"AWS said: {error}",
            "hint: check the credentials, region and permissions of this shell",
        ]
    lines = [f"unexpected error: {type(error).__name__}: {error}"]
    if os.environ.get(DEBUG_VARIABLE):
        traceback.print_exc()
    else:
        lines.append(f"hint: rerun with {DEBUG_VARIABLE}=1 for the traceback")
    return EXIT_UNEXPECTED, lines


def run(
    parser: argparse.ArgumentParser,
    argv: list[str] | None,
    diagnose: Callable[[Exception], tuple[int, list[str]]] = diagnosis,
) -> int:
    """Parse ``argv`` and run the chosen command's handler: every error ends in one diagnosis,
    prefixed with the program and command, and its own exit code (``diagnose`` may know more
    errors than ``diagnosis``, as the bench's Terraform failures)."""
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print(f"{parser.prog} {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # every error ends in one diagnosis and its own exit code
        code, lines = diagnose(error)
        print(f"{parser.prog} {args.command}: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(line, file=sys.stderr)
        return code


def main(argv: list[str] | None = None) -> int:
    """``guardduty-ecs``."""
    return run(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
