"""``guardduty-ecs verify``: check a deployed stack against what its alerts need to work.

Finds what the account has in the Region (``discovery``: the detector, the rules of the default
bus that take GuardDuty events, whatever their names, and their channels: SNS topics for e-mail,
chat and raw events, API destinations for PagerDuty; Terraform only narrows the search) and asks
AWS (or the emulator):

- is Runtime Monitoring on with the Fargate agent managed;
- does EventBridge (TestEventPattern) route a runtime finding, the ECS attack sequence and an ECS
  cluster's Unhealthy event to a channel;
- each rule: enabled, with a channel, its pattern (when Terraform gives it); each target: a retry
  policy and a dead-letter queue, and the message its channel needs (e-mail: an input
  transformer; chat: one that writes a custom notification; raw events: none; PagerDuty's
  Events API: a JSON body with ``event_action`` and ``dedup_key``); an alarm on the rule's
  FailedInvocations (a warning when there is none: alerts still arrive);
- each topic: its policy lets EventBridge (and the alarms that notify it) publish; its key is
  customer managed and enabled, and lets EventBridge (and those alarms) use it; e-mail
  subscriptions confirmed; the chat subscriptions deliver without raw message delivery. For the
  chat topic that is the whole key question: SNS decrypts a message when it sends it, so Amazon
  Q Developer in chat applications needs nothing of the key, and only the publishers do (the
  alerts module's README, "Encrypted topic and chat");
- each dead-letter queue: its policy and key let EventBridge send for every rule that uses it;
- each API destination: active, its connection AUTHORIZED (and for PagerDuty the routing key a
  secret body parameter), and each target's role trusted by EventBridge for that rule and
  allowed ``events:InvokeApiDestination`` on it;
- would a suppression rule hide findings from attack sequences (a warning).

Every failure says how to fix it. Names of checks of the e-mail channel are those of earlier
releases; the other channels' say theirs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TextIO

import boto3
from botocore.exceptions import ClientError

from guardduty_ecs.aws import client, read_detector
from guardduty_ecs.discovery import (
    API_DESTINATION,
    CHANNELS,
    CHAT,
    EMAIL,
    RAW,
    Deployment,
    Hints,
    Rule,
    Target,
    discover,
    envelope,
    resource_name,
    routes,
)
from guardduty_ecs.events import (
    FINDING_DETAIL_TYPE,
    UNHEALTHY_DETAIL_TYPE,
    EcsTask,
    attack_sequence_finding,
    ecs_coverage_change,
    runtime_finding,
    sequence_resources,
)
from guardduty_ecs.messages import custom_notification_errors, template_document
from guardduty_ecs.policy import identity_allows, policy_allows


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


def _suffix(channel: str) -> str:
    """How a check names a channel other than e-mail (e-mail checks keep their old names)."""
    return "" if channel == EMAIL else f" ({channel})"


def _check_rule(rule: Rule, expected_pattern: str | None) -> list[Check]:
    name = rule.name
    pattern = json.loads(rule.pattern or "{}")
    channels = sorted(rule.channels, key=lambda target: CHANNELS.index(target.channel))
    checks = [
        Check(
            f"rule {name} enabled",
            rule.state == "ENABLED",
            f"state {rule.state}",
            f"aws events enable-rule --name {name}",
        ),
        Check(
            f"rule {name} sends to a channel",
            bool(channels),
            "; ".join(f"{t.channel} {t.arn}" for t in channels)
            or f"targets: {[target['Arn'] for target in rule.targets]}",
            "terraform apply: the rule must have the alert topic (or another channel) as its "
            "target",
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
            f"rule {name} keeps failed alerts{_suffix(target.channel)}",
            bool(target.dead_letter_arn) and target.retry_policy is not None,
            f"{target.arn}: retry {target.retry_policy}, dead letters "
            f"{target.dead_letter_arn or None}",
            "terraform apply: the target needs a retry policy and a dead-letter queue",
        )
        for target in channels
    ]
    return checks


# What a topic's channel needs of the targets that write to it.
CHAT_FIX = (
    "terraform apply (alerts.chat): a chat topic's target must write an Amazon Q Developer custom "
    "notification (version 1.0, source custom, content.description), or send the event itself"
)
RAW_FIX = (
    "terraform apply (alerts.raw_events_topic): the raw-events topic's target must have no "
    "Input, InputPath or InputTransformer"
)
EMAIL_FIX = (
    "terraform apply: the alert topic's target needs the module's input transformer (its text "
    "names the finding)"
)


def _check_message(target: Target, topic_channel: str, chat_subscribed: bool) -> Check:
    """Whether an SNS target writes what its topic's channel needs: ``topic_channel`` is the
    channel Terraform names the topic (or its targets write); a topic that chat channels
    subscribe must get a custom notification or the event itself."""
    name = f"rule {target.rule} message{_suffix(topic_channel)}"
    wanted = CHAT if chat_subscribed else topic_channel
    fix = {EMAIL: EMAIL_FIX, CHAT: CHAT_FIX, RAW: RAW_FIX}[wanted]
    if target.channel == CHAT:
        try:
            errors = custom_notification_errors(template_document(target.template))
        except ValueError as error:
            errors = [f"the template is not JSON: {error}"]
        detail = "input transformer writes a custom notification" + (
            f", but {'; '.join(errors)}" if errors else ""
        )
        return Check(name, not errors and wanted == CHAT, f"{target.arn}: {detail}", fix)
    if target.channel == RAW:
        detail = f"{target.arn}: no input transformer, the event unmodified"
        # Chat renders an AWS service's event as it renders its own notifications.
        return Check(name, wanted in (RAW, CHAT), detail, fix)
    detail = f"{target.arn}: input transformer writes text"
    if chat_subscribed:
        detail += "; chat channels subscribe this topic and cannot render text"
    return Check(name, wanted == EMAIL, detail, fix)


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
                "no enabled rule with an alert channel matches it"
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
CLOUDWATCH_PRINCIPAL = "cloudwatch.amazonaws.com"
# The host of the HTTPS endpoint that Amazon Q Developer in chat applications subscribes to a
# channel configuration's topics, https://global.sns-api.chatbot.amazonaws.com: not in an AWS
# guide, but the endpoint that public configurations subscribe by hand for it.
CHAT_SUBSCRIPTION_HOST = "chatbot.amazonaws.com"
TOPIC_NAMES = {EMAIL: "topic", CHAT: "chat topic", RAW: "raw-events topic"}
CHAT_KEY_NOTE = (
    "Amazon Q Developer in chat applications needs no key permission: SNS decrypts a message "
    "when it sends it (SNS developer guide, Encryption at rest); only its publishers use the key"
)


def _alarm_context(alarm: dict[str, Any], account: str) -> dict[str, str]:
    """The condition keys of a CloudWatch alarm's publish (and of SNS's KMS call for it)."""
    return {"aws:sourcearn": alarm["AlarmArn"], "aws:sourceaccount": account}


def _check_topic(
    sns: Any,
    kms: Any,
    topic_arn: str,
    *,
    channel: str,
    alarms: list[dict[str, Any]],
    account: str,
) -> list[Check]:
    """The topic's policy and key let EventBridge, and the ``alarms`` that notify it, publish."""
    label = TOPIC_NAMES[channel]
    attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    policy = attributes.get("Policy")
    checks = [
        Check(
            f"{label} policy lets EventBridge publish",
            policy_allows(policy, "sns:Publish", topic_arn, EVENTBRIDGE_TO_TOPIC_CONTEXT),
            topic_arn,
            "add the statements of the sns_topic_policy_json output to the topic policy; "
            "EventBridge sends no aws:SourceArn to SNS, so its statement must have no Condition",
        )
    ]
    if alarms:
        refused = [
            alarm["AlarmName"]
            for alarm in alarms
            if not policy_allows(
                policy,
                "sns:Publish",
                topic_arn,
                _alarm_context(alarm, account),
                CLOUDWATCH_PRINCIPAL,
            )
        ]
        checks.append(
            Check(
                f"{label} policy lets the alarms publish",
                not refused,
                f"{topic_arn}: " + (f"refused to {', '.join(refused)}" if refused else "allowed"),
                "add the AllowCloudWatchAlarmsToPublish statement of the sns_topic_policy_json "
                "output (cloudwatch.amazonaws.com, aws:SourceArn the alarms) to the topic policy",
            )
        )
    key_id = attributes.get("KmsMasterKeyId")
    if not key_id:
        return [
            *checks,
            Check(f"{label} encrypted", False, "no KmsMasterKeyId", "encrypt the topic with a CMK"),
        ]
    key = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    checks.append(
        Check(
            f"{label} key is customer managed and enabled",
            key["KeyState"] == "Enabled" and key.get("KeyManager") != "AWS",
            f"{key['Arn']} is {key['KeyState']}, managed by {key.get('KeyManager', 'CUSTOMER')}",
            f"aws kms enable-key --key-id {key['Arn']}; an AWS managed key (alias/aws/sns) "
            "cannot be given to EventBridge: use a customer managed key",
        )
    )
    if key.get("KeyManager") == "AWS":
        return checks
    key_policy = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    note = f"; {CHAT_KEY_NOTE}" if channel == CHAT else ""
    prefix = "" if channel == EMAIL else f"{label} "
    checks += [
        Check(
            f"{prefix}key policy lets EventBridge {action}",
            policy_allows(key_policy, action, "*", EVENTBRIDGE_TO_TOPIC_CONTEXT),
            key["Arn"] + note,
            "add the statements of the kms_key_policy_json output to the key policy; the "
            "EventBridge statement must have no aws:SourceArn, aws:SourceAccount or "
            "aws:SourceOrgID condition" + note,
        )
        for action in TOPIC_KEY_ACTIONS
    ]
    for action in TOPIC_KEY_ACTIONS if alarms else ():
        refused = [
            alarm["AlarmName"]
            for alarm in alarms
            if not policy_allows(
                key_policy, action, "*", _alarm_context(alarm, account), CLOUDWATCH_PRINCIPAL
            )
        ]
        checks.append(
            Check(
                f"{prefix}key policy lets the alarms {action}",
                not refused,
                key["Arn"] + (f": refused to {', '.join(refused)}" if refused else "") + note,
                "add the AllowCloudWatchAlarmsToEncrypt statement of the kms_key_policy_json "
                "output (cloudwatch.amazonaws.com, aws:SourceAccount this account) to the key "
                "policy",
            )
        )
    return checks


