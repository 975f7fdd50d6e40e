"""``guardduty-ecs``: the operator commands ``coverage``, ``drill`` and ``verify``.

They need boto3 only. Each command is a row of ``COMMANDS``: its name, its one-line summary, the
function that adds its own arguments, its handler (``args -> Outcome``) and whether it reads one
Region or several. Every command gets ``--profile``, ``--output table|json`` (``--json``), its
Region options and the exit codes in its ``--help`` from here; a new command is one more row.

Exit codes (``guardduty_ecs.errors``): 0 all good, 1 a check failed, 2 a mistake of the user or
of the environment (a few lines that name the fix), 3 a bug (with a hint), 130 interrupted.
Arguments and files are checked before any AWS call, then the session's credentials. The test
bench's commands (``guardduty-ecs-bench``) run through ``run`` too, so that both exit alike.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any, NoReturn, TextIO

import boto3

from guardduty_ecs import cost as cost_report
from guardduty_ecs import coverage as coverage_report
from guardduty_ecs import drill, verify
from guardduty_ecs.arguments import check_finding_types, positive_seconds, read_json_object
from guardduty_ecs.aws import open_session
from guardduty_ecs.diagnosis import diagnosis
from guardduty_ecs.discovery import (
    Hints,
    hints_from_document,
    hints_from_outputs,
    hints_from_terraform,
)
from guardduty_ecs.errors import (
    DEBUG_VARIABLE,
    EXIT_CHECK_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNEXPECTED,
    EXIT_USER_ERROR,
    UserError,
    exit_codes_text,
)
from guardduty_ecs.output import JSON, OUTPUTS, TABLE, Outcome, wants_json, write
from guardduty_ecs.regions import (
    NO_DETECTOR,
    check_region,
    check_regions,
    map_regions,
    refused,
    region_problems,
    target_regions,
)

__all__ = ["DEBUG_VARIABLE", "DISTRIBUTION", "build_parser", "diagnosis", "main", "run"]

DISTRIBUTION = "guardduty-ecs-runtime"
ONE_REGION, MANY_REGIONS = "one", "many"

Handler = Callable[[argparse.Namespace], Outcome]


@dataclass(frozen=True)
class Command:
    """One operator command: ``add_arguments`` adds its own options (the common ones are added
    for every command), ``handler`` runs it; ``regions`` is ONE_REGION (``--region R``) or
    MANY_REGIONS (``--region R`` repeated, or ``--all-regions``)."""

    name: str
    summary: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handler: Handler
    regions: str = ONE_REGION


# --- coverage ------------------------------------------------------------------------------


def _coverage_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--account",
        action="append",
        metavar="ACCOUNT_ID",
        help="only this account's resources (repeat for more; from a GuardDuty administrator, "
        "its members' too; default: every account ListCoverage returns)",
    )


def _every_region_failed(
    errors: list[Exception], regions: list[str], fields: dict[str, Any]
) -> Outcome:
    """The outcome when no Region could be read: the first failure's diagnosis (exit 2 for
    credentials, an endpoint, permissions), not an empty table."""
    code, lines = diagnosis(errors[0])
    reason = lines[0] if len(regions) == 1 else f"every Region failed; {regions[0]}: {lines[0]}"
    return Outcome(code, reason, fields, fix=_fix(lines))


def _coverage(args: argparse.Namespace) -> Outcome:
    accounts = coverage_report.account_ids(args.account)
    session = open_session(args.profile, (args.region or [None])[0])
    regions = target_regions(session, args.region, args.all_regions)
    results = coverage_report.coverage(
        session, regions, accounts=accounts, all_regions=args.all_regions
    )
    fields = coverage_report.to_json(results)
    failed = coverage_report.failures(results)
    if failed:
        return _every_region_failed(failed, regions, fields)
    code, reason = coverage_report.verdict(results)

    def table(out: TextIO) -> None:
        coverage_report.report(results, out)

    return Outcome(code, reason, fields, table)


# --- drill and verify: what narrows the search ---------------------------------------------


def _hints(args: argparse.Namespace) -> Hints:
    """What narrows the search in the account: Terraform state, outputs, or topic ARNs; none
    means everything the account and Region have."""
    if args.terraform_dir:
        hints = hints_from_terraform(args.terraform_dir)
    elif args.outputs:
        document = read_json_object(args.outputs, sys.stdin)
        hints = hints_from_outputs(verify.outputs_from_terraform_json(document))
    else:
        hints = Hints()
    if args.topic_arn:
        bad = [arn for arn in args.topic_arn if not hints_from_document([arn], "").topic_arns]
        if bad:
            raise UserError(
                f"--topic-arn: not an SNS topic ARN: {bad[0]}",
                fix="give an ARN such as arn:aws:sns:us-east-1:123456789012:alerts",
            )
        hints = Hints(
            hints.detector_ids,
            frozenset(args.topic_arn),
            frozenset(),
            hints.expected_patterns,
            source=f"--topic-arn {' '.join(args.topic_arn)}",
        )
    return hints


def _deployment_arguments(parser: argparse.ArgumentParser) -> None:
    """What narrows the search in the account and Region."""
    source = parser.add_mutually_exclusive_group()
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
    parser.add_argument(
        "--topic-arn",
        action="append",
        metavar="ARN",
        help="only rules that send to this topic (repeat for more)",
    )


# --- drill ---------------------------------------------------------------------------------


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


def _drill_arguments(parser: argparse.ArgumentParser) -> None:
    _deployment_arguments(parser)
    parser.add_argument(
        "--finding-type",
        action="append",
        metavar="TYPE",
        help="a finding type to sample, <ThreatPurpose>:<ResourceType>/<ThreatFamily> (repeat; "
        "default: " + ", ".join(drill.DEFAULT_FINDING_TYPES) + ")",
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=None,
        metavar="SECONDS",
        help="seconds to wait for the alerts (default: as long as GuardDuty may take, 6 minutes "
        "for new sample findings, plus the finding publishing frequency when a previous drill "
        "left samples of the same types, which this run then updates)",
    )
    parser.add_argument(
        "--scale-to-zero",
        metavar="CLUSTER/SERVICE",
        help="also scale this ECS service to 0, wait for the Unhealthy alert, then restore it "
        "(asks for confirmation)",
    )
    parser.add_argument(
        "--yes", action="store_true", help="confirm --scale-to-zero without asking (pipelines)"
    )


def _drill(args: argparse.Namespace) -> Outcome:
    finding_types = check_finding_types(args.finding_type) or list(drill.DEFAULT_FINDING_TYPES)
    if args.scale_to_zero:
        drill.check_target(args.scale_to_zero)
    hints = _hints(args)
    _confirm_scale_to_zero(args)
    session = open_session(args.profile, args.region)
    (region,) = target_regions(session, None, every=False)
    results = drill.run_drill(
        session, finding_types, args.timeout, hints=hints, scale_to_zero=args.scale_to_zero
    )
    passed, line = drill.exit_verdict(results)
    counts = {status: sum(r.status == status for r in results) for status in drill.STATUSES}
    fields = {
        "region": region,
        "results": [asdict(result) for result in results],
        "summary": {
            "passed": counts[drill.PASS],
            "failed": counts[drill.FAIL],
            "not_routed": counts[drill.NOT_ROUTED],
            "not_observable": counts[drill.NOT_OBSERVABLE],
        },
    }

    def table(out: TextIO) -> None:
        drill.report(results, out)

    return Outcome(EXIT_OK if passed else EXIT_CHECK_FAILED, line, fields, table)


# --- verify --------------------------------------------------------------------------------


@dataclass
class RegionChecks:
    """verify's checks of one Region, or why there are none (``skipped`` by --all-regions)."""

    region: str
    checks: list[verify.Check] = field(default_factory=list)
    error: str = ""
    skipped: bool = False
    failure: Exception | None = field(default=None, repr=False)

    @property
    def status(self) -> str:
        return "skipped" if self.skipped else "error" if self.error else "read"


