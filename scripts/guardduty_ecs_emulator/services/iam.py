"""Resource-policy evaluation for the emulator's delivery decisions (topic, queue and key policies).

Written for the emulator alone: ``guardduty-ecs verify`` reads policies with an evaluator of its
own (``guardduty_ecs.policy``), so that one misread rule cannot make the judge and the checked
code agree. The rules followed, from the IAM user guide:

- "Policy evaluation logic": "An explicit deny in any policy overrides any allows"; without an
  allow, the request is implicitly denied.
- "IAM JSON policy elements: Condition operators": "If the key that you specify in a policy
  condition is not present in the request context, the values do not match and the condition is
  false. If the policy condition requires that the key is not matched, such as StringNotLike or
  ArnNotLike, and the right key is not present, the condition is true. This logic applies to all
  condition operators except ...IfExists and Null check."
- "IAM JSON policy elements: Condition": several operators, and several keys in one operator, must
  all hold (AND); several values for one key match if any matches (OR).
- "Condition keys are case-insensitive"; values of ``String*``/``Arn*`` operators are compared
  case-sensitively, ``*Like`` with the ``*`` and ``?`` wildcards.

Operators this module does not implement (numeric, date, IP, set operators) make the statement's
condition not hold for an Allow and hold for a Deny: the emulator fails closed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    """Who asks to do what to which resource, with the condition keys the service sends."""

    action: str
    resource: str
    service_principal: str | None = None
    principal_account: str | None = None
    context: dict[str, str] = field(default_factory=dict)

    def key(self, name: str) -> str | None:
        lowered = {key.lower(): value for key, value in self.context.items()}
        return lowered.get(name.lower())


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _wildcard(pattern: str, text: str, *, case_sensitive: bool = True) -> bool:
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.fullmatch(regex, text, flags) is not None


def _principal_matches(principal: Any, request: Request) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if request.service_principal and request.service_principal in _values(
        principal.get("Service", [])
    ):
        return True
    for entry in _values(principal.get("AWS", [])):
        if entry == "*":
            return True
        if request.principal_account and (
            entry == request.principal_account
            or re.fullmatch(rf"arn:[^:]+:iam::{request.principal_account}:root", str(entry))
        ):
            return True
    return False


def _action_matches(statement: dict[str, Any], request: Request) -> bool:
    # Action names are not case-sensitive ("IAM JSON policy elements: Action").
    if "NotAction" in statement:
        return not any(
            _wildcard(p, request.action, case_sensitive=False)
            for p in _values(statement["NotAction"])
        )
    return any(
        _wildcard(p, request.action, case_sensitive=False)
        for p in _values(statement.get("Action", []))
    )


def _resource_matches(statement: dict[str, Any], request: Request) -> bool:
    if "NotResource" in statement:
        return not any(_wildcard(p, request.resource) for p in _values(statement["NotResource"]))
    return any(_wildcard(p, request.resource) for p in _values(statement.get("Resource", [])))


def _arn_matches(pattern: str, arn: str) -> bool:
    """ArnEquals and ArnLike alike: "Each of the six colon-delimited components of the ARN is
    checked separately and each can include multi-character match wildcards (*) or
    single-character match wildcards (?)" (IAM user guide, "Condition operators")."""
    wanted, got = pattern.split(":", 5), arn.split(":", 5)
    return len(wanted) == len(got) == 6 and all(
        _wildcard(part, value) for part, value in zip(wanted, got, strict=True)
    )


_POSITIVE = {
    "StringEquals": lambda want, got: want == got,
    "StringEqualsIgnoreCase": lambda want, got: want.lower() == got.lower(),
    "StringLike": _wildcard,
    "ArnEquals": _arn_matches,
    "ArnLike": _arn_matches,
    "Bool": lambda want, got: want.lower() == got.lower(),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


class UnsupportedCondition(Exception):
    """An operator this evaluator does not implement."""


def _operator_holds(operator: str, tests: dict[str, Any], request: Request) -> bool:
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if base not in _POSITIVE and base not in _NEGATED and base != "Null":
        raise UnsupportedCondition(operator)  # before looking at the keys: fail closed always
    for key, wanted in tests.items():
        got = request.key(key)
        wanted_values = [str(value) for value in _values(wanted)]
        if base == "Null":
            # "Null": true means the key must be absent, false that it must be present.
            if (got is None) != (wanted_values[0].lower() == "true"):
                return False
            continue
        if got is None:
            if if_exists or base in _NEGATED:
                continue
            return False
        if base in _POSITIVE:
            holds = any(_POSITIVE[base](value, got) for value in wanted_values)
        else:
            holds = not any(_POSITIVE[_NEGATED[base]](value, got) for value in wanted_values)
        if not holds:
            return False
    return True


def _conditions_hold(statement: dict[str, Any], request: Request) -> bool:
    return all(
        _operator_holds(operator, tests, request)
        for operator, tests in (statement.get("Condition") or {}).items()
    )


# What kind of policy a document is: a resource policy names its principals; a role's permission
# policy (IAM API reference, AttachRolePolicy: "the managed policy becomes part of the role's
# permission (access) policy") has no Principal and applies to the role; a role's trust policy
# ("You cannot use a managed policy as the role's trust policy. The role's trust policy is created
# at the same time as the role, using CreateRole") names its principals and no Resource, the role
# being the resource it guards. Reading them so: **chosen** from the policy grammar.
RESOURCE, IDENTITY, TRUST = "resource", "identity", "trust"


def _applies(
    statement: dict[str, Any], request: Request, *, deny: bool, kind: str = RESOURCE
) -> bool:
    if not (
        (kind == IDENTITY or _principal_matches(statement.get("Principal"), request))
        and _action_matches(statement, request)
        and (kind == TRUST or _resource_matches(statement, request))
    ):
        return False
    try:
        return _conditions_hold(statement, request)
    except UnsupportedCondition:
        return deny  # fail closed


def decide(policy: str | dict[str, Any] | None, request: Request, kind: str = RESOURCE) -> bool:
    """Whether the policy (a resource policy unless ``kind`` says otherwise) allows the request:
    some Allow applies and no Deny does."""
    if not policy:
        return False
    document = json.loads(policy) if isinstance(policy, str) else policy
    statements = _values(document.get("Statement", []))
    if any(
        s.get("Effect") == "Deny" and _applies(s, request, deny=True, kind=kind) for s in statements
    ):
        return False
    return any(
        s.get("Effect") == "Allow" and _applies(s, request, deny=False, kind=kind)
        for s in statements
    )


def denies(policy: str | dict[str, Any] | None, request: Request) -> bool:
    """Whether a Deny statement of the policy applies to the request ("An explicit deny in any
    policy overrides any allows")."""
    if not policy:
        return False
    document = json.loads(policy) if isinstance(policy, str) else policy
    return any(
        s.get("Effect") == "Deny" and _applies(s, request, deny=True)
        for s in _values(document.get("Statement", []))
    )


__all__ = ["IDENTITY", "RESOURCE", "TRUST", "Request", "decide", "denies"]
