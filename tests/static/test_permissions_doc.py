"""docs/permissions.md stays true to the code: each module's section names every resource and
data source type the module uses, the root module's section names every module the root calls,
every AWS API an operator command calls is an IAM action of its section's policy, and every
policy is JSON a platform team can paste.

An operator command's calls are found in the source, not run: every call ``<client>.<method>(...)``
(or ``<client>.get_paginator("<method>")``) whose receiver is named like a boto3 client (``sqs``,
``self._sqs``, ``client(session, "sts")``, ``api("sns")``) and whose method is an operation of that
service in botocore's model. The IAM action is the client name and the operation's name
(``sqs.create_queue`` -> ``sqs:CreateQueue``), which holds for every service these commands use.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import botocore.session
import pytest
from botocore import xform_name

pytestmark = pytest.mark.static

DOC = Path("docs") / "permissions.md"
PACKAGE = Path("scripts") / "guardduty_ecs"

# The operator commands' modules, and the sections (commands) whose policy their calls belong to:
# discovery serves drill, verify and cost, aws.read_detector serves verify.
OPERATOR_FILES = {
    "cli.py": ("coverage", "verify", "drill"),
    "coverage.py": ("coverage",),
    "cost.py": ("cost",),
    "verify.py": ("verify",),
    "aws.py": ("verify",),
    "discovery.py": ("drill", "verify", "cost"),
    "drill.py": ("drill",),
    "probe.py": ("drill",),
}
# Functions whose calls belong to a section of their own.
FUNCTION_SECTIONS = {("drill.py", "_scale_to_zero_drill"): ("drill --scale-to-zero",)}
# Actions that need no permission: the page must say so in the section, not grant them.
NO_PERMISSION_NEEDED = {"sts:GetCallerIdentity"}
ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")


@cache
def _operations(service: str) -> dict[str, str] | None:
    """boto3 method name -> API operation name, for a service botocore knows."""
    session = botocore.session.get_session()
    if service not in session.get_available_services():
        return None
    model = session.get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


def _client_name(receiver: ast.expr) -> str | None:
    """The service of a receiver named like a boto3 client, if it names one."""
    if isinstance(receiver, ast.Name):
        candidates = [receiver.id.lstrip("_")]
    elif isinstance(receiver, ast.Attribute):
        candidates = [receiver.attr.lstrip("_")]
    elif isinstance(receiver, ast.Call):  # client(session, "sts", ...), api("sns")
        candidates = [
            arg.value
            for arg in receiver.args
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        ]
    else:
        return None
    return next((name for name in candidates if _operations(name) is not None), None)


class _Calls(ast.NodeVisitor):
    """Every AWS API call of a module: (outermost enclosing function or "", IAM action)."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []
        self._functions: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._functions.append(node.name)
        self.generic_visit(node)
        self._functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and (service := _client_name(func.value)):
            method = func.attr
            if method == "get_paginator" and node.args and isinstance(node.args[0], ast.Constant):
                method = str(node.args[0].value)
            operation = (_operations(service) or {}).get(method)
            if operation:
                function = self._functions[0] if self._functions else ""
                self.found.append((function, f"{service}:{operation}"))
        self.generic_visit(node)


def _calls(path: Path) -> list[tuple[str, str]]:
    visitor = _Calls()
    visitor.visit(ast.parse(path.read_text(), filename=str(path)))
    return visitor.found


def _sections(repo_root: Path) -> dict[str, str]:
    """Each ``###`` section of the page by the first code span of its heading (``modules/alerts``,
    ``guardduty-ecs drill``, ``.``), its text up to the next heading."""
    text = (repo_root / DOC).read_text()
    sections = {}
    for match in re.finditer(r"^### (.+?)\n(.*?)(?=^#{1,3} |\Z)", text, re.M | re.S):
        heading, body = match.groups()
        code = re.search(r"`([^`]+)`", heading)
        sections[code.group(1) if code else heading.strip()] = body
    return sections


def _policies(text: str) -> Iterator[dict]:
    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        yield json.loads(block)