def _verify_region(session: boto3.Session, region: str, hints: Hints, every: bool) -> RegionChecks:
    try:
        if every and not verify.has_detector(session, region):
            return RegionChecks(region, error=NO_DETECTOR, skipped=True)
        return RegionChecks(region, verify.verify(session, hints=hints, region=region))
    except UserError as error:
        # --all-regions: the Terraform hints name nothing in this Region; it is not theirs.
        return RegionChecks(region, error=str(error), skipped=every, failure=error)
    except Exception as error:  # a Region that fails must not hide the others
        return RegionChecks(region, error=f"{type(error).__name__}: {error}", failure=error)


def _verify_verdict(results: list[RegionChecks]) -> tuple[int, str]:
    checks = [check for result in results for check in result.checks]
    failed = sum(not check.passed for check in checks)
    warnings = sum(check.warning for check in checks)
    problems = [f"{failed} of {len(checks)} checks failed"] if failed else []
    problems += region_problems(results)
    if problems:
        return EXIT_CHECK_FAILED, "; ".join(problems)
    return EXIT_OK, f"{len(checks)} checks passed ({warnings} warnings)"


def _verify_json(results: list[RegionChecks]) -> dict[str, Any]:
    checks = [check for result in results for check in result.checks]
    return {
        "regions": [
            {
                "region": result.region,
                "status": result.status,
                "error": result.error,
                "checks": [
                    {**asdict(check), "verdict": verify.verdict(check)} for check in result.checks
                ],
            }
            for result in results
        ],
        "summary": {
            "passed": sum(check.passed and not check.warning for check in checks),
            "failed": sum(not check.passed for check in checks),
            "warnings": sum(check.warning for check in checks),
        },
    }


