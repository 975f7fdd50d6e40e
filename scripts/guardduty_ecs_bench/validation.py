"""Judge many bad-input cases of the modules' validation rules in two Terraform runs, not one
plan each.

A validation rule is judged by Terraform itself, so a case needs no AWS API, only a Terraform
command that evaluates the module's variables with the case's values:

1. ``terraform validate`` of one generated root that calls the module once per case, with the
   values as literal arguments. Validate evaluates a rule whose condition reads only its own
   variable, for every call at once.
2. What validate cannot judge (rules that read other variables, whose defaults validate leaves
   unknown, and the root module's inputs, which reach the rules through a module call) goes to
   one ``terraform test`` with ``mock_provider``: one test file per case, because a failed run
   skips the runs after it in its file, each file's run planning the case's module. A plan with
   mocked providers judges the rule as ``terraform plan`` does.

Either way a case's verdict is the diagnostics Terraform reported for it, as text (summary,
detail and the source line it points at), for the caller to assert on.

``validate_together`` uses the same generated root to validate whole directories of the tree at
once, for the static layer.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardduty_ecs_bench import tfdocs
from guardduty_ecs_bench.provider_server import SERVERS, declares_aws_provider, initialise

VALIDATE_DIR = ".validation-cases"
TEST_DIR = "validation-tests"
TEST_ROOT_DIR = ".validation-test-runs"
TOGETHER_DIR = ".validate-together"

# What Terraform judges differently in a called module than in a root: an import block is an
# error there, a backend or cloud block a warning ("Backend configuration ignored").
ROOT_ONLY_BLOCK = re.compile(r'^\s*(?:import\s*\{|backend\s+"|cloud\s*\{)', re.MULTILINE)


@dataclass(frozen=True)
class Case:
    """One bad input: the module (relative to the tree, "." for the root) and its variables."""

    case_id: str
    module: str
    variables: Mapping[str, Any]


@dataclass(frozen=True)
class Expression:
    """HCL written as is (a reference such as ``var.unknown``), where other values are literals."""

    text: str


def hcl(value: Any) -> str:
    """``value`` as an HCL expression. JSON is HCL (objects may use ':'), except that HCL reads
    "${" and "%{" in strings as templates, which "$${" and "%%{" escape."""
    if isinstance(value, Expression):
        return value.text
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


def module_source(module: str) -> str:
    """The source of ``module`` (relative to the tree, "." for the root) from a generated root
    one folder below the tree's root."""
    return "../" if module == "." else f"../{module}"


_MODULE_SOURCE = re.compile(r'^(\s*source\s*=\s*)"[^"]*"', re.MULTILINE)


def readme_usage_blocks(readme: Path) -> list[str]:
    """The HCL blocks of a README that call a module: its usage, as a consumer copies it."""
    blocks = re.findall(r"```hcl\n(.*?)```", readme.read_text(), re.DOTALL)
    return [block for block in blocks if re.search(r'^module "', block, re.MULTILINE)]


def with_module_source(block: str, source: str) -> str:
    """``block`` with every module ``source`` replaced by ``source``."""
    return _MODULE_SOURCE.sub(rf'\1"{source}"', block)


def module_call(name: str, module: str, variables: Mapping[str, Any]) -> str:
    """A module block calling ``module`` from a generated root (see module_source)."""
    return (
        f'module "{name}" {{\n  source = "{module_source(module)}"\n'
        f"{assignments(variables, '  ')}}}\n"
    )


