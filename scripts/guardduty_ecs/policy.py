"""Reading resource policies: does a policy let a service principal do an action?

A small evaluator for the statements this project writes and checks (service principals,
Allow/Deny, actions with wildcards, ArnEquals/ArnLike/StringEquals/StringLike conditions). The
emulator uses it to decide deliveries, and ``guardduty-ecs verify`` to check deployed policies;
it is not a full IAM policy engine: an operator it does not know never grants access.
"""

from __future__ import annotations

import json
import re
from typing import Any

EVENTS_PRINCIPAL = "events.amazonaws.com"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, tests in condition.items():
        for key, expected in tests.items():
            actual = context.get(key.lower())
            patterns = [str(item) for item in _as_list(expected)]
            if operator in ("StringEquals", "ArnEquals"):
                holds = actual in patterns
            elif operator in ("StringLike", "ArnLike"):
                holds = actual is not None and any(
                    re.fullmatch(re.escape(p).replace(r"\*", ".*").replace(r"\?", "."), actual)
                    for p in patterns
                )
            else:  # an operator this evaluator does not know never grants access
                holds = False
            if not holds:
                return False
    return True


def policy_allows(
    policy: str | None,
    action: str,
    resource: str,
    context: dict[str, str],
    principal: str = EVENTS_PRINCIPAL,
) -> bool:
    """Whether a resource policy lets the service ``principal`` do ``action`` on ``resource``.

    ``context`` holds the condition keys of the request, in lower case (``aws:sourcearn``).
    """
    if not policy:
        return False
    statements = _as_list(json.loads(policy).get("Statement", []))

    def applies(statement: dict[str, Any]) -> bool:
        grantee = statement.get("Principal")
        service = grantee.get("Service") if isinstance(grantee, dict) else None
        if principal not in _as_list(service or []):
            return False
        actions = _as_list(statement.get("Action", []))
        service_prefix = action.split(":", maxsplit=1)[0]
        if not {action, f"{service_prefix}:*", "*"} & set(actions):
            return False
        if not {resource, "*"} & set(_as_list(statement.get("Resource", []))):
            return False
        return _condition_holds(statement.get("Condition", {}), context)

    if any(s.get("Effect") == "Deny" and applies(s) for s in statements):
        return False
    return any(s.get("Effect") == "Allow" and applies(s) for s in statements)


def service_policy(
    action: str | list[str], resource: str, source_arn: str, principal: str = EVENTS_PRINCIPAL
) -> str:
    """A resource policy that lets ``principal`` do ``action`` only for ``source_arn``."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": principal},
                    "Action": action,
                    "Resource": resource,
                    "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
                }
            ],
        }
    )