def _subscriptions(sns: Any, topic_arn: str) -> list[dict[str, Any]]:
    return [
        subscription
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
        for subscription in page["Subscriptions"]
    ]


def is_chat_subscription(subscription: dict[str, Any]) -> bool:
    """A subscription of Amazon Q Developer in chat applications (its HTTPS endpoint)."""
    endpoint = subscription.get("Endpoint", "")
    host = endpoint.split("://", 1)[-1].split("/", 1)[0]
    return subscription.get("Protocol") == "https" and host.endswith(CHAT_SUBSCRIPTION_HOST)


def _check_subscriptions(subscriptions: list[dict[str, Any]]) -> list[Check]:
    subscriptions = [s for s in subscriptions if s["Protocol"] == "email"]
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


def _check_chat_subscriptions(
    sns: Any, topic_arn: str, subscriptions: list[dict[str, Any]]
) -> list[Check]:
    """The chat topic's subscriptions by chat channels: there is one (else a warning), and none
    has raw message delivery, which the administrator guide's troubleshooting names as a cause of
    notifications that never show ("Your SNS topic subscription ... has the Enable raw message
    delivery setting enabled")."""
    chats = [s for s in subscriptions if is_chat_subscription(s)]
    if not chats:
        return [
            Check(
                "chat topic has a chat channel",
                True,
                f"no Amazon Q Developer subscription on {topic_arn}",
                "add slack or teams channels to alerts.chat, or subscribe a channel "
                "configuration made in another Region to the chat_topic_arn output",
                warning=True,
            )
        ]
    checks = []
    for subscription in chats:
        arn = subscription["SubscriptionArn"]
        if not arn.startswith("arn:"):  # pending: nothing to read yet
            checks.append(
                Check(
                    "chat subscription confirmed",
                    False,
                    f"{topic_arn}: {arn}",
                    "create the channel configuration again (Amazon Q Developer confirms its "
                    "own subscriptions)",
                )
            )
            continue
        raw = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"].get(
            "RawMessageDelivery", "false"
        )
        checks.append(
            Check(
                "chat subscription without raw message delivery",
                raw != "true",
                arn,
                f"aws sns set-subscription-attributes --subscription-arn {arn} "
                "--attribute-name RawMessageDelivery --attribute-value false",
            )
        )
    return checks


