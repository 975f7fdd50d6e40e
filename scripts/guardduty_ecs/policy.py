"""Reading resource policies for ``guardduty-ecs verify``: does a policy let a service do an action?

A small evaluator for the statements this project writes and checks (service principals,
Allow/Deny, actions and resources with wildcards, ArnEquals/ArnLike/StringEquals/StringLike
conditions), in resource policies, role trust policies and a role's identity policies; it is not
a full IAM policy engine: an operator it does not know never grants access. The emulator
decides its deliveries with an evaluator of its own (``guardduty_ecs_emulator.services.iam``):
the two never share code, so that one misread rule cannot make a check and its judge agree.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

EVENTS_PRINCIPAL = "events.amazonaws.com"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_NEGATIONS = {
    "StringNotEquals": "StringEquals",
    "ArnNotEquals": "ArnEquals",
    "StringNotLike": "StringLike",
    "ArnNotLike": "ArnLike",
}


class _UnknownOperator(Exception):
    pass


def _like(pattern: str, text: str) -> bool:
    return (
        re.fullmatch(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), text) is not None
    )


def _arn_like(pattern: str, arn: str) -> bool:
    # The IAM guide: each of the six colon-separated parts of an ARN is compared on its own.
    pattern_parts, arn_parts = pattern.split(":", 5), arn.split(":", 5)
    if len(pattern_parts) != 6 or len(arn_parts) != 6:
        return False
    return all(_like(p, a) for p, a in zip(pattern_parts, arn_parts, strict=True))


def _matches(operator: str, actual: str, patterns: list[str]) -> bool:
    if operator == "StringEquals":
        return actual in patterns
    if operator == "StringLike":
        return any(_like(p, actual) for p in patterns)
    if operator in ("ArnEquals", "ArnLike"):
        return any(_arn_like(p, actual) for p in patterns)
    raise _UnknownOperator(operator)


def _condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool:
    """Every operator and key must hold. A key absent from the request makes a condition false,
    except for the negated operators, for which it is true (IAM user guide, "Condition
    operators")."""
    for operator, tests in condition.items():
        negated = operator in _NEGATIONS
        for key, expected in tests.items():
            actual = context.get(key.lower())
            patterns = [str(item) for item in _as_list(expected)]
            if actual is None:
                holds = negated
            elif negated:
                holds = not _matches(_NEGATIONS[operator], actual, patterns)
            else:
                holds = _matches(operator, actual, patterns)
            if not holds:
                return False
    return True


def _names(grantee: Any, principal: str) -> bool:
    """Whether a statement's ``Principal`` takes the service ``principal`` (or everyone)."""
    everyone = grantee == "*" or (
        isinstance(grantee, dict) and "*" in _as_list(grantee.get("AWS", []))
    )
    service = grantee.get("Service") if isinstance(grantee, dict) else None
    return everyone or principal in _as_list(service or [])


def identity_allows(policies: list[str], action: str, resource: str) -> bool:
    """Whether the identity policies of a role, taken together, let it do ``action`` on
    ``resource``: an explicit Deny in any of them wins, else an Allow in any (IAM user guide,
    "Policy evaluation logic"; permissions boundaries and SCPs are not read)."""
    statements = [
        statement
        for policy in policies
        for statement in _as_list(json.loads(policy).get("Statement", []))
    ]
    return policy_allows(json.dumps({"Statement": statements}), action, resource, {}, None)


def policy_allows(
    policy: str | None,
    action: str,
    resource: str,
    context: dict[str, str],
    principal: str | None = EVENTS_PRINCIPAL,
) -> bool:
    """Whether a resource policy lets the service ``principal`` do ``action`` on ``resource``.

    ``context`` holds the condition keys of the request, in lower case (``aws:sourcearn``).
    With ``principal`` None the policy is an identity policy (a role's), whose statements name
    no principal. A statement without ``Resource`` is one of a role's trust policy, which applies
    to the role itself.
    """
    if not policy:
        return False
    statements = _as_list(json.loads(policy).get("Statement", []))

    def applies(statement: dict[str, Any]) -> bool:
        if principal is not None and not _names(statement.get("Principal"), principal):
            return False
        # Actions may carry wildcards (kms:GenerateDataKey* covers kms:GenerateDataKey) and are
        # not case-sensitive.
        if not any(
            fnmatch.fnmatchcase(action.lower(), str(pattern).lower())
            for pattern in _as_list(statement.get("Action", []))
        ):
            return False
        resources = _as_list(statement.get("Resource", [resource]))
        if not any(_like(str(pattern), resource) for pattern in resources):
            return False
        try:
            return _condition_holds(statement.get("Condition", {}), context)
        except _UnknownOperator:
            # Read the policy as strictly as possible: such an Allow grants nothing, such a Deny
            # denies.
            return statement.get("Effect") == "Deny"

    if any(s.get("Effect") == "Deny" and applies(s) for s in statements):
        return False
    return any(s.get("Effect") == "Allow" and applies(s) for s in statements)


def service_policy(
    action: str | list[str],
    resource: str,
    source_arn: str | None = None,
    principal: str = EVENTS_PRINCIPAL,
) -> str:
    """A resource policy that lets ``principal`` do ``action``, only for ``source_arn`` if given."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": principal},
        "Action": action,
        "Resource": resource,
    }
    if source_arn is not None:
        statement["Condition"] = {"ArnEquals": {"aws:SourceArn": source_arn}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
