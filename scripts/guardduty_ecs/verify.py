"""``guardduty-ecs verify``: check a deployed stack against what its alerts need to work.

Finds what the account has in the Region (``discovery``: the detector, the rules of the default
bus that take GuardDuty events, whatever their names, and their topics; Terraform only narrows
the search) and asks AWS (or the emulator): is Runtime Monitoring on with the Fargate agent
managed; does EventBridge (TestEventPattern) route a runtime finding, the ECS attack sequence and
an ECS cluster's Unhealthy event to a topic; does each rule have a topic target with a retry
policy and a dead-letter queue; do the topic and key policies let EventBridge publish; are the
e-mail subscriptions confirmed; and would a suppression rule hide findings from attack sequences
(a warning). Every failure says how to fix it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, TextIO

import boto3

from guardduty_ecs.aws import client, read_detector
from guardduty_ecs.discovery import Deployment, Hints, Rule, discover, envelope, routes
from guardduty_ecs.events import (
    FINDING_DETAIL_TYPE,
    UNHEALTHY_DETAIL_TYPE,
    EcsTask,
    attack_sequence_finding,
    ecs_coverage_change,
    runtime_finding,
    sequence_resources,
)
from guardduty_ecs.policy import policy_allows


@dataclass(frozen=True)
class Check:
    """One verified fact: what was checked, whether it holds, and how to fix it if not. A
    warning (``warning`` true) is reported but fails nothing."""

    name: str
    passed: bool
    detail: str = ""
    fix: str = ""
    warning: bool = False


def outputs_from_terraform_json(document: dict[str, Any]) -> dict[str, Any]:
    """The values of ``terraform output -json`` (which wraps each in {"value": ...})."""
    return {
        name: entry["value"] if isinstance(entry, dict) and "value" in entry else entry
        for name, entry in document.items()
    }


def _check_detector(guardduty: Any, deployment: Deployment) -> list[Check]:
    detector_id = deployment.detector_id
    if not detector_id:
        return [
            Check(
                "detector",
                False,
                f"GuardDuty has no detector in {deployment.where()}",
                "apply the module in this account and Region (or give --region)",
            )
        ]
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


def _check_rule(rule: Rule, expected_pattern: str | None) -> list[Check]:
    name = rule.name
    pattern = json.loads(rule.pattern or "{}")
    checks = [
        Check(
            f"rule {name} enabled",
            rule.state == "ENABLED",
            f"state {rule.state}",
            f"aws events enable-rule --name {name}",
        ),
        Check(
            f"rule {name} sends to a topic",
            bool(rule.topic_arns),
            f"targets: {[target['Arn'] for target in rule.targets]}",
            "terraform apply: the rule must have the alert topic as its target",
        ),
    ]
    if expected_pattern is not None:
        checks.append(
            Check(
                f"rule {name} pattern",
                pattern == json.loads(expected_pattern),
                json.dumps(pattern),
                "terraform apply: the pattern differs from the module's",
            )
        )
    checks += [
        Check(
            f"rule {name} keeps failed alerts",
            "Arn" in (target.get("DeadLetterConfig") or {}) and "RetryPolicy" in target,
            f"retry {target.get('RetryPolicy')}, dead letters {target.get('DeadLetterConfig')}",
            "terraform apply: the target needs a retry policy and a dead-letter queue",
        )
        for target in rule.targets
        if target["Arn"] in rule.topic_arns
    ]
    return checks


def routing_samples(account: str, region: str) -> dict[str, tuple[str, str]]:
    """What a deployment must route, as GuardDuty documents the events: name -> (event, fix)."""
    task = EcsTask(account_id=account, region=region)
    return {
        "a Critical runtime finding alerts": (
            envelope(
                FINDING_DETAIL_TYPE,
                runtime_finding("Execution:Runtime/ReverseShell", 9.0, "verify", task=task),
                account,
                region,
            ),
            "apply the module with alerts on (every runtime type, <Purpose>:Runtime/<Name>)",
        ),
        "the ECS attack sequence alerts": (
            envelope(
                FINDING_DETAIL_TYPE,
                attack_sequence_finding(
                    "AttackSequence:ECS/CompromisedCluster",
                    9.0,
                    "verify",
                    resources=sequence_resources(task),
                    account_id=account,
                    region=region,
                ),
                account,
                region,
            ),
            "apply this release of the module: its default finding_types take "
            "AttackSequence:ECS/CompromisedCluster (or list it in alerts.finding_types)",
        ),
        "an ECS cluster's Unhealthy coverage alerts": (
            envelope(
                UNHEALTHY_DETAIL_TYPE,
                ecs_coverage_change("UNHEALTHY", "HEALTHY", task=task),
                account,
                region,
            ),
            "apply the module with alerts.notify_on_unhealthy = true and ECS in "
            "alerts.coverage_resource_types",
        ),
    }


def _check_routing(events: Any, deployment: Deployment) -> list[Check]:
    """EventBridge's own answer (TestEventPattern) for each event the alerts promise."""
    checks = []
    for name, (event, fix) in routing_samples(deployment.account, deployment.region).items():
        delivering, idle = routes(events, deployment.rules, event)
        detail = (
            f"delivered by {', '.join(r.name for r in delivering)}"
            if delivering
            else (
                "no enabled rule with a topic target matches it"
                + (f" ({', '.join(r.name for r in idle)} match but cannot deliver)" if idle else "")
            )
        )
        checks.append(Check(name, bool(delivering), detail, fix))
    return checks