def _check_raw_subscriptions(topic_arn: str, subscriptions: list[dict[str, Any]]) -> list[Check]:
    return [
        Check(
            "raw-events topic has a subscriber",
            True,
            f"nothing is subscribed to {topic_arn}"
            if not subscriptions
            else f"{len(subscriptions)} subscription(s)",
            "subscribe what needs the events (a SIEM's queue, a Lambda function, PagerDuty's "
            "GuardDuty integration) to the raw_events_topic_arn output",
            warning=not subscriptions,
        )
    ]


def _alarms(cloudwatch: Any) -> list[dict[str, Any]]:
    return [
        alarm
        for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"])
        for alarm in page.get("MetricAlarms", [])
    ]


def _alarms_on(
    alarms: list[dict[str, Any]], namespace: str, metric: str, dimension: tuple[str, str]
) -> list[dict[str, Any]]:
    """The alarms on ``metric`` with ``dimension`` as their only dimension."""
    wanted = [{"Name": dimension[0], "Value": dimension[1]}]
    return [
        alarm
        for alarm in alarms
        if alarm.get("Namespace") == namespace
        and alarm.get("MetricName") == metric
        and alarm.get("Dimensions") == wanted
    ]


def _check_alarm(name: str, alarms: list[dict[str, Any]], fix: str) -> Check:
    """An alarm that notifies someone; a warning when there is none (alerts still arrive)."""
    acting = [a for a in alarms if a.get("ActionsEnabled", True) and a.get("AlarmActions")]
    detail = (
        "; ".join(f"{a['AlarmName']} notifies {', '.join(a['AlarmActions'])}" for a in acting)
        if acting
        else "no alarm that notifies anyone"
    )
    return Check(name, True, detail, fix, warning=not acting)


