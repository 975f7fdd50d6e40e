"""``guardduty-ecs-bench``: the test bench's commands, for the people who change this repository.

``demo`` (the README's scenario against the emulator), ``benchmark``, ``docs`` (the READMEs'
inputs and outputs tables) and ``inventories`` (the plan inventories) need a checkout of the
module, found from ``--repo``, ``GUARDDUTY_ECS_REPO`` or the current directory. They exit as the
operator commands do (``guardduty_ecs.cli.run``), and a failed Terraform run of the harness exits
3 with Terraform's diagnostics.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from guardduty_ecs.cli import command, diagnosis, program, run
from guardduty_ecs.errors import EXIT_CHECK_FAILED, EXIT_OK, EXIT_UNEXPECTED, UserError
from guardduty_ecs_bench import bad_invocations, benchmark, demo, inventory, tfdocs
from guardduty_ecs_bench.repository import REPO_VARIABLE, find_repository

DISTRIBUTION = "guardduty-ecs-bench"


def _demo(args: argparse.Namespace) -> int:
    repo = find_repository(args.repo)
    demo.run_demo(
        sys.stdout, repo, Path(args.work_dir) if args.work_dir else None, progress=sys.stderr
    )
    return EXIT_OK


def _benchmark_table(args: argparse.Namespace) -> int:
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
    if args.table:
        return _benchmark_table(args)
    work_dir = Path(args.work_dir) if args.work_dir else None
    if args.coverage_accounts:
        org = benchmark.measure_organization(
            args.coverage_accounts, args.coverage_regions, args.coverage_clusters or 10, work_dir
        )
        print(
            f"{org.accounts} member accounts x {org.regions} regions x {org.clusters} clusters, "
            f"from the delegated administrator (built in {org.build_seconds:.1f}s): coverage "
            f"{org.coverage_rows} rows in {org.coverage_calls} API calls, "
            f"{org.coverage_seconds:.2f}s; cost {org.cost_accounts} accounts, "
            f"{org.cost_usd:.2f} USD read, in {org.cost_calls} API calls, {org.cost_seconds:.2f}s"
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
        print("run `make docs` (guardduty-ecs-bench docs) and commit the result", file=sys.stderr)
        return EXIT_CHECK_FAILED
    return EXIT_OK


def _inventories(args: argparse.Namespace) -> int:
    repo = find_repository(args.repo)
    changed = inventory.regenerate(repo, check=args.check, progress=sys.stderr)
    for path in changed:
        print(f"{path.relative_to(repo)} {'is out of date' if args.check else 'regenerated'}")
    if args.check and changed:
        print(inventory.REGENERATE, file=sys.stderr)
        return EXIT_CHECK_FAILED
    return EXIT_OK


def _bad_invocations(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else None
    if out and not out.parent.is_dir():
        raise UserError(f"--out: no folder {out.parent}")
    return EXIT_CHECK_FAILED if bad_invocations.report(sys.stdout, out) else EXIT_OK


def _add_repo(command: argparse.ArgumentParser, name: str = "--repo") -> None:
    command.add_argument(
        name,
        help=f"a checkout of the module (default: ${REPO_VARIABLE}, else the current directory "
        "or a parent of it)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser, commands = program(
        "guardduty-ecs-bench",
        "the test bench's commands (a checkout of the module, the emulator, Terraform)",
        DISTRIBUTION,
    )

    scenario = command(
        commands,
        "demo",
        "the blog scenario (examples/ecs-fargate) against the local emulator: apply, "
        "coverage, drill with scale-to-zero, verify, second plan, destroy",
    )
    scenario.add_argument(
        "--work-dir", help="keep Terraform working files here instead of a temp dir"
    )
    _add_repo(scenario)
    scenario.set_defaults(handler=_demo)

    bench = command(
        commands,
        "benchmark",
        "measure alert latency (or coverage paging, or everything as a table) against the local "
        "emulator",
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
        "example, validation cases, coverage of 1k and 10k clusters, coverage and cost of 100 "
        "members x 4 regions x 10 clusters, alert latency per rule) and "
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
        help="instead, time `guardduty-ecs coverage` and `guardduty-ecs cost` from a delegated "
        "GuardDuty administrator over N member accounts, each with --coverage-clusters clusters "
        "with a running Fargate task in each of --coverage-regions regions",
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

    docs = command(
        commands,
        "docs",
        "regenerate the inputs/outputs tables between the terraform-docs markers",
    )
    docs.add_argument("--check", action="store_true", help="only report READMEs that are stale")
    docs.add_argument(
        "--root", help="the tree whose modules to document (default: the checkout this runs in)"
    )
    docs.set_defaults(handler=_docs)
    inventories = command(
        commands,
        "inventories",
        "regenerate the plan inventories of tests/plan/inventories from plans against the "
        "emulator (review the diff); --check only reports stale ones",
    )
    inventories.add_argument("--check", action="store_true", help="only report stale inventories")
    _add_repo(inventories)
    inventories.set_defaults(handler=_inventories)

    bad = command(
        commands,
        "bad-invocations",
        "run bad invocations of the installed guardduty-ecs (arguments, files, credentials, "
        "profiles, Regions, endpoints, permissions, ...) against local servers and print a "
        "Markdown table of exit code, stderr lines and seconds; exit 1 if one ends unexpectedly",
    )
    bad.add_argument("--out", metavar="FILE", help="also write the table to FILE")
    bad.set_defaults(handler=_bad_invocations)
    return parser


def _terraform_failure(error: Exception) -> str | None:
    """Terraform's error diagnostics, when ``error`` is a failed Terraform run of the harness."""
    if type(error).__name__ != "TerraformTestError":
        return None
    stderr = error.args[1] if len(error.args) > 1 else ""
    return (str(stderr).strip() or str(error.args[0]).strip())[-4000:]


def _diagnosis(error: Exception) -> tuple[int, list[str]]:
    """A failed Terraform run of the harness says what Terraform said; any other error is
    diagnosed as the operator commands' are."""
    diagnostics = _terraform_failure(error)
    if diagnostics is not None:
        return EXIT_UNEXPECTED, [f"terraform failed:\n{diagnostics}"]
    return diagnosis(error)


def main(argv: list[str] | None = None) -> int:
    """``guardduty-ecs-bench``."""
    return run(build_parser(), argv, _diagnosis)


if __name__ == "__main__":
    sys.exit(main())
