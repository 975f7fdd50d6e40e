"""``guardduty-ecs verify``: check a deployed stack against what its alerts need to work.

Reads the stack's Terraform outputs and asks AWS (or the emulator): is Runtime Monitoring on with
the Fargate agent managed, do the rules exist with GuardDuty patterns and a topic target with a
retry policy and a dead-letter queue, do the topic policy and the key policy let EventBridge
publish for each rule, and are the e-mail subscriptions confirmed. Every failure says how to fix it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, TextIO

import boto3

from guardduty_ecs.aws import client, findings_rule_arns, read_detector
from guardduty_ecs.policy import policy_allows

FINDING_DETAIL_TYPE = "GuardDuty Finding"
UNHEALTHY_DETAIL_TYPE = "GuardDuty Runtime Protection Unhealthy"


@dataclass(frozen=True)
class Check:
    """One verified fact: what was checked, whether it holds, and how to fix it if not."""

    name: str
    passed: bool
    detail: str = ""
    fix: str = ""


def outputs_from_terraform_json(document: dict[str, Any]) -> dict[str, Any]:
    """The values of ``terraform output -json`` (which wraps each in {"value": ...})."""
    return {
        name: entry["value"] if isinstance(entry, dict) and "value" in entry else entry
        for name, entry in document.items()
    }


def _rule_arns(outputs: dict[str, Any]) -> dict[str, str]:
    rules = {f"findings-{band}": arn for band, arn in findings_rule_arns(outputs).items()}
    if outputs.get("coverage_rule_arn"):
        rules["coverage"] = outputs["coverage_rule_arn"]
    return rules


def _check_detector(guardduty: Any, detector_id: str | None) -> list[Check]:
    if not detector_id:
        return [Check("detector", False, "no detector_id output", "apply the module first")]
    detector = read_detector(guardduty, detector_id)
    agents = detector.additional_configuration.get("RUNTIME_MONITORING", {})
    fargate_agent = agents.get("ECS_FARGATE_AGENT_MANAGEMENT", "absent")
    return [
        Check(
            "detector enabled",
            detector.status == "ENABLED",
            f"{detector_id} is {detector.status}",
            "set the detector's enable to true (the module does)",
        ),
        Check(
            "Runtime Monitoring",
            detector.features.get("RUNTIME_MONITORING") == "ENABLED",
            f"RUNTIME_MONITORING is {detector.features.get('RUNTIME_MONITORING', 'absent')}",
            "apply with runtime_monitoring.enabled = true",
        ),
        Check(
            "Fargate agent managed",
            fargate_agent == "ENABLED",
            f"ECS_FARGATE_AGENT_MANAGEMENT is {fargate_agent}",
            "apply with runtime_monitoring.ecs_fargate_agent_management = true, or tag clusters "
            "GuardDutyManaged = true and manage the agent yourself",
        ),
    ]


def _check_rule(
    events: Any, key: str, rule_arn: str, topic_arn: str, expected_pattern: str | None
) -> list[Check]:
    name = rule_arn.rsplit("/", 1)[-1]
    rule = events.describe_rule(Name=name)
    pattern = json.loads(rule.get("EventPattern") or "{}")
    detail_type = FINDING_DETAIL_TYPE if key.startswith("findings") else UNHEALTHY_DETAIL_TYPE
    targets = events.list_targets_by_rule(Rule=name)["Targets"]
    to_topic = [target for target in targets if target["Arn"] == topic_arn]
    checks = [
        Check(
            f"rule {name} enabled",
            rule.get("State") == "ENABLED",
            f"state {rule.get('State')}",
            f"aws events enable-rule --name {name}",
        ),
        Check(
            f"rule {name} pattern",
            pattern.get("source") == ["aws.guardduty"]
            and detail_type in pattern.get("detail-type", [])
            and (expected_pattern is None or pattern == json.loads(expected_pattern)),
            json.dumps(pattern),
            "terraform apply: the pattern differs from the module's",
        ),
        Check(
            f"rule {name} sends to the topic",
            len(to_topic) == 1,
            f"targets: {[target['Arn'] for target in targets]}",
            "terraform apply: the rule must have the alert topic as its target",
        ),
    ]
    if to_topic:
        target = to_topic[0]
        checks.append(
            Check(
                f"rule {name} keeps failed alerts",
                "Arn" in (target.get("DeadLetterConfig") or {}) and "RetryPolicy" in target,
                f"retry {target.get('RetryPolicy')}, dead letters {target.get('DeadLetterConfig')}",
                "terraform apply: the target needs a retry policy and a dead-letter queue",
            )
        )
    return checks


# EventBridge's requests to an SNS topic and to the topic's key carry no aws:SourceArn,
# aws:SourceAccount or aws:SourceOrgID: "You can't use Condition blocks in Amazon SNS topic policies
# for EventBridge" (EventBridge user guide, "Using resource-based policies"), and adding those keys
# to a KMS policy "is not supported for EventBridge-to-encrypted topics" (SNS developer guide,
# "Key management"). A statement conditioned on them never applies, so policies are read with
# no condition keys at all.
EVENTBRIDGE_TO_TOPIC_CONTEXT: dict[str, str] = {}
TOPIC_KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


def _check_topic(sns: Any, kms: Any, topic_arn: str) -> list[Check]:
    attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    checks = [
        Check(
            "topic policy lets EventBridge publish",
            policy_allows(
                attributes.get("Policy"), "sns:Publish", topic_arn, EVENTBRIDGE_TO_TOPIC_CONTEXT
            ),
            topic_arn,
            "add the statements of the sns_topic_policy_json output to the topic policy; "
            "EventBridge sends no aws:SourceArn to SNS, so its statement must have no Condition",
        )
    ]
    key_id = attributes.get("KmsMasterKeyId")
    if not key_id:
        return [
            *checks,
            Check("topic encrypted", False, "no KmsMasterKeyId", "encrypt the topic with a CMK"),
        ]
    key = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    checks.append(
        Check(
            "topic key is customer managed and enabled",
            key["KeyState"] == "Enabled" and key.get("KeyManager") != "AWS",
            f"{key['Arn']} is {key['KeyState']}, managed by {key.get('KeyManager', 'CUSTOMER')}",
            f"aws kms enable-key --key-id {key['Arn']}; an AWS managed key (alias/aws/sns) "
            "cannot be given to EventBridge: use a customer managed key",
        )
    )
    if key.get("KeyManager") == "AWS":
        return checks
    policy = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    checks += [
        Check(
            f"key policy lets EventBridge {action}",
            policy_allows(policy, action, "*", EVENTBRIDGE_TO_TOPIC_CONTEXT),
            key["Arn"],
            "add the statements of the kms_key_policy_json output to the key policy; the "
            "EventBridge statement must have no aws:SourceArn, aws:SourceAccount or "
            "aws:SourceOrgID condition",
        )
        for action in TOPIC_KEY_ACTIONS
    ]
    return checks


def _check_subscriptions(sns: Any, topic_arn: str) -> list[Check]:
    subscriptions = [
        subscription
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
        for subscription in page["Subscriptions"]
        if subscription["Protocol"] == "email"
    ]
    if not subscriptions:
        return [
            Check(
                "e-mail subscriptions",
                False,
                "nobody is subscribed by e-mail",
                "set alerts.email_addresses (or subscribe another endpoint to the topic)",
            )
        ]
    return [
        Check(
            f"subscription {subscription['Endpoint']} confirmed",
            subscription["SubscriptionArn"] not in ("PendingConfirmation", "Deleted"),
            subscription["SubscriptionArn"],
            "the recipient must follow the link of the confirmation mail from AWS "
            "(it expires after 3 days; apply again to resend)",
        )
        for subscription in subscriptions
    ]


def verify(
    outputs: dict[str, Any], session: boto3.Session, endpoint_url: str | None = None
) -> list[Check]:
    """Every check, in order; a check that could not run is a failed check."""

    def api(service: str) -> Any:
        return client(session, service, endpoint_url)

    topic_arn = outputs.get("sns_topic_arn")
    rule_arns = _rule_arns(outputs)
    patterns = {
        f"findings-{band}": pattern
        for band, pattern in (outputs.get("findings_event_patterns") or {}).items()
    }
    if outputs.get("coverage_event_pattern"):
        patterns["coverage"] = outputs["coverage_event_pattern"]
    checks = _check_detector(api("guardduty"), outputs.get("detector_id"))
    if not topic_arn or not rule_arns:
        return [
            *checks,
            Check("alerts", False, "no sns_topic_arn or rule outputs", "enable alerts"),
        ]
    events = api("events")
    for key, arn in rule_arns.items():
        checks += _check_rule(events, key, arn, topic_arn, patterns.get(key))
    checks += _check_topic(api("sns"), api("kms"), topic_arn)
    checks += _check_subscriptions(api("sns"), topic_arn)
    return checks


def report(checks: list[Check], out: TextIO, as_json: bool = False) -> None:
    if as_json:
        json.dump([asdict(check) for check in checks], out, indent=2)
        out.write("\n")
        return
    for check in checks:
        out.write(f"{'PASS' if check.passed else 'FAIL'}  {check.name}")
        out.write(f"  ({check.detail})\n" if check.detail and not check.passed else "\n")
        if not check.passed:
            out.write(f"      fix: {check.fix}\n")
    failed = sum(not check.passed for check in checks)
    out.write(f"{len(checks) - failed} passed, {failed} failed\n")
