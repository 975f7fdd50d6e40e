"""``guardduty-ecs``: the project's operator and maintainer commands.

The operator commands (``coverage``, ``drill``, ``verify``) need boto3 only. ``demo`` and
``benchmark`` need the harness extra (the emulator and tftest) and a checkout of the module;
``docs`` needs a checkout. Exit codes (``guardduty_ecs.errors``): 0 all good, 1 a check failed,
2 a user error (one line), 3 anything unexpected (with a hint), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
from importlib import metadata
from pathlib import Path
from types import ModuleType

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from guardduty_ecs import coverage as coverage_report
from guardduty_ecs import drill, tfdocs, verify
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
from guardduty_ecs.repository import REPO_VARIABLE, find_repository

DISTRIBUTION = "guardduty-ecs-runtime"
DEBUG_VARIABLE = "GUARDDUTY_ECS_DEBUG"


def _harness(module: str) -> ModuleType:
    """A module of the harness extra, or a UserError that says how to install it."""
    try:
        return importlib.import_module(f"guardduty_ecs.{module}")
    except ModuleNotFoundError as missing:
        raise UserError(
            f"this command needs the harness ({missing.name} is not installed): "
            f"pip install '{DISTRIBUTION}[harness]' from a checkout of the module"
        ) from missing


def _demo(args: argparse.Namespace) -> int:
    demo = _harness("demo")
    repo = find_repository(args.repo)
    demo.run_demo(
        sys.stdout, repo, Path(args.work_dir) if args.work_dir else None, progress=sys.stderr
    )
    return EXIT_OK


def _benchmark_table(args: argparse.Namespace, benchmark: ModuleType) -> int:
    """Every figure of the benchmark in one Markdown report, on stdout and in ``--out``."""
    work_dir = Path(args.work_dir) if args.work_dir else None
    out = Path(args.out) if args.out else None
    if out and not out.parent.is_dir():  # say so now, not after many minutes of measuring
        raise UserError(f"--out: no folder {out.parent}")
    table = benchmark.measure_table(
        find_repository(args.repo),
        skip_suite=args.skip_suite,
        events_per_rule=(benchmark.DEFAULT_EVENTS_PER_RULE if args.events is None else args.events),
        work_dir=work_dir,
        progress=sys.stderr,
    )
    text = benchmark.render_table(table)
    sys.stdout.write(text)
    if out:
        out.write_text(text)
    return EXIT_OK


def _benchmark(args: argparse.Namespace) -> int:
    if args.skip_suite and not args.table:
        raise UserError("--skip-suite only applies to --table")
    if args.out and not args.table:
        raise UserError("--out only applies to --table")
    benchmark = _harness("benchmark")
    if args.table:
        return _benchmark_table(args, benchmark)
    work_dir = Path(args.work_dir) if args.work_dir else None
    if args.coverage_accounts:
        org = benchmark.measure_organization_coverage(
            args.coverage_accounts, args.coverage_regions, args.coverage_clusters or 10, work_dir
        )
        print(
            f"coverage of {org.accounts} member accounts x {org.regions} regions x "
            f"{org.clusters} clusters, from the delegated administrator: {org.rows} rows of "
            f"{org.accounts_seen} accounts in {org.api_calls} API calls, {org.seconds:.2f}s "
            f"(built in {org.build_seconds:.1f}s)"
        )
        return EXIT_OK
    if args.coverage_clusters:
        figures = benchmark.measure_coverage(args.coverage_clusters, work_dir)
        print(
            f"coverage of {figures.clusters} clusters: {figures.rows} rows in "
            f"{figures.api_calls} API calls, {figures.seconds:.2f}s "
            f"(built in {figures.build_seconds:.1f}s)"
        )
        return EXIT_OK
    summary = benchmark.measure_alert_latency(
        100 if args.events is None else args.events, find_repository(args.repo), work_dir
    )
    benchmark.report(summary, sys.stdout)
    return EXIT_OK


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


def _docs(args: argparse.Namespace) -> int:
    # Any tree of modules may be given; without one, the checkout this runs in.
    root = Path(args.root).resolve() if args.root else find_repository()
    if not root.is_dir():
        raise UserError(f"{root} is not a directory")
    try:
        stale = [
            readme
            for module_dir in tfdocs.find_module_dirs(root)
            if tfdocs.update_readme(
                readme := module_dir / "README.md", module_dir, check=args.check
            )
        ]
    except ValueError as error:  # a README without markers, a .tf file it cannot read
        raise UserError(str(error)) from error
    for readme in stale:
        verb = "is out of date" if args.check else "updated"
        print(f"{readme.relative_to(root)} {verb}")
    if args.check and stale:
        print("run `make docs` (guardduty-ecs docs) and commit the result", file=sys.stderr)
        return EXIT_CHECK_FAILED
    return EXIT_OK


def _inventories(args: argparse.Namespace) -> int:
    inventory = _harness("inventory")
    repo = find_repository(args.repo)
    changed = inventory.regenerate(repo, check=args.check, progress=sys.stderr)
    for path in changed:
        print(f"{path.relative_to(repo)} {'is out of date' if args.check else 'regenerated'}")
    if args.check and changed:
        print(inventory.REGENERATE, file=sys.stderr)
        return EXIT_CHECK_FAILED
    return EXIT_OK


def _add_repo(command: argparse.ArgumentParser, name: str = "--repo") -> None:
    command.add_argument(
        name,
        help=f"a checkout of the module (default: ${REPO_VARIABLE}, else the current directory "
        "or a parent of it)",
    )


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


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str
) -> argparse.ArgumentParser:
    """A sub-command whose one-line help is also the description its --help shows."""
    return commands.add_parser(name, help=text, description=text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guardduty-ecs",
        description="GuardDuty Runtime Monitoring for Amazon ECS: operator and maintainer "
        "commands. Exit codes: 0 all good, 1 a check failed, 2 a user error, 3 unexpected, "
        "130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = _command(
        commands,
        "demo",
        "the blog scenario (examples/ecs-fargate) against the local emulator: apply, "
        "coverage, drill with scale-to-zero, verify, second plan, destroy (needs the harness)",
    )
    demo.add_argument("--work-dir", help="keep Terraform working files here instead of a temp dir")
    _add_repo(demo)
    demo.set_defaults(handler=_demo)

    bench = _command(
        commands,
        "benchmark",
        "measure alert latency (or coverage paging, or everything as a table) against the local "
        "emulator (needs the harness)",
    )
    bench.add_argument(
        "--events",
        type=int,
        help="findings to put (default 100); with --table, events per alert rule (default 20)",
    )
    bench.add_argument(
        "--table",
        action="store_true",
        help="measure everything (the test suite per layer, plans, apply and destroy of each "
        "example, validation cases, coverage of 1k and 10k clusters, alert latency per rule) and "
        "print a Markdown table",
    )
    bench.add_argument(
        "--skip-suite",
        action="store_true",
        help="with --table, leave out the test suite runs (they take minutes)",
    )
    bench.add_argument("--out", metavar="FILE", help="with --table, also write the table to FILE")
    bench.add_argument(
        "--coverage-clusters",
        type=int,
        metavar="N",
        help="instead, time `guardduty-ecs coverage` over N monitored Fargate clusters "
        "(per member account and region with --coverage-accounts; default there 10)",
    )
    bench.add_argument(
        "--coverage-accounts",
        type=int,
        metavar="N",
        help="instead, time `guardduty-ecs coverage` from a delegated GuardDuty administrator "
        "over N member accounts, each with --coverage-clusters clusters with a running Fargate "
        "task in each of --coverage-regions regions",
    )
    bench.add_argument(
        "--coverage-regions",
        type=int,
        default=1,
        metavar="N",
        help="regions of --coverage-accounts (default 1; at most 8)",
    )
    bench.add_argument("--work-dir", help="keep Terraform working files here instead of a temp dir")
    _add_repo(bench)
    bench.set_defaults(handler=_benchmark)

    cover = _command(
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

    fire = _command(
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

    check = _command(
        commands,
        "verify",
        "check the account and Region's GuardDuty alerts: features, routing of runtime findings, "
        "attack sequences and coverage, rules, topic and key policies, subscriptions, "
        "suppression rules",
    )
    _add_deployment_options(check)
    check.add_argument("--json", action="store_true", help="print the checks as JSON")
    check.set_defaults(handler=_verify)

    docs = _command(
        commands,
        "docs",
        "regenerate the inputs/outputs tables between the terraform-docs markers",
    )
    docs.add_argument("--check", action="store_true", help="only report READMEs that are stale")
    docs.add_argument(
        "--root", help="the tree whose modules to document (default: the checkout this runs in)"
    )
    docs.set_defaults(handler=_docs)
    inventories = _command(
        commands,
        "inventories",
        "regenerate the plan inventories of tests/plan/inventories from plans against the "
        "emulator (review the diff); --check only reports stale ones (needs the harness)",
    )
    inventories.add_argument("--check", action="store_true", help="only report stale inventories")
    _add_repo(inventories)
    inventories.set_defaults(handler=_inventories)
    return parser


def _version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown (not installed)"


def _terraform_failure(error: Exception) -> str | None:
    """Terraform's error diagnostics, when ``error`` is a failed Terraform run of the harness."""
    if type(error).__name__ != "TerraformTestError":
        return None
    stderr = error.args[1] if len(error.args) > 1 else ""
    return (str(stderr).strip() or str(error.args[0]).strip())[-4000:]


def _diagnosis(error: Exception) -> tuple[int, list[str]]:
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
    diagnostics = _terraform_failure(error)
    if diagnostics is not None:
        return EXIT_UNEXPECTED, [f"terraform failed:\n{diagnostics}"]
    lines = [f"unexpected error: {type(error).__name__}: {error}"]
    if os.environ.get(DEBUG_VARIABLE):
        traceback.print_exc()
    else:
        lines.append(f"hint: rerun with {DEBUG_VARIABLE}=1 for the traceback")
    return EXIT_UNEXPECTED, lines


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print(f"guardduty-ecs {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # every error ends in one diagnosis and its own exit code
        code, lines = _diagnosis(error)
        print(f"guardduty-ecs {args.command}: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(line, file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