def _check_dead_letter_queue(
    sqs: Any,
    kms: Any,
    queue_arn: str,
    rules: list[Rule],
    alarms: list[dict[str, Any]],
) -> list[Check]:
    """The queue's policy and key let EventBridge send the dead letters of each rule that names
    it; EventBridge's requests carry the rule's ARN ("CloudWatch Events" supports
    aws:SourceArn for SSE queues, SQS developer guide), as the EventBridge guide's dead-letter
    queue policy example conditions them."""
    owner, name = queue_arn.split(":")[4:6]
    label = f"dead-letter queue {name}"
    url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=owner)["QueueUrl"]
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["Policy", "KmsMasterKeyId"]
    )["Attributes"]
    policy = attributes.get("Policy")
    contexts = {rule.name: {"aws:sourcearn": rule.arn} for rule in rules}
    refused = [
        rule
        for rule, context in contexts.items()
        if not policy_allows(policy, "sqs:SendMessage", queue_arn, context)
    ]
    checks = [
        Check(
            f"{label} lets EventBridge send",
            not refused,
            f"{queue_arn}: " + (f"refused to {', '.join(refused)}" if refused else "allowed"),
            "the queue policy must let events.amazonaws.com sqs:SendMessage with aws:SourceArn "
            "each rule (terraform apply restores the module's)",
        )
    ]
    key_id = attributes.get("KmsMasterKeyId")
    if key_id:
        key = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        if key.get("KeyManager") == "AWS":
            checks.append(
                Check(
                    f"{label} key lets EventBridge use it",
                    False,
                    f"{key['Arn']} is AWS managed, and its policy cannot let EventBridge in",
                    "encrypt the queue with a customer managed key (or SQS-managed SSE)",
                )
            )
        else:
            key_policy = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
            for action in TOPIC_KEY_ACTIONS:
                refused = [
                    rule
                    for rule, context in contexts.items()
                    if not policy_allows(key_policy, action, "*", context)
                ]
                checks.append(
                    Check(
                        f"{label} key policy lets EventBridge {action}",
                        not refused,
                        key["Arn"] + (f": refused to {', '.join(refused)}" if refused else ""),
                        "the key policy must let events.amazonaws.com kms:GenerateDataKey and "
                        "kms:Decrypt for these rules (terraform apply restores the module's)",
                    )
                )
    checks.append(
        _check_alarm(
            f"{label} alarm",
            _alarms_on(
                alarms, "AWS/SQS", "ApproximateNumberOfMessagesVisible", ("QueueName", name)
            ),
            "apply with alerts.create_alarms = true (the default), or alarm on the queue's "
            "ApproximateNumberOfMessagesVisible",
        )
    )
    return checks