def _generated_root(directory: Path, main_tf: str) -> Path:
    """``directory``, emptied, with ``main_tf`` as its only file."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    (directory / "main.tf").write_text(main_tf)
    return directory


def _after_init(
    directory: Path,
    environment: Mapping[str, str],
    init: list[str],
    command: list[str],
    reattach: bool = True,
) -> str:
    """The output of ``command`` after ``init`` in ``directory``, both reattached to a running
    provider when ``reattach`` and one can serve them (neither configures it:
    guardduty_ecs_bench.provider_server)."""

    def run_init(init_environment: Mapping[str, str]) -> str:
        return _terraform(directory, init_environment, "init", *init)

    if reattach:
        provider = initialise(directory, environment, run_init, configures=False)
    else:
        run_init(environment)
        provider = None
    with SERVERS.environment(provider, environment) as reattached:
        return _terraform(directory, reattached, *command)


def _validate(directory: Path, environment: Mapping[str, str]) -> list[dict[str, Any]]:
    """The diagnostics of ``terraform validate -json`` in ``directory``, after an init."""
    init = ["-backend=false", "-input=false", "-no-color"]
    report = json.loads(
        _after_init(directory, environment, init, ["validate", "-json", "-no-color"])
    )
    return list(report.get("diagnostics", []))


def _called_name(diagnostic: Mapping[str, Any]) -> str:
    """The module call a diagnostic in a generated root points at ("" when none)."""
    context = (diagnostic.get("snippet") or {}).get("context") or ""
    return context.removeprefix("module ").strip('"') if context.startswith("module ") else ""


def _judge_by_validate(
    cases: list[Case], root: Path, environment: Mapping[str, str]
) -> dict[str, list[str]]:
    """Diagnostics per case of one ``terraform validate`` that calls every module per case."""
    names = {f"case_{index}": case for index, case in enumerate(cases)}
    directory = _generated_root(
        root / VALIDATE_DIR,
        "\n".join(module_call(name, case.module, case.variables) for name, case in names.items()),
    )
    verdicts: dict[str, list[str]] = defaultdict(list)
    for diagnostic in _validate(directory, environment):
        name = _called_name(diagnostic)
        if name in names:
            verdicts[names[name].case_id].append(_diagnostic_text(diagnostic))
    return dict(verdicts)


def _judge_by_test(
    cases: list[Case], root: Path, environment: Mapping[str, str]
) -> dict[str, list[str]]:
    """Diagnostics per case of one ``terraform test`` with a file per case, each file's one run
    planning the case's module (``run { module { source } }``) with a mock provider."""
    directory = _generated_root(root / TEST_ROOT_DIR, "# The cases' runs call their modules.\n")
    (directory / TEST_DIR).mkdir()
    runs = {f"case_{index}": case for index, case in enumerate(cases)}
    for name, case in runs.items():
        variables = assignments(case.variables, "    ")
        (directory / TEST_DIR / f"{name}.tftest.hcl").write_text(
            'mock_provider "aws" {}\n\n'
            f'run "{name}" {{\n  command = plan\n\n'
            f'  module {{\n    source = "{module_source(case.module)}"\n  }}\n\n'
            f"  variables {{\n{variables}  }}\n}}\n"
        )
    output = _after_init(
        directory,
        environment,
        ["-input=false", "-no-color", f"-test-directory={TEST_DIR}"],
        ["test", "-json", "-no-color", f"-test-directory={TEST_DIR}"],
        # mock_provider stands in for the default configuration only: a case module's own
        # provider block would be configured for real, on the one process.
        reattach=not any(declares_aws_provider(root / case.module) for case in cases),
    )
    verdicts: dict[str, list[str]] = defaultdict(list)
    for line in output.splitlines():
        message = json.loads(line)
        if message.get("type") == "diagnostic" and message.get("@testrun") in runs:
            verdicts[runs[message["@testrun"]].case_id].append(
                _diagnostic_text(message["diagnostic"])
            )
    return dict(verdicts)


def module_tests(directory: Path, environment: Mapping[str, str]) -> list[dict[str, Any]]:
    """The JSON messages of ``terraform test`` in a module's folder (its ``tests/*.tftest.hcl``,
    whose ``mock_provider`` never configures the real provider), after an init; reattached to a
    running provider when the module has no provider block of its own."""
    output = _after_init(
        directory,
        environment,
        ["-backend=false", "-input=false", "-no-color"],
        ["test", "-json", "-no-color"],
        reattach=not declares_aws_provider(directory),
    )
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def judge(
    cases: Iterable[Case], root: Path, environment: Mapping[str, str]
) -> dict[str, list[str]]:
    """The diagnostics Terraform reports for each case (an empty list: it found nothing wrong).

    ``root`` is a staged tree that may be written to; ``environment`` needs only the Terraform
    CLI configuration (the provider mirror): nothing calls AWS.
    """
    cases = list(cases)
    verdicts = _judge_by_validate([c for c in cases if c.module != "."], root, environment)
    undecided = [case for case in cases if not verdicts.get(case.case_id)]
    if undecided:
        verdicts.update(_judge_by_test(undecided, root, environment))
    return {case.case_id: verdicts.get(case.case_id, []) for case in cases}


