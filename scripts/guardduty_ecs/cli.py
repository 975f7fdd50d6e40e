"""``guardduty-ecs``: the project's operator and maintainer commands."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import tftest

from guardduty_ecs import benchmark, drill, tfdocs, verify
from guardduty_ecs import coverage as coverage_report
from guardduty_ecs.aws import session_from_environment
from guardduty_ecs.demo import DemoFailure, run_demo
from guardduty_ecs.deployment import LeftoverResources
from guardduty_ecs.emulator.process import EmulatorError
from guardduty_ecs.probe import ProbeTimeout
from guardduty_ecs.terraform import REPO_ROOT, ProviderMirrorError


def _demo(args: argparse.Namespace) -> int:
    run_demo(sys.stdout, Path(args.work_dir) if args.work_dir else None)
    return 0


def _benchmark(args: argparse.Namespace) -> int:
    work_dir = Path(args.work_dir) if args.work_dir else None
    if args.coverage_clusters:
        figures = benchmark.measure_coverage(args.coverage_clusters, work_dir)
        print(
            f"coverage of {figures.clusters} clusters: {figures.rows} rows in "
            f"{figures.api_calls} API calls, {figures.seconds:.2f}s"
        )
        return 0
    summary = benchmark.measure_alert_latency(args.events, work_dir)
    benchmark.report(summary, sys.stdout)
    return 0


def _coverage(args: argparse.Namespace) -> int:
    session = session_from_environment(dict(os.environ))
    regions = args.region or [session.region_name or ""]
    if not all(regions):
        raise ValueError("give --region (or set AWS_REGION)")
    results = coverage_report.coverage(session, regions)
    coverage_report.report(results, sys.stdout, as_json=args.json)
    return 0 if coverage_report.is_healthy(results) else 1


def _read_outputs(args: argparse.Namespace) -> dict[str, object]:
    """Terraform outputs from a file, standard input, or ``terraform output -json`` in a folder."""
    if args.outputs == "-":
        text = sys.stdin.read()
    elif args.outputs:
        text = Path(args.outputs).read_text()
    else:
        done = subprocess.run(
            ["terraform", "output", "-json"],
            cwd=args.terraform_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise ValueError(f"terraform output failed in {args.terraform_dir}: {done.stderr}")
        text = done.stdout
    try:
        return verify.outputs_from_terraform_json(json.loads(text))
    except json.JSONDecodeError as error:
        raise ValueError(f"the outputs are not JSON (terraform output -json): {error}") from error


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
    return 0 if all(result.passed for result in results) else 1


def _verify(args: argparse.Namespace) -> int:
    outputs = _read_outputs(args)
    session = session_from_environment(dict(os.environ))
    checks = verify.verify(outputs, session)
    verify.report(checks, sys.stdout, as_json=args.json)
    return 0 if all(check.passed for check in checks) else 1


def _docs(args: argparse.Namespace) -> int:
    root = Path(args.root)
    stale = [
        readme
        for module_dir in tfdocs.find_module_dirs(root)
        if tfdocs.update_readme(readme := module_dir / "README.md", module_dir, check=args.check)
    ]
    for readme in stale:
        verb = "is out of date" if args.check else "updated"
        print(f"{readme.relative_to(root)} {verb}")
    if args.check and stale:
        print("run `make docs` (guardduty-ecs docs) and commit the result", file=sys.stderr)
        return 1
    return 0


def _add_outputs_source(command: argparse.ArgumentParser) -> None:
    source = command.add_mutually_exclusive_group()
    source.add_argument(
        "--terraform-dir", default=".", help="run `terraform output -json` here (default: .)"
    )
    source.add_argument("--outputs", help="a file with `terraform output -json`, or - for stdin")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guardduty-ecs",
        description="GuardDuty Runtime Monitoring for Amazon ECS: operator and maintainer commands",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="apply examples/complete against the local emulator, re-plan, destroy"
    )
    demo.add_argument("--work-dir", help="keep Terraform working files here instead of a temp dir")
    demo.set_defaults(handler=_demo)

    bench = commands.add_parser(
        "benchmark",
        help="measure alert latency (or coverage paging) against the local emulator",
    )
    bench.add_argument("--events", type=int, default=100, help="findings to put (default 100)")
    bench.add_argument(
        "--coverage-clusters",
        type=int,
        metavar="N",
        help="instead, time `guardduty-ecs coverage` over N monitored Fargate clusters",
    )
    bench.add_argument("--work-dir", help="keep Terraform working files here instead of a temp dir")
    bench.set_defaults(handler=_benchmark)

    cover = commands.add_parser(
        "coverage",
        help="Runtime Monitoring coverage of ECS clusters and EC2 instances; exit 1 if unhealthy",
    )
    cover.add_argument(
        "--region", action="append", help="a region to read (repeat for more; default AWS_REGION)"
    )
    cover.add_argument("--json", action="store_true", help="print the coverage as JSON")
    cover.set_defaults(handler=_coverage)

    fire = commands.add_parser(
        "drill",
        help="create sample findings (and optionally scale a service to 0) and wait for the alerts",
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

    check = commands.add_parser(
        "verify",
        help="check a deployed stack: features, rules, topic and key policies, subscriptions",
    )
    _add_outputs_source(check)
    check.add_argument("--json", action="store_true", help="print the checks as JSON")
    check.set_defaults(handler=_verify)

    docs = commands.add_parser(
        "docs", help="regenerate the inputs/outputs tables between the terraform-docs markers"
    )
    docs.add_argument("--check", action="store_true", help="only report READMEs that are stale")
    docs.add_argument("--root", default=str(REPO_ROOT), help="repository root")
    docs.set_defaults(handler=_docs)
    return parser


def _terraform_diagnostics(error: tftest.TerraformTestError) -> str:
    """Terraform's error diagnostics only, without the plan it printed before them."""
    stderr = error.args[1] if len(error.args) > 1 else ""
    return str(stderr).strip() or str(error.args[0]).strip()[-4000:]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except tftest.TerraformTestError as error:
        print(f"guardduty-ecs {args.command}: terraform failed:", file=sys.stderr)
        print(_terraform_diagnostics(error), file=sys.stderr)
        return 1
    except (
        DemoFailure,
        EmulatorError,
        LeftoverResources,
        ProbeTimeout,
        ProviderMirrorError,
        ValueError,
    ) as error:
        print(f"guardduty-ecs {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