# PagerDuty Events API v2 ("Send an Alert Event"): POST https://events.pagerduty.com/v2/enqueue
# (events.eu.pagerduty.com for the EU service region) with routing_key, event_action and, for
# updates and resolves, dedup_key.
PAGERDUTY_HOSTS = ("events.pagerduty.com", "events.eu.pagerduty.com")
PAGERDUTY_BODY = ("event_action", "dedup_key")


def _role_policies(iam: Any, role_name: str) -> list[str]:
    """A role's identity policies as JSON text: inline, and the default version of each
    attached managed policy."""

    def text(document: Any) -> str:  # boto3 decodes IAM policy documents
        return document if isinstance(document, str) else json.dumps(document)

    policies = [
        text(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"])
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name)
        for name in page["PolicyNames"]
    ]
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
        for attached in page["AttachedPolicies"]:
            version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)
            policies.append(text(document["PolicyVersion"]["Document"]))
    return policies


def _check_role(iam: Any, target: Target, account: str) -> list[Check]:
    """EventBridge invokes an API destination with the target's role ("To use an API destination
    as a target, you must provide an IAM role"): the role must trust it for this rule
    ("For EventBridge event bus rule targets, the value of aws:SourceArn must be the rule ARN")
    and allow events:InvokeApiDestination on the destination."""
    name = f"rule {target.rule} role{_suffix(API_DESTINATION)}"
    if not target.role_arn:
        return [
            Check(
                name,
                False,
                f"{target.arn}: the target has no role",
                "terraform apply: an API destination target needs a role that EventBridge assumes",
            )
        ]
    role_name = target.role_arn.rsplit("/", 1)[-1]
    trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    trust = trust if isinstance(trust, str) else json.dumps(trust)
    context = {"aws:sourcearn": target.rule_arn, "aws:sourceaccount": account}
    policies = _role_policies(iam, role_name)
    return [
        Check(
            f"{name} trusts EventBridge for the rule",
            policy_allows(trust, "sts:AssumeRole", target.role_arn, context),
            target.role_arn,
            "the role's trust policy must let events.amazonaws.com sts:AssumeRole with "
            "aws:SourceArn the rule (terraform apply restores the module's)",
        ),
        Check(
            f"{name} may invoke the API destination",
            identity_allows(policies, "events:InvokeApiDestination", target.arn),
            f"{target.role_arn} on {target.arn}",
            "the role needs events:InvokeApiDestination on the API destination (terraform "
            "apply restores the module's)",
        ),
    ]