def _actions(text: str) -> set[str]:
    actions: set[str] = set()
    for policy in _policies(text):
        for statement in policy["Statement"]:
            action = statement["Action"]
            actions |= {action} if isinstance(action, str) else set(action)
    return actions


def _granted(body: str, action: str) -> bool:
    """The section's policy has the action, or the section says that it needs no permission."""
    if action in NO_PERMISSION_NEEDED:
        return action in body
    return action in _actions(body)


def _section(sections: dict[str, str], key: str) -> str:
    assert key in sections, f"docs/permissions.md has no section headed with `{key}`"
    return sections[key]


def test_every_policy_is_valid_json_to_paste(repo_root: Path) -> None:
    policies = list(_policies((repo_root / DOC).read_text()))
    assert len(policies) >= 10, "the page has a policy per module and command"
    for policy in policies:
        assert policy["Version"] == "2012-10-17"
        assert policy["Statement"], policy
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow", statement
            assert statement["Resource"], statement
            actions = statement["Action"]
            for action in [actions] if isinstance(actions, str) else actions:
                assert ACTION.match(action), f"not an IAM action: {action!r}"


def test_every_module_section_names_its_resource_and_data_source_types(repo_root: Path) -> None:
    sections = _sections(repo_root)
    missing = []
    for module in sorted(path for path in (repo_root / "modules").iterdir() if path.is_dir()):
        body = _section(sections, f"modules/{module.name}")
        types = {
            kind
            for tf in module.glob("*.tf")
            for kind in re.findall(r'^\s*(?:resource|data)\s+"(\w+)"', tf.read_text(), re.M)
        }
        assert types, f"no resource or data source in modules/{module.name}"
        missing += [
            f"modules/{module.name}: {kind}"
            for kind in sorted(types)
            if not re.search(rf"(?<!\w){kind}(?!\w)", body)
        ]
    assert not missing, f"types the page does not name in the module's section: {missing}"


def test_root_section_names_every_module_the_root_calls(repo_root: Path) -> None:
    body = _section(_sections(repo_root), ".")
    called = re.findall(r'source\s*=\s*"\./(modules/[\w-]+)"', (repo_root / "main.tf").read_text())
    assert called, "the root module calls no submodule"
    assert [module for module in called if module not in body] == []


def test_every_aws_call_of_an_operator_command_is_in_its_policy(repo_root: Path) -> None:
    sections = _sections(repo_root)
    missing = []
    seen: dict[str, set[str]] = {}
    for name, commands in OPERATOR_FILES.items():
        for function, action in _calls(repo_root / PACKAGE / name):
            for command in FUNCTION_SECTIONS.get((name, function), commands):
                seen.setdefault(command, set()).add(action)
                body = _section(sections, f"guardduty-ecs {command}")
                if not _granted(body, action):
                    missing.append(f"{command}: {action} ({name}, {function or 'module level'})")
    assert not missing, f"calls whose IAM action the command's policy lacks: {missing}"
    # The scan itself works: each command is seen to call what it obviously calls.
    assert "guardduty:ListCoverage" in seen["coverage"]
    assert "events:TestEventPattern" in seen["verify"]
    assert {"guardduty:CreateSampleFindings", "sqs:CreateQueue", "sns:Subscribe"} <= seen["drill"]
    assert "ecs:UpdateService" in seen["drill --scale-to-zero"]


def test_every_aws_call_of_the_product_belongs_to_a_command(repo_root: Path) -> None:
    """The product's package holds the operator commands alone (the test bench is a package of
    its own): a new module of it that calls AWS must be added above, with its command."""
    package = repo_root / PACKAGE
    assert all((package / name).is_file() for name in OPERATOR_FILES)
    unclassified = [
        f"{path.name}: {action} ({function or 'module level'})"
        for path in sorted(package.glob("*.py"))
        if path.name not in OPERATOR_FILES
        for function, action in _calls(path)
    ]
    assert not unclassified, f"AWS calls of no operator command: {unclassified}"
