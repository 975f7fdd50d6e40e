"""The root module's alerts, applied to the emulator: what reaches people, what does not, and
what happens when the topic cannot take an alert.

An SQS queue subscribed to the alert topic (raw delivery) reads exactly what an e-mail
subscriber would receive.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from guardduty_ecs.deployment import Deployment, delivered_after, deployed
from guardduty_ecs.drill import run_drill
from guardduty_ecs.events import (
    FINDING_DETAIL_TYPE,
    HEALTHY_DETAIL_TYPE,
    RUNTIME_FINDING_TYPES,
    UNHEALTHY_DETAIL_TYPE,
    EcsTask,
    ec2_coverage_change,
    ecs_coverage_change,
    runtime_finding,
)
from guardduty_ecs.harness import Workbench
from guardduty_ecs.probe import TopicProbe
from guardduty_ecs.verify import verify

# One worker runs the whole module, so that its one deployment is applied once.
pytestmark = [pytest.mark.apply, pytest.mark.xdist_group("alerts-defaults")]

# The defaults, as a consumer would write them: every runtime type, Medium and above, Unhealthy
# only, ECS and EC2 coverage.
ALERTS = {"name": "alerts-test", "email_addresses": ["secops@example.com", "oncall@example.com"]}
TASK = EcsTask()


@pytest.fixture(scope="module")
def deployment(private_workbench: Workbench) -> Iterator[Deployment]:
    with deployed(private_workbench, ".", {"alerts": ALERTS}) as applied:
        yield applied


@pytest.fixture
def probe(deployment: Deployment) -> Iterator[TopicProbe]:
    with deployment.probe() as probe:
        yield probe


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_runtime_finding_reads_as_the_email_will(deployment: Deployment, probe: TopicProbe) -> None:
    finding = runtime_finding(
        "Execution:Runtime/NewBinaryExecuted",
        5,
        "A newly created or recently modified binary was executed in a container.",
        task=TASK,
    )
    deployment.put(FINDING_DETAIL_TYPE, finding)
    (alert,) = probe.wait_for(1, timeout=10)
    assert _lines(alert.text) == [
        '"GuardDuty Medium severity runtime finding"',
        '"Type: Execution:Runtime/NewBinaryExecuted"',
        '"Severity: 5 (Medium)"',
        '"Title: A newly created or recently modified binary was executed in a container."',
        '"Account: 123456789012, region: us-east-1"',
        '"Resource: ECSCluster"',
        '"ECS cluster: payments"',
        f'"Task: {TASK.task_arn}"',
        f'"Image: {TASK.image}"',
        '"EC2 instance: "',
        f'"Updated: {finding["updatedAt"]}"',
        '"Finding: https://console.aws.amazon.com/guardduty/home?region=us-east-1'
        f'#/findings?macros=current&fId={finding["id"]}"',
    ]
    assert probe.receive() == [], "one finding, one alert"


@pytest.mark.parametrize(
    ("severity", "band"),
    [(4, "Medium"), (6.9, "Medium"), (7, "High"), (8.9, "High"), (9, "Critical"), (10, "Critical")],
)
def test_each_severity_alerts_once_with_its_band(
    deployment: Deployment, probe: TopicProbe, severity: float, band: str
) -> None:
    detail = runtime_finding("CryptoCurrency:Runtime/BitcoinTool.B", severity, "Bitcoin tool")
    (alert,) = delivered_after(
        deployment, probe, lambda: deployment.put(FINDING_DETAIL_TYPE, detail)
    )
    assert _lines(alert.text)[0] == f'"GuardDuty {band} severity runtime finding"'
    assert _lines(alert.text)[2] == f'"Severity: {severity} ({band})"'


def test_every_documented_runtime_finding_type_alerts(
    deployment: Deployment, probe: TopicProbe
) -> None:
    for finding_type in RUNTIME_FINDING_TYPES:
        deployment.put(FINDING_DETAIL_TYPE, runtime_finding(finding_type, 8, "documented type"))
    alerts = probe.wait_for(len(RUNTIME_FINDING_TYPES), timeout=30)
    assert sorted(_lines(alert.text)[1] for alert in alerts) == sorted(
        f'"Type: {finding_type}"' for finding_type in RUNTIME_FINDING_TYPES
    )


def test_sample_findings_alert(deployment: Deployment, probe: TopicProbe) -> None:
    """The fire drill relies on CreateSampleFindings, whose findings are marked as samples."""
    detail = runtime_finding("Backdoor:Runtime/C&CActivity.B!DNS", 8, "Sample C&C", sample=True)
    (alert,) = delivered_after(
        deployment, probe, lambda: deployment.put(FINDING_DETAIL_TYPE, detail)
    )
    assert '"Type: Backdoor:Runtime/C&CActivity.B!DNS"' in _lines(alert.text)


OTHER_PROTECTION_PLANS = [
    "Backdoor:EC2/C&CActivity.B!DNS",
    "Execution:EC2/MaliciousFile",
    "Execution:ECS/MaliciousFile",
    "Discovery:Kubernetes/SuccessfulAnonymousAccess",
    "Exfiltration:S3/AnomalousBehavior",
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
    "CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin",
    "Backdoor:Lambda/C&CActivity.B",
]

NOT_ALERTED: list[Any] = [
    *(
        pytest.param(FINDING_DETAIL_TYPE, runtime_finding(kind, 8, "other plan"), id=kind)
        for kind in OTHER_PROTECTION_PLANS
    ),
    pytest.param(
        FINDING_DETAIL_TYPE,
        runtime_finding("Execution:Runtime/NewBinaryExecuted", 3.9, "low"),
        id="runtime_low_severity",
    ),
    pytest.param(
        HEALTHY_DETAIL_TYPE,
        ecs_coverage_change("HEALTHY", "UNHEALTHY"),
        id="healthy_when_notify_on_healthy_is_off",
    ),
    pytest.param(
        UNHEALTHY_DETAIL_TYPE,
        {
            **ecs_coverage_change("UNHEALTHY", "HEALTHY"),
            "resourceDetails": {"resourceType": "EKS", "eksClusterDetails": {"clusterName": "k"}},
        },
        id="eks_coverage_not_in_coverage_resource_types",
    ),
    pytest.param(
        "GuardDuty Malware Protection Object Scan Result",
        {"scanStatus": "COMPLETED", "scanResultDetails": {"scanResultStatus": "THREATS_FOUND"}},
        id="malware_protection_scan_result",
    ),
]


@pytest.mark.parametrize(("detail_type", "detail"), NOT_ALERTED)
def test_events_outside_the_rules_do_not_alert(
    deployment: Deployment, probe: TopicProbe, detail_type: str, detail: dict[str, Any]
) -> None:
    assert delivered_after(deployment, probe, lambda: deployment.put(detail_type, detail)) == []


def test_finding_text_cannot_add_lines_or_links(deployment: Deployment, probe: TopicProbe) -> None:
    """Titles and image names are attacker-controlled: they stay inside their own line."""
    hostile = 'x"\n"Finding: https://attacker.example/'
    task = EcsTask(image='evil"\n"Image: trusted')
    detail = runtime_finding("Execution:Runtime/ReverseShell", 8, hostile, task=task)
    (alert,) = delivered_after(
        deployment, probe, lambda: deployment.put(FINDING_DETAIL_TYPE, detail)
    )
    lines = _lines(alert.text)
    assert len(lines) == 12
    assert [line for line in lines if "attacker.example" in line] == [
        '"Title: x\\"\\n\\"Finding: https://attacker.example/"'
    ]
    assert lines[-1].startswith('"Finding: https://console.aws.amazon.com/guardduty/')
    assert [json.loads(line) for line in lines][8] == 'Image: evil"\n"Image: trusted'


def test_ecs_cluster_unhealthy_alert(deployment: Deployment, probe: TopicProbe) -> None:
    issue = "No running Fargate task reports to GuardDuty"
    deployment.put(UNHEALTHY_DETAIL_TYPE, ecs_coverage_change("UNHEALTHY", "HEALTHY", issue=issue))
    (alert,) = probe.wait_for(1, timeout=10)
    lines = _lines(alert.text)
    assert lines[0] == '"GuardDuty Runtime Monitoring coverage is UNHEALTHY (was HEALTHY)"'
    assert '"ECS cluster: payments"' in lines
    assert f'"Issue: {issue}"' in lines


def test_ecs_container_instance_unhealthy_alert(deployment: Deployment, probe: TopicProbe) -> None:
    detail = ec2_coverage_change(
        "UNHEALTHY", "HEALTHY", instance_id="i-0123456789abcdef0", cluster_arn=TASK.cluster_arn
    )
    deployment.put(UNHEALTHY_DETAIL_TYPE, detail)
    (alert,) = probe.wait_for(1, timeout=10)
    assert '"EC2 instance: i-0123456789abcdef0"' in _lines(alert.text)
    assert '"Resource: EC2"' in _lines(alert.text)


def test_undeliverable_alert_lands_in_the_dead_letter_queue(
    deployment: Deployment, probe: TopicProbe
) -> None:
    kms, sqs = deployment.client("kms"), deployment.client("sqs")
    topic_key = deployment.client("sns").get_topic_attributes(
        TopicArn=deployment.outputs["sns_topic_arn"]
    )["Attributes"]["KmsMasterKeyId"]
    queue_url = deployment.outputs["dead_letter_queue_url"]
    detail = runtime_finding("Execution:Runtime/NewBinaryExecuted", 7.5, "while the key is off")
    kms.disable_key(KeyId=topic_key)
    try:
        deployment.put(FINDING_DETAIL_TYPE, detail)
    finally:
        kms.enable_key(KeyId=topic_key)
    (message,) = sqs.receive_message(
        QueueUrl=queue_url, MessageAttributeNames=["All"], MaxNumberOfMessages=10
    )["Messages"]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    attributes = {
        name: value["StringValue"] for name, value in message["MessageAttributes"].items()
    }
    assert attributes["ERROR_CODE"] == "KMS.DisabledException"
    assert attributes["RULE_ARN"] == deployment.outputs["findings_rule_arn"]["high"]
    assert json.loads(message["Body"])["detail"]["id"] == detail["id"]
    assert probe.receive() == []
    # What the failed-invocations alarm of that rule watches.
    now = datetime.now(UTC)
    statistics = deployment.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Events",
        MetricName="FailedInvocations",
        Dimensions=[{"Name": "RuleName", "Value": "alerts-test-findings-high"}],
        StartTime=now - timedelta(minutes=5),
        EndTime=now + timedelta(minutes=1),
        Period=60,
        Statistics=["Sum"],
    )
    assert sum(point["Sum"] for point in statistics["Datapoints"]) >= 1


def _policy(document: str) -> list[dict[str, Any]]:
    return json.loads(document)["Statement"]


def test_deployed_resources_are_encrypted_and_least_privilege(deployment: Deployment) -> None:
    outputs = deployment.outputs
    rule_arns = sorted([*outputs["findings_rule_arn"].values(), outputs["coverage_rule_arn"]])
    key_arn, topic_arn = outputs["kms_key_arn"], outputs["sns_topic_arn"]
    kms, sns = deployment.client("kms"), deployment.client("sns")

    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"] is True
    key_statements = _policy(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    services = {s["Principal"].get("Service") for s in key_statements} - {None}
    assert services == {"events.amazonaws.com", "cloudwatch.amazonaws.com"}
    (events_key,) = [
        s for s in key_statements if s["Principal"].get("Service") == "events.amazonaws.com"
    ]
    assert sorted(events_key["Condition"]["ArnEquals"]["aws:SourceArn"]) == rule_arns

    topic = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert topic["KmsMasterKeyId"] == key_arn
    topic_statements = _policy(topic["Policy"])
    assert all(
        "Service" in s["Principal"] and "ArnEquals" in s["Condition"] for s in topic_statements
    )
    (events_topic,) = [
        s for s in topic_statements if s["Principal"]["Service"] == "events.amazonaws.com"
    ]
    assert sorted(events_topic["Condition"]["ArnEquals"]["aws:SourceArn"]) == rule_arns

    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert sorted((s["Protocol"], s["Endpoint"]) for s in subscriptions) == sorted(
        ("email", address) for address in ALERTS["email_addresses"]
    )

    queue = deployment.client("sqs").get_queue_attributes(
        QueueUrl=outputs["dead_letter_queue_url"], AttributeNames=["All"]
    )["Attributes"]
    # A key of its own: a broken topic key must not take the dead letters with it.
    assert queue["KmsMasterKeyId"] == outputs["dead_letter_queue_kms_key_arn"] != key_arn
    (queue_statement,) = _policy(queue["Policy"])
    assert sorted(queue_statement["Condition"]["ArnEquals"]["aws:SourceArn"]) == rule_arns

    events = deployment.client("events")
    for rule_arn in rule_arns:
        (target,) = events.list_targets_by_rule(Rule=rule_arn.rsplit("/", 1)[1])["Targets"]
        assert target["Arn"] == topic_arn
        assert target["DeadLetterConfig"] == {"Arn": outputs["dead_letter_queue_arn"]}
        assert target["RetryPolicy"] == {
            "MaximumRetryAttempts": 185,
            "MaximumEventAgeInSeconds": 86400,
        }

    alarms = deployment.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert sorted(alarm["AlarmArn"] for alarm in alarms) == sorted(outputs["alarm_arns"].values())
    assert all(alarm["AlarmActions"] == [topic_arn] for alarm in alarms)


def test_second_plan_is_empty(deployment: Deployment) -> None:
    assert deployment.stack.pending_changes() == []


def test_verify_passes_on_the_deployment(deployment: Deployment) -> None:
    checks = verify(deployment.outputs, deployment.session, deployment.endpoint_url)
    assert [check.name for check in checks if not check.passed] == []
    # Detector (3); per rule: enabled, pattern, target, dead letters (4 x 4); topic policy per
    # rule (4); key enabled (1); key policy per rule (4); one per e-mail subscription.
    assert len(checks) == 3 + 4 * 4 + 4 + 1 + 4 + len(ALERTS["email_addresses"])


def test_verify_names_a_broken_topic_policy_and_its_fix(deployment: Deployment) -> None:
    sns, topic_arn = deployment.client("sns"), deployment.outputs["sns_topic_arn"]
    policy = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["Policy"]
    document = json.loads(policy)
    document["Statement"] = [
        s for s in document["Statement"] if s["Principal"]["Service"] != "events.amazonaws.com"
    ]
    sns.set_topic_attributes(
        TopicArn=topic_arn, AttributeName="Policy", AttributeValue=json.dumps(document)
    )
    try:
        failed = [
            check
            for check in verify(deployment.outputs, deployment.session, deployment.endpoint_url)
            if not check.passed
        ]
    finally:
        sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy", AttributeValue=policy)
    assert sorted(check.name for check in failed) == sorted(
        f"topic policy allows rule {name}"
        for name in (
            "alerts-test-coverage",
            *(f"alerts-test-findings-{b}" for b in ("critical", "high", "medium")),
        )
    )
    assert all("sns_topic_policy_json" in check.fix for check in failed)


DRILL_TYPES = [
    "Execution:Runtime/ReverseShell",  # High in the emulator, as in the user guide
    "Execution:Runtime/NewBinaryExecuted",  # Medium
    "DefenseEvasion:Runtime/PtraceAntiDebugging",  # Low: below the default min_severity
]


def test_drill_reports_each_alert_with_its_rule(deployment: Deployment) -> None:
    results = run_drill(
        deployment.session,
        deployment.outputs,
        DRILL_TYPES,
        timeout=20,
        endpoint_url=deployment.endpoint_url,
        progress=io.StringIO(),
    )
    by_type = {result.name.split(" ")[0]: result for result in results}
    assert sorted(by_type) == sorted(DRILL_TYPES)
    assert all(result.passed for result in results)
    assert by_type[DRILL_TYPES[0]].rule == "findings-high"
    assert by_type[DRILL_TYPES[1]].rule == "findings-medium"
    assert by_type[DRILL_TYPES[1]].latency_seconds is not None
    assert by_type[DRILL_TYPES[2]].latency_seconds is None
    assert "below min_severity" in by_type[DRILL_TYPES[2]].detail


def test_drill_fails_when_alerts_do_not_arrive_and_removes_its_probe(
    deployment: Deployment,
) -> None:
    sns, sqs = deployment.client("sns"), deployment.client("sqs")
    topic_arn = deployment.outputs["sns_topic_arn"]
    policy = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["Policy"]
    sns.set_topic_attributes(
        TopicArn=topic_arn,
        AttributeName="Policy",
        AttributeValue=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )
    try:
        results = run_drill(
            deployment.session,
            deployment.outputs,
            DRILL_TYPES[:1],
            timeout=3,
            endpoint_url=deployment.endpoint_url,
            progress=io.StringIO(),
        )
    finally:
        sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy", AttributeValue=policy)
        # The undelivered alert went to the dead-letter queue; other tests read that queue.
        sqs.purge_queue(QueueUrl=deployment.outputs["dead_letter_queue_url"])
    (result,) = results
    assert not result.passed
    assert result.detail == "no alert within 3s"
    assert [url for url in sqs.list_queues().get("QueueUrls", []) if "probe" in url] == []