def _check_api_destination(
    events: Any, iam: Any, targets: list[Target], account: str
) -> list[Check]:
    """One API destination and the targets that invoke it: active, its connection authorized,
    PagerDuty's body parameters, each target's message and role."""
    arn = targets[0].arn
    label = f"API destination {resource_name(arn)}"
    destination = events.describe_api_destination(Name=resource_name(arn))
    connection_arn = destination.get("ConnectionArn", "")
    connection = events.describe_connection(Name=resource_name(connection_arn))
    state = connection.get("ConnectionState", "")
    endpoint = destination.get("InvocationEndpoint", "")
    checks = [
        Check(
            f"{label} active",
            destination.get("ApiDestinationState") == "ACTIVE",
            f"{arn} is {destination.get('ApiDestinationState')}",
            "terraform apply (the destination must be ACTIVE)",
        ),
        Check(
            f"{label} connection authorized",
            state == "AUTHORIZED",
            f"{connection_arn} is {state}"
            + (f": {connection['StateReason']}" if connection.get("StateReason") else ""),
            "EventBridge could not authorize the connection: check its authorization parameters "
            "(for PagerDuty, the routing key's secret), then terraform apply",
        ),
    ]
    pagerduty = endpoint.split("://", 1)[-1].split("/", 1)[0] in PAGERDUTY_HOSTS
    if pagerduty:
        parameters = (
            (connection.get("AuthParameters") or {}).get("InvocationHttpParameters") or {}
        ).get("BodyParameters") or []
        routing = [p for p in parameters if p.get("Key") == "routing_key"]
        shown = [
            f"{p.get('Key')} ({'secret' if p.get('IsValueSecret') else 'plain'})"
            for p in parameters
        ]
        checks.append(
            Check(
                f"{label} connection adds the routing key",
                bool(routing) and all(p.get("IsValueSecret") for p in routing),
                f"{connection_arn}: body parameters {shown}",
                "the connection must add routing_key as a secret body parameter "
                "(alerts.pagerduty.routing_key_secret_arn)",
            )
        )
    for target in targets:
        if pagerduty:
            try:
                body = template_document(target.template) if target.template else None
            except ValueError:
                body = None
            missing = [k for k in PAGERDUTY_BODY if not isinstance(body, dict) or k not in body]
            checks.append(
                Check(
                    f"rule {target.rule} message{_suffix(API_DESTINATION)}",
                    not missing,
                    f"{arn}: "
                    + (
                        f"the body lacks {', '.join(missing)}"
                        if missing
                        else "an Events API v2 event (event_action, dedup_key)"
                    ),
                    "terraform apply (alerts.pagerduty): the target's input transformer must "
                    "write an Events API v2 event",
                )
            )
        checks += _check_role(iam, target, account)
    return checks


def has_detector(session: boto3.Session, region: str, endpoint_url: str | None = None) -> bool:
    """Whether GuardDuty has a detector in ``region`` (``--all-regions`` verifies only those)."""
    guardduty = client(session, "guardduty", endpoint_url, region)
    return bool(guardduty.list_detectors()["DetectorIds"])


def verify(
    session: boto3.Session,
    endpoint_url: str | None = None,
    *,
    hints: Hints | None = None,
    region: str | None = None,
) -> list[Check]:
    """Every check of the session's account and Region (or ``region``), in order; a check that
    could not run is a failed check."""
    region = region or session.region_name or ""

    def api(service: str) -> Any:
        return client(session, service, endpoint_url, region or None)

    hints = hints or Hints()
    guardduty, events = api("guardduty"), api("events")
    account = api("sts").get_caller_identity()["Account"]
    deployment = discover(guardduty, events, account, region, hints)
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
    alarms = _alarms(api("cloudwatch"))
    for rule in deployment.rules:
        checks += _check_rule(rule, hints.expected_patterns.get(rule.name))
        if rule.channels:
            checks.append(
                _check_alarm(
                    f"rule {rule.name} alarm",
                    _alarms_on(alarms, "AWS/Events", "FailedInvocations", ("RuleName", rule.name)),
                    "apply with alerts.create_alarms = true (the default), or alarm on the "
                    "rule's AWS/Events FailedInvocations",
                )
            )
    checks += _check_topics(api("sns"), api("kms"), deployment, alarms)
    # Each dead-letter queue with the rules whose targets name it.
    by_name = {rule.name: rule for rule in deployment.rules}
    dead_letters: dict[str, dict[str, Rule]] = {}
    for target in deployment.channels:
        if target.dead_letter_arn:
            dead_letters.setdefault(target.dead_letter_arn, {})[target.rule] = by_name[target.rule]
    for queue_arn, users in dead_letters.items():
        checks += _missing_is_a_failure(
            f"dead-letter queue {resource_name(queue_arn)} exists",
            queue_arn,
            lambda queue_arn=queue_arn, users=users: _check_dead_letter_queue(
                api("sqs"), api("kms"), queue_arn, list(users.values()), alarms
            ),
        )
    destinations: dict[str, list[Target]] = {}
    for target in deployment.channels:
        if target.channel == API_DESTINATION:
            destinations.setdefault(target.arn, []).append(target)
    for arn, targets in destinations.items():
        checks += _missing_is_a_failure(
            f"API destination {resource_name(arn)} exists",
            arn,
            lambda targets=targets: _check_api_destination(
                events, api("iam"), targets, deployment.account
            ),
        )
    if deployment.detector_id:
        checks += _check_suppression(guardduty, deployment.detector_id)
    return checks