def _verify(args: argparse.Namespace) -> Outcome:
    hints = _hints(args)  # files and arguments first, before anything asks AWS
    session = open_session(args.profile, (args.region or [None])[0])
    regions = target_regions(session, args.region, args.all_regions)
    results = map_regions(
        regions, lambda region: _verify_region(session, region, hints, args.all_regions)
    )
    if args.all_regions and any(result.failure is None for result in results):
        for result in results:
            result.skipped = result.skipped or refused(result.failure)
    fields = _verify_json(results)
    failed = [result.failure for result in results if result.failure is not None]
    if len(failed) == len(results):
        return _every_region_failed(failed, regions, fields)
    code, reason = _verify_verdict(results)

    def table(out: TextIO) -> None:
        if len(results) == 1 and not args.all_regions:
            verify.report(results[0].checks, out)
            return
        skipped: dict[str, list[str]] = {}
        for result in results:
            if result.skipped:
                skipped.setdefault(result.error, []).append(result.region)
                continue
            out.write(f"== {result.region}" + (f": {result.error}\n" if result.error else "\n"))
            if result.checks:
                verify.report(result.checks, out)
        for why, regions in skipped.items():
            out.write(f"skipped, {why}: {', '.join(regions)}\n")
        out.write(reason + "\n")

    return Outcome(code, reason, fields, table)


COMMANDS: tuple[Command, ...] = (
    Command(
        "coverage",
        "Runtime Monitoring coverage of ECS clusters and EC2 instances (from an administrator, "
        "of its members too); exit 1 if anything is not healthy",
        _coverage_arguments,
        _coverage,
        MANY_REGIONS,
    ),
    Command(
        "drill",
        "find the detector, GuardDuty rules and their channels (e-mail, chat and raw-events "
        "topics, API destinations) in the account and Region, create sample findings (and "
        "optionally scale a service to 0), and wait for each routed alert on every topic; exit 1 "
        "when an alert does not arrive or reads wrong, a channel fails, or nothing would alert",
        _drill_arguments,
        _drill,
        ONE_REGION,
    ),
    Command(
        "verify",
        "check the account and Region's GuardDuty alerts: features, routing of runtime findings, "
        "attack sequences and coverage, rules and each channel's target (message, retries, "
        "dead-letter queue, alarm), topic, key and queue policies, subscriptions, API "
        "destinations (connection, role), suppression rules; exit 1 on any failure",
        _deployment_arguments,
        _verify,
        MANY_REGIONS,
    ),
    Command(
        "cost",
        "what Runtime Monitoring cost in the last 30 days (GuardDuty's usage statistics; from an "
        "administrator, every member's) and the free-trial days left, what it would cost a month "
        "for the ECS workloads running now, and the alerts' own resources",
        cost_report.add_arguments,
        cost_report.handle,
        MANY_REGIONS,
    ),
)


# --- the program ---------------------------------------------------------------------------


class ArgumentsError(UserError):
    """A command line that argparse cannot parse: exit 2 like any user error, in two lines."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message, fix=f"see `{prog} --help`")
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors end as every user error does (``run``), not in argparse's
    usage text."""

    def error(self, message: str) -> NoReturn:
        raise ArgumentsError(self.prog, message)


