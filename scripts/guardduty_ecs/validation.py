"""Judge many bad-input cases of the modules' validation rules in two Terraform runs, not one
plan each.

A validation rule is judged by Terraform itself, so a case needs no AWS API, only a Terraform
command that evaluates the module's variables with the case's values:

1. ``terraform validate`` of one generated root that calls the module once per case, with the
   values as literal arguments. Validate evaluates a rule whose condition reads only its own
   variable, for every call at once.
2. What validate cannot judge (rules that read other variables, whose defaults validate leaves
   unknown, and the root module's inputs, which reach the rules through a module call) goes to
   ``terraform test`` with ``mock_provider``: one test file per case, because a failed run skips
   the runs after it in its file. A plan of each with mocked providers judges the rule as
   ``terraform plan`` does.

Either way a case's verdict is the diagnostics Terraform reported for it, as text (summary,
detail and the source line it points at), for the caller to assert on.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VALIDATE_DIR = ".validation-cases"
TEST_DIR = "validation-tests"


@dataclass(frozen=True)
class Case:
    """One bad input: the module (relative to the tree, "." for the root) and its variables."""

    case_id: str
    module: str
    variables: Mapping[str, Any]


def hcl(value: Any) -> str:
    """``value`` as an HCL expression. JSON is HCL (objects may use ':'), except that HCL reads
    "${" and "%{" in strings as templates, which "$${" and "%%{" escape."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def _diagnostic_text(diagnostic: Mapping[str, Any]) -> str:
    snippet = diagnostic.get("snippet") or {}
    return " ".join(
        str(part)
        for part in (diagnostic.get("summary"), diagnostic.get("detail"), snippet.get("code"))
        if part
    )


def _terraform(directory: Path, environment: Mapping[str, str], *args: str) -> str:
    result = subprocess.run(
        ["terraform", *args],
        cwd=directory,
        env=dict(environment),
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


def assignments(variables: Mapping[str, Any], indent: str) -> str:
    """``variables`` as HCL ``name = value`` lines."""
    return "".join(f"{indent}{key} = {hcl(value)}\n" for key, value in variables.items())


def module_call(name: str, module: str, variables: Mapping[str, Any]) -> str:
    """A module block calling ``module`` (relative to the tree, "." for the root) from a
    generated root one folder below the tree's root."""
    source = "../" if module == "." else f"../{module}"
    return f'module "{name}" {{\n  source = "{source}"\n{assignments(variables, "  ")}}}\n'


def _judge_by_validate(
    cases: list[Case], root: Path, environment: Mapping[str, str]
) -> dict[str, list[str]]:
    """Diagnostics per case of one ``terraform validate`` that calls every module per case."""
    directory = root / VALIDATE_DIR
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    names = {f"case_{index}": case for index, case in enumerate(cases)}
    (directory / "main.tf").write_text(
        "\n".join(module_call(name, case.module, case.variables) for name, case in names.items())
    )
    _terraform(directory, environment, "init", "-backend=false", "-input=false", "-no-color")
    report = json.loads(_terraform(directory, environment, "validate", "-json", "-no-color"))
    verdicts: dict[str, list[str]] = defaultdict(list)
    for diagnostic in report.get("diagnostics", []):
        context = (diagnostic.get("snippet") or {}).get("context") or ""
        name = context.removeprefix("module ").strip('"')
        if name in names:
            verdicts[names[name].case_id].append(_diagnostic_text(diagnostic))
    return dict(verdicts)


def _judge_by_test(
    module: str, cases: list[Case], root: Path, environment: Mapping[str, str]
) -> dict[str, list[str]]:
    """Diagnostics per case of one ``terraform test`` of ``module``, a file per case."""
    module_dir = root / module
    directory = module_dir / TEST_DIR
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    runs = {f"case_{index}": case for index, case in enumerate(cases)}
    for name, case in runs.items():
        variables = assignments(case.variables, "    ")
        (directory / f"{name}.tftest.hcl").write_text(
            'mock_provider "aws" {}\n\n'
            f'run "{name}" {{\n  command = plan\n\n  variables {{\n{variables}  }}\n}}\n'
        )
    _terraform(
        module_dir, environment, "init", "-input=false", "-no-color", f"-test-directory={TEST_DIR}"
    )
    output = _terraform(
        module_dir, environment, "test", "-json", "-no-color", f"-test-directory={TEST_DIR}"
    )
    verdicts: dict[str, list[str]] = defaultdict(list)
    for line in output.splitlines():
        message = json.loads(line)
        if message.get("type") == "diagnostic" and message.get("@testrun") in runs:
            verdicts[runs[message["@testrun"]].case_id].append(
                _diagnostic_text(message["diagnostic"])
            )
    return dict(verdicts)


def judge(
    cases: Iterable[Case], root: Path, environment: Mapping[str, str]
) -> dict[str, list[str]]:
    """The diagnostics Terraform reports for each case (an empty list: it found nothing wrong).

    ``root`` is a staged tree that may be written to; ``environment`` needs only the Terraform
    CLI configuration (the provider mirror): nothing calls AWS.
    """
    cases = list(cases)
    verdicts = _judge_by_validate([c for c in cases if c.module != "."], root, environment)
    undecided: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        if not verdicts.get(case.case_id):
            undecided[case.module].append(case)
    for module, module_cases in undecided.items():
        verdicts.update(_judge_by_test(module, module_cases, root, environment))
    return {case.case_id: verdicts.get(case.case_id, []) for case in cases}
