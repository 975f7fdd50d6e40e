"""Static checks of the Terraform code: formatting, validation, conventions, checkov, docs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from python_terraform import Terraform

from guardduty_ecs_bench import tfdocs
from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_bench.terraform import TerraformSettings, stage_tree
from guardduty_ecs_bench.validation import must_validate_as_root, validate_together

pytestmark = pytest.mark.static

REPO = Path(__file__).resolve().parents[2]
MODULE_DIRS = [
    ".",
    *sorted(
        str(path.parent.relative_to(REPO))
        for path in REPO.glob("*/*/versions.tf")
        if path.parts[-3] in {"modules", "examples"}
    ),
]
REUSABLE_MODULE_DIRS = [d for d in MODULE_DIRS if not d.startswith("examples/")]


def test_terraform_fmt() -> None:
    # python-terraform returns fmt's exit code and listing instead of raising on "not formatted".
    code, listing, errors = Terraform(working_dir=str(REPO)).cmd(
        "fmt", "-check", "-recursive", "-list=true", "-no-color"
    )
    unformatted = [line for line in listing.splitlines() if "/.terraform/" not in line]
    assert (code, unformatted) == (0, []), errors


Diagnostics = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def validate_diagnostics(offline_workbench: Workbench) -> Diagnostics:
    """Each directory's validate diagnostics, from one init and one validate for all of them: a
    Terraform command costs 3-4 s of CPU, and two per directory cost nearly a minute."""
    return validate_together(offline_workbench.root, offline_workbench.environment, MODULE_DIRS)


def described(diagnostics: list[dict[str, Any]]) -> str:
    """Diagnostics as Terraform prints them: severity, summary, file and line, detail."""
    lines = []
    for diagnostic in diagnostics:
        where = diagnostic.get("range") or {}
        place = f"{where.get('filename')}:{where.get('start', {}).get('line')}" if where else ""
        lines.append(
            f"{diagnostic['severity']}: {diagnostic['summary']} {place}\n"
            f"  {diagnostic.get('detail', '')}"
        )
    return "\n".join(lines)


# One worker runs the shared validate; under xdist every worker would otherwise run its own.
@pytest.mark.xdist_group("static-validate")
@pytest.mark.parametrize("module", MODULE_DIRS)
def test_terraform_validate(validate_diagnostics: Diagnostics, module: str) -> None:
    diagnostics = validate_diagnostics[module]
    errors = [d for d in diagnostics if d["severity"] == "error"]
    assert not errors, described(diagnostics)
    assert not diagnostics, described(diagnostics)  # warnings


def test_validate_together_reports_each_diagnostic_where_a_validate_of_its_own_would(
    tmp_path: Path, terraform_settings: TerraformSettings, repo_root: Path
) -> None:
    """A diagnostic counts against its module and every directory whose validate reaches it:
    modules/alerts through the root module, which the examples call; modules/organization
    through examples/organization only; modules/vpc-endpoint, which nothing calls, alone.

    Seven directories are enough to tell these apart, and cost some 3 s of CPU less than all.
    """
    root = stage_tree(tmp_path, repo_root)
    breakages = {
        "modules/alerts": "locals {\n  broken = var.not_declared\n}\n",
        "modules/organization": "locals {\n  broken = local.not_declared\n}\n",
        "modules/vpc-endpoint": 'provider "aws" {\n  version = ">= 5.100.0"\n}\n',
    }
    for module, text in breakages.items():
        with (root / module / "main.tf").open("a") as main_tf:
            main_tf.write("\n" + text)

    directories = [
        ".",
        "examples/minimal",
        "examples/organization",
        "modules/alerts",
        "modules/detection-controls",
        "modules/organization",
        "modules/vpc-endpoint",
    ]
    found = validate_together(root, terraform_settings.environment(), directories)

    alerts = ("error", "Reference to undeclared input variable")
    organization = ("error", "Reference to undeclared local value")
    vpc_endpoint = (
        "warning",
        "Version constraints inside provider configuration blocks are deprecated",
    )
    reported = {
        directory: sorted({(d["severity"], d["summary"]) for d in diagnostics})
        for directory, diagnostics in found.items()
        if diagnostics
    }
    assert reported == {
        ".": [alerts],
        "examples/minimal": [alerts],
        "examples/organization": sorted([alerts, organization]),
        "modules/alerts": [alerts],
        "modules/organization": [organization],
        "modules/vpc-endpoint": [vpc_endpoint],
    }


def test_no_directory_needs_a_validate_of_its_own(tmp_path: Path) -> None:
    """validate_together validates a directory with a root-only block (import, backend, cloud)
    on its own, at the CPU of two more Terraform commands; none has one today."""
    (tmp_path / "versions.tf").write_text('terraform {\n  backend "s3" {}\n}\n')
    assert must_validate_as_root(tmp_path)
    assert [d for d in MODULE_DIRS if must_validate_as_root(REPO / d)] == []


@pytest.mark.parametrize("module", REUSABLE_MODULE_DIRS)
def test_modules_declare_no_provider_block(module: str) -> None:
    for tf_file in (REPO / module).glob("*.tf"):
        assert not re.search(r'^\s*provider\s+"', tf_file.read_text(), re.MULTILINE), tf_file


@pytest.mark.parametrize("module", MODULE_DIRS)
def test_every_variable_and_output_is_described_and_typed(module: str) -> None:
    variables, outputs = tfdocs.parse_module(REPO / module)
    assert [v.name for v in variables if not v.description.strip()] == []
    assert [v.name for v in variables if v.type == "any"] == []
    assert [o.name for o in outputs if not o.description.strip()] == []


def test_readme_tables_are_current() -> None:
    module_dirs = tfdocs.find_module_dirs(REPO)
    assert {REPO / d for d in MODULE_DIRS} <= set(module_dirs), "a module README lacks markers"
    stale = [str(d) for d in module_dirs if tfdocs.update_readme(d / "README.md", d, check=True)]
    assert stale == [], "run `make docs` and commit the result"


def test_checkov_passes_with_reasoned_skips() -> None:
    checkov = Path(sys.executable).with_name("checkov")
    result = subprocess.run(
        [str(checkov), "--config-file", str(REPO / ".checkov.yaml"), "-o", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    summary = {key: sum(r["summary"][key] for r in reports) for key in ("passed", "failed")}
    failed = [
        f"{check['check_id']} {check['resource']} ({check['file_path']})"
        for report in reports
        for check in report["results"]["failed_checks"]
    ]
    skips_without_reason = [
        check["check_id"]
        for report in reports
        for check in report["results"]["skipped_checks"]
        if len((check.get("check_result", {}).get("suppress_comment") or "").strip()) < 20
    ]
    print(f"checkov: {summary['passed']} passed, {summary['failed']} failed")
    assert failed == []
    assert skips_without_reason == []
    assert summary["passed"] > 0
