"""The two policy evaluators, verify's and the emulator's, each against the documented IAM rules.

They never share code (one misread rule must not make a check and its judge agree), so each is
held to the same table of cases here, written from the IAM user guide ("Policy evaluation logic",
"Condition operators") and the SNS and EventBridge guides.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import guardduty_ecs_emulator
from guardduty_ecs import policy, verify
from guardduty_ecs.policy import policy_allows
from guardduty_ecs_emulator.services import iam

pytestmark = pytest.mark.static

EVENTS = "events.amazonaws.com"
RULE_ARN = "arn:aws:events:us-east-1:123456789012:rule/findings"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alerts"


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: Any = "sns:Publish", condition: dict | None = None, **extra: Any) -> dict:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": EVENTS},
        "Action": action,
        "Resource": TOPIC_ARN,
        **extra,
    }
    if condition:
        statement["Condition"] = condition
    return statement


SOURCE_ARN = {"ArnEquals": {"aws:SourceArn": RULE_ARN}}
NO_KEYS: dict[str, str] = {}
WITH_SOURCE = {"aws:SourceArn": RULE_ARN}

# (policy, action, request context, allowed?)
CASES = [
    pytest.param(_policy(_allow()), "sns:Publish", NO_KEYS, True, id="plain_allow"),
    pytest.param(_policy(_allow()), "sns:Subscribe", NO_KEYS, False, id="other_action"),
    pytest.param(
        _policy(_allow(["kms:GenerateDataKey*", "kms:Decrypt"])),
        "kms:GenerateDataKey",
        NO_KEYS,
        True,
        id="action_wildcard",
    ),
    pytest.param(
        _policy(_allow("SNS:publish")), "sns:Publish", NO_KEYS, True, id="action_case_insensitive"
    ),
    pytest.param(
        _policy(_allow(condition=SOURCE_ARN)),
        "sns:Publish",
        NO_KEYS,
        False,
        id="condition_key_absent_is_false",
    ),
    pytest.param(
        _policy(_allow(condition=SOURCE_ARN)),
        "sns:Publish",
        WITH_SOURCE,
        True,
        id="condition_key_present_and_equal",
    ),
    pytest.param(
        _policy(_allow(condition={"ArnLike": {"aws:SourceArn": "arn:aws:events:*:*:rule/find*"}})),
        "sns:Publish",
        WITH_SOURCE,
        True,
        id="arn_like_wildcards_per_part",
    ),
    pytest.param(
        _policy(_allow(condition={"ArnLike": {"aws:SourceArn": "arn:aws:events:*:rule/find*"}})),
        "sns:Publish",
        WITH_SOURCE,
        False,
        id="arn_like_wildcard_does_not_span_parts",
    ),
    pytest.param(
        _policy(_allow(condition={"ArnEquals": {"aws:SourceArn": "arn:aws:events:*:*:rule/*"}})),
        "sns:Publish",
        WITH_SOURCE,
        True,
        id="arn_equals_takes_wildcards_too",
    ),
    pytest.param(
        _policy(
            _allow(),
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
            },
        ),
        "sns:Publish",
        NO_KEYS,
        False,
        id="deny_to_everyone_applies_to_services",
    ),
    pytest.param(
        _policy(_allow(), {**_allow(), "Effect": "Deny"}),
        "sns:Publish",
        NO_KEYS,
        False,
        id="explicit_deny_wins",
    ),
    pytest.param(
        _policy(
            _allow(),
            {
                **_allow(),
                "Effect": "Deny",
                "Condition": {"StringNotEquals": {"aws:SourceAccount": "123456789012"}},
            },
        ),
        "sns:Publish",
        NO_KEYS,
        False,
        id="negated_condition_on_absent_key_is_true",
    ),
    pytest.param(
        _policy({**_allow(), "Principal": {"Service": "s3.amazonaws.com"}}),
        "sns:Publish",
        NO_KEYS,
        False,
        id="other_service",
    ),
    pytest.param(
        _policy(_allow(condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})),
        "sns:Publish",
        {"aws:MultiFactorAuthAge": "10"},
        False,
        id="unknown_operator_never_grants",
    ),
    pytest.param(None, "sns:Publish", NO_KEYS, False, id="no_policy"),
]


def _verify_reading(policy: str | None, action: str, context: dict[str, str]) -> bool:
    return policy_allows(policy, action, TOPIC_ARN, {k.lower(): v for k, v in context.items()})


def _emulator_reading(policy: str | None, action: str, context: dict[str, str]) -> bool:
    request = iam.Request(action, TOPIC_ARN, service_principal=EVENTS, context=context)
    return iam.decide(policy, request)


@pytest.mark.parametrize(
    "evaluate", [_verify_reading, _emulator_reading], ids=["verify", "emulator"]
)
@pytest.mark.parametrize(("policy", "action", "context", "allowed"), CASES)
def test_evaluator_follows_the_documented_rules(
    evaluate: Callable[[str | None, str, dict[str, str]], bool],
    policy: str | None,
    action: str,
    context: dict[str, str],
    allowed: bool,
) -> None:
    assert evaluate(policy, action, context) is allowed


def _imports(path: Path) -> set[str]:
    """Every module a file imports, ``from a import b`` counted as both ``a`` and ``a.b``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_evaluators_share_no_code() -> None:
    """No emulator file imports verify's evaluator, nor does verify import the emulator's."""
    emulator_files = Path(str(guardduty_ecs_emulator.__file__)).parent.rglob("*.py")
    emulator_imports = set().union(*(_imports(path) for path in emulator_files))
    assert "guardduty_ecs.policy" not in emulator_imports
    operator_imports = _imports(Path(str(verify.__file__))) | _imports(Path(str(policy.__file__)))
    assert not any(name.startswith("guardduty_ecs_emulator") for name in operator_imports)