def must_validate_as_root(directory: Path) -> bool:
    """True when ``directory`` has a block that Terraform judges otherwise in a called module
    (``ROOT_ONLY_BLOCK``), so that only a validate of its own says what a root validate says."""
    return any(ROOT_ONLY_BLOCK.search(path.read_text()) for path in directory.glob("*.tf"))


def _variable_names(directory: Path) -> list[str]:
    """The inputs ``directory`` declares; none when tfdocs cannot read its files, whose syntax
    error Terraform then reports itself."""
    try:
        variables, _ = tfdocs.parse_module(directory)
    except ValueError:
        return []
    return [variable.name for variable in variables]


def _reached_folders(generated: Path, calls: Mapping[str, Path]) -> dict[str, set[Path]]:
    """For each call of ``generated``: the folder it calls and every folder its calls reach, as
    ``terraform init`` recorded them (keys "call.child.grandchild")."""
    reached = {name: {folder} for name, folder in calls.items()}
    manifest = generated / ".terraform" / "modules" / "modules.json"
    installed = json.loads(manifest.read_text())["Modules"] if manifest.is_file() else []
    for module in installed:
        call = module["Key"].split(".")[0]
        if call in reached:
            reached[call].add((generated / module["Dir"]).resolve())
    return reached


def _calls_reporting(
    diagnostic: Mapping[str, Any], generated: Path, reached: Mapping[str, set[Path]]
) -> list[str]:
    """The calls of ``generated`` that ``diagnostic`` counts against: those that reach the folder
    of its file, or the call it names in ``generated`` itself; all when it points at neither."""
    filename = (diagnostic.get("range") or {}).get("filename")
    if not filename:
        return list(reached)
    folder = (generated / filename).resolve().parent
    if folder == generated.resolve():
        name = _called_name(diagnostic)
        return [name] if name in reached else list(reached)
    return [name for name, folders in reached.items() if folder in folders] or list(reached)


def validate_together(
    root: Path, environment: Mapping[str, str], directories: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    """The diagnostics (errors and warnings, as ``terraform validate -json`` reports them) of
    each of ``directories`` (relative to the staged tree ``root``, "." for the root module), as a
    ``terraform validate`` in that directory would report them: those in its own files and those
    in the modules it calls.

    Why together: every Terraform command costs 3-4 s of CPU, mostly the AWS provider's schema,
    so one init and one validate per directory cost a minute of CPU for the tree. Here one
    generated root calls each directory once and one init and one validate judge them all.

    Why it says what a root validate says: validate makes a root's inputs unknown, and each call
    passes the generated root's one variable, which validate leaves unknown, to every input. A
    diagnostic belongs to the folder of its file and to each directory whose call reaches that
    folder; one in the generated root to the directory of the call it names; one that names
    neither (no file) to every directory, so that none is lost. A directory with a block judged
    otherwise in a called module (``must_validate_as_root``) is validated as a root on its own.
    """
    directories = list(directories)
    alone = [d for d in directories if must_validate_as_root(root / d)]
    called = {f"directory_{i}": d for i, d in enumerate(directories) if d not in alone}
    unknown = Expression("var.unknown")
    calls = [
        module_call(name, directory, dict.fromkeys(_variable_names(root / directory), unknown))
        for name, directory in called.items()
    ]
    generated = _generated_root(
        root / TOGETHER_DIR,
        "# Unknown, as validate makes a root's inputs: every input of every call.\n"
        'variable "unknown" {}\n\n' + "\n".join(calls),
    )
    diagnostics = _validate(generated, environment) if called else []
    reached = _reached_folders(
        generated, {name: (root / directory).resolve() for name, directory in called.items()}
    )
    found: dict[str, list[dict[str, Any]]] = {d: [] for d in directories}
    for diagnostic in diagnostics:
        for name in _calls_reporting(diagnostic, generated, reached):
            # A module reached through several calls reports the same diagnostic for each.
            if diagnostic not in found[called[name]]:
                found[called[name]].append(diagnostic)
    for directory in alone:
        found[directory] = _validate(root / directory, environment)
    return found