def _add_common_options(parser: argparse.ArgumentParser, regions: str) -> None:
    """--profile, --output (and --json), and the Region options of ``regions``."""
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="the AWS profile to use (default: AWS_PROFILE, else the default credential chain)",
    )
    parser.add_argument(
        "--output",
        choices=OUTPUTS,
        default=TABLE,
        help="table for people (default) or json for pipelines: one document with exit_code "
        "and reason (schema in the README)",
    )
    parser.add_argument(
        "--json",
        dest="output",
        action="store_const",
        const=JSON,
        help="the same as --output json",
    )
    if regions == ONE_REGION:
        parser.add_argument(
            "--region", help="the Region (default: AWS_REGION, else the profile's region)"
        )
        return
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--region",
        action="append",
        help="a Region to read (repeat for more; default: AWS_REGION, else the profile's)",
    )
    where.add_argument(
        "--all-regions",
        action="store_true",
        help="every Region where GuardDuty is available (boto3's list, in the partition of "
        "the default Region), 8 at a time; Regions without a detector are skipped",
    )


def _check_common(args: argparse.Namespace) -> None:
    """The Regions given, before anything asks AWS."""
    region = getattr(args, "region", None)
    if isinstance(region, str):
        check_region(region, "--region")
    elif region:
        args.region = check_regions(region)


def command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str
) -> argparse.ArgumentParser:
    """A sub-command whose one-line help is also the description its --help shows, with the
    exit codes as its epilog."""
    return commands.add_parser(
        name,
        help=text,
        description=text,
        epilog=exit_codes_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def program(
    prog: str, what: str, distribution: str
) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction[argparse.ArgumentParser]]:
    """A program with ``--version`` (of ``distribution``), the exit codes in its help, and the
    sub-commands to add; the test bench's command is made the same way."""
    parser = Parser(
        prog=prog,
        description=f"GuardDuty Runtime Monitoring for Amazon ECS: {what}.",
        epilog=exit_codes_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version(distribution)}")
    return parser, parser.add_subparsers(dest="command", required=True)


def build_parser() -> argparse.ArgumentParser:
    parser, commands = program("guardduty-ecs", "operator commands", DISTRIBUTION)
    for spec in COMMANDS:
        sub = command(commands, spec.name, spec.summary)
        _add_common_options(sub, spec.regions)
        spec.add_arguments(sub)
        sub.set_defaults(handler=spec.handler)
    return parser


def version(distribution: str) -> str:
    """The installed version of ``distribution`` (the bench's CLI asks for its own)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown (not installed)"


def _fix(lines: list[str]) -> str:
    return " ".join(line.removeprefix("fix: ") for line in lines[1:])


def run(
    parser: argparse.ArgumentParser,
    argv: list[str] | None,
    diagnose: Callable[[Exception], tuple[int, list[str]]] = diagnosis,
) -> int:
    """Parse ``argv`` and run the chosen command's handler. Its outcome goes to standard output
    (the table, or one JSON document); every error ends in one diagnosis on standard error,
    prefixed with the program and command, and its own exit code (``diagnose`` may know more
    errors than ``diagnosis``, as the bench's Terraform failures); with JSON asked for, the
    document carries the exit code and reason too."""
    argv = sys.argv[1:] if argv is None else list(argv)
    output, name = (JSON if wants_json(argv) else TABLE), parser.prog
    try:
        args = parser.parse_args(argv)
        name, output = f"{parser.prog} {args.command}", getattr(args, "output", output)
        _check_common(args)
        result = args.handler(args)
        if isinstance(result, int):  # the bench's commands write their own output
            return result
        outcome, lines = result, []
        if outcome.exit_code in (EXIT_USER_ERROR, EXIT_UNEXPECTED):
            lines = [outcome.reason] + ([f"fix: {outcome.fix}"] if outcome.fix else [])
    except KeyboardInterrupt:
        outcome, lines = Outcome(EXIT_INTERRUPTED, "interrupted"), ["interrupted"]
    except Exception as error:  # every error ends in one diagnosis and its own exit code
        name = error.prog if isinstance(error, ArgumentsError) else name
        code, lines = diagnose(error)
        outcome = Outcome(code, lines[0], fix=_fix(lines))
    write(name.removeprefix(parser.prog).strip(), outcome, output, sys.stdout)
    if lines:
        print(f"{name}: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(line, file=sys.stderr)
    return outcome.exit_code


def main(argv: list[str] | None = None) -> int:
    """``guardduty-ecs``."""
    return run(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
