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
import subprocess
import sys
import traceback
from importlib import metadata
from pathlib import Path
from types import ModuleType

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from guardduty_ecs import coverage as coverage_report
from guardduty_ecs import drill, tfdocs, verify
from guardduty_ecs.aws import session_from_environment
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


def _read_outputs(args: argparse.Namespace) -> dict[str, object]:
    """Terraform outputs from a file, standard input, or ``terraform output -json`` in a folder."""
    if args.outputs == "-":
        text = sys.stdin.read()
    elif args.outputs:
        try:
            text = Path(args.outputs).read_text()
        except OSError as error:
            raise UserError(f"cannot read the outputs: {error}") from error
    else:
        try:
            done = subprocess.run(
                ["terraform", "output", "-json"],
                cwd=args.terraform_dir,
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as error:  # no terraform on the PATH, no such folder
            raise UserError(
                f"cannot run terraform output in {args.terraform_dir}: {error}"
            ) from error
        if done.returncode != 0:
            first_line = (done.stderr.strip().splitlines() or ["no output"])[0]
            raise UserError(f"terraform output failed in {args.terraform_dir}: {first_line}")
        text = done.stdout
    try:
        return verify.outputs_from_terraform_json(json.loads(text))
    except json.JSONDecodeError as error:
        raise UserError(f"the outputs are not JSON (terraform output -json): {error}") from error


def _drill(args: argparse.Namespace) -> int:
    outputs = _read_outputs(args)
    session = session_from_environment(dict(os.environ))
    results = drill.run_drill(
        session,
        outputs,
        args.finding_type or list(drill.DEFAULT_FINDING_TYPES),
        args.timeout,
        scale_to_zero=args.scale_to_zero,
    )
    drill.report(results, sys.stdout)
    return EXIT_OK if all(result.passed for result in results) else EXIT_CHECK_FAILED


def _verify(args: argparse.Namespace) -> int:
    outputs = _read_outputs(args)
    session = session_from_environment(dict(os.environ))
    checks = verify.verify(outputs, session)
    verify.report(checks, sys.stdout, as_json=args.json)
    return EXIT_OK if all(check.passed for check in checks) else EXIT_CHECK_FAILED


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


def _add_outputs_source(command: argparse.ArgumentParser) -> None:
    source = command.add_mutually_exclusive_group()
    source.add_argument(
        "--terraform-dir", default=".", help="run `terraform output -json` here (default: .)"
    )
    source.add_argument("--outputs", help="a file with `terraform output -json`, or - for stdin")


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
        "create sample findings (and optionally scale a service to 0) and wait for the alerts",
    )
    _add_outputs_source(fire)
    fire.add_argument(
        "--finding-type",
        action="append",
        help="a runtime finding type to sample (repeat; default: "
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
        help="also scale this ECS service to 0, wait for the Unhealthy alert, then restore it",
    )
    fire.set_defaults(handler=_drill)

    check = _command(
        commands,
        "verify",
        "check a deployed stack: features, rules, topic and key policies, subscriptions",
    )
    _add_outputs_source(check)
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