# Extended Threat Detection page of the GuardDuty user guide.
SUPPRESSION_QUOTE = (
    "\"When correlating events for attack sequences, Extended Threat Detection doesn't consider "
    "archived findings, including those findings that are automatically archived because of "
    'Suppression rules." (GuardDuty user guide, Extended Threat Detection)'
)


def _check_suppression(guardduty: Any, detector_id: str) -> list[Check]:
    """A warning for each suppression rule (ARCHIVE filter): what it archives is left out of
    attack sequences."""
    names = [
        name
        for page in guardduty.get_paginator("list_filters").paginate(DetectorId=detector_id)
        for name in page["FilterNames"]
    ]
    checks = []
    for name in names:
        rule = guardduty.get_filter(DetectorId=detector_id, FilterName=name)
        if rule.get("Action") != "ARCHIVE":
            continue
        criterion = json.dumps(rule.get("FindingCriteria", {}).get("Criterion", {}))
        checks.append(
            Check(
                f"suppression rule {name} may hide findings from attack sequences",
                True,
                f"archives {criterion}; {SUPPRESSION_QUOTE}",
                "keep suppression rules narrow (one finding type, one resource), or use a NOOP "
                "filter to triage without archiving",
                warning=True,
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
    session: boto3.Session, endpoint_url: str | None = None, *, hints: Hints | None = None
) -> list[Check]:
    """Every check of the session's account and Region, in order; a check that could not run is
    a failed check."""

    def api(service: str) -> Any:
        return client(session, service, endpoint_url)

    hints = hints or Hints()
    guardduty, events = api("guardduty"), api("events")
    account = api("sts").get_caller_identity()["Account"]
    deployment = discover(guardduty, events, account, session.region_name or "", hints)
    checks = _check_detector(guardduty, deployment)
    if not deployment.rules:
        return [
            *checks,
            Check(
                "alerts",
                False,
                f"no EventBridge rule of the default bus in {deployment.where()} takes GuardDuty "
                f"events ({hints.source})",
                "apply the module with alerts on (alerts.create is true by default)",
            ),
        ]
    checks += _check_routing(events, deployment)
    for rule in deployment.rules:
        checks += _check_rule(rule, hints.expected_patterns.get(rule.name))
    for topic_arn in deployment.topic_arns:
        checks += _check_topic(api("sns"), api("kms"), topic_arn)
        checks += _check_subscriptions(api("sns"), topic_arn)
    if deployment.detector_id:
        checks += _check_suppression(guardduty, deployment.detector_id)
    return checks


def report(checks: list[Check], out: TextIO, as_json: bool = False) -> bool:
    """Print the checks (as JSON, or one line each with the fix of what failed); whether every
    check passed (warnings fail nothing)."""
    failed = sum(not check.passed for check in checks)
    if as_json:
        json.dump([asdict(check) for check in checks], out, indent=2)
        out.write("\n")
        return failed == 0
    for check in checks:
        verdict = "WARN" if check.warning else "PASS" if check.passed else "FAIL"
        out.write(f"{verdict}  {check.name}")
        shown = check.detail and (check.warning or not check.passed)
        out.write(f"  ({check.detail})\n" if shown else "\n")
        if check.warning or not check.passed:
            out.write(f"      fix: {check.fix}\n")
    warnings = sum(check.warning for check in checks)
    out.write(f"{len(checks) - failed - warnings} passed, {failed} failed, {warnings} warnings\n")
    return failed == 0