# Error codes of a resource that a target names and that does not exist (or is not visible).
NOT_FOUND = {
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "ResourceNotFoundException",
    "NoSuchEntity",
    "NotFoundException",
}


def _missing_is_a_failure(name: str, arn: str, checks: Callable[[], list[Check]]) -> list[Check]:
    """The ``checks`` of a resource a target names; a failed check when it does not exist."""
    try:
        return checks()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in NOT_FOUND:
            raise
        return [Check(name, False, f"{arn}: {error}", "terraform apply (the target names it)")]


def _check_topics(
    sns: Any, kms: Any, deployment: Deployment, alarms: list[dict[str, Any]]
) -> list[Check]:
    """Each topic as its channel needs: policies and key, subscriptions, the message of each
    target that writes to it."""
    checks = []
    topics = {arn: deployment.topic_channel(arn) for arn in deployment.topic_arns}
    for topic_arn, channel in sorted(topics.items(), key=lambda t: CHANNELS.index(t[1])):
        notifying = [alarm for alarm in alarms if topic_arn in alarm.get("AlarmActions", [])]
        checks += _check_topic(
            sns, kms, topic_arn, channel=channel, alarms=notifying, account=deployment.account
        )
        subscriptions = _subscriptions(sns, topic_arn)
        chat_subscribed = any(is_chat_subscription(s) for s in subscriptions)
        # Every e-mail subscription must be confirmed; the e-mail topic must have one.
        mailed = any(s["Protocol"] == "email" for s in subscriptions)
        if (channel == EMAIL and not chat_subscribed) or mailed:
            checks += _check_subscriptions(subscriptions)
        if channel == CHAT or chat_subscribed:
            checks += _check_chat_subscriptions(sns, topic_arn, subscriptions)
        if channel == RAW:
            checks += _check_raw_subscriptions(topic_arn, subscriptions)
        checks += [
            _check_message(target, channel, chat_subscribed)
            for target in deployment.channels
            if target.arn == topic_arn
        ]
    return checks


def verdict(check: Check) -> str:
    """PASS, FAIL or WARN, as the report prints a check."""
    return "WARN" if check.warning else "PASS" if check.passed else "FAIL"


def report(checks: list[Check], out: TextIO, as_json: bool = False) -> bool:
    """Print the checks (as JSON, or one line each with the fix of what failed); whether every
    check passed (warnings fail nothing)."""
    failed = sum(not check.passed for check in checks)
    if as_json:
        json.dump([asdict(check) for check in checks], out, indent=2)
        out.write("\n")
        return failed == 0
    for check in checks:
        out.write(f"{verdict(check)}  {check.name}")
        shown = check.detail and (check.warning or not check.passed)
        out.write(f"  ({check.detail})\n" if shown else "\n")
        if check.warning or not check.passed:
            out.write(f"      fix: {check.fix}\n")
    warnings = sum(check.warning for check in checks)
    out.write(f"{len(checks) - failed - warnings} passed, {failed} failed, {warnings} warnings\n")
    return failed == 0
