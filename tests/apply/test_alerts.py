"""The root module's alerts, applied to the emulator: what reaches people, what does not, and
what happens when the topic cannot take an alert.

An SQS queue subscribed to the alert topic (raw delivery) reads exactly what an e-mail
subscriber would receive.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from guardduty_ecs.drill import FAIL, NOT_ROUTED, PASS, run_drill
from guardduty_ecs.events import (
    FINDING_DETAIL_TYPE,
    HEALTHY_DETAIL_TYPE,
    UNHEALTHY_DETAIL_TYPE,
    EcsTask,
    attack_sequence_finding,
    ecs_coverage_change,
    runtime_finding,
    sequence_resources,
)
from guardduty_ecs.probe import TopicProbe
from guardduty_ecs.verify import Check, verify
from guardduty_ecs_bench.benchmark import alert_latency
from guardduty_ecs_bench.deployment import Deployment, delivered_after, deployed
from guardduty_ecs_bench.events import ec2_coverage_change
from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_emulator.process import advance_clock
from guardduty_ecs_emulator.services.guardduty.finding_types import (
    ATTACK_SEQUENCE_FINDING_TYPES,
    RUNTIME_FINDING_TYPES,
)

# One worker runs the whole module, so that its one deployment is applied once.
pytestmark = [
    pytest.mark.apply,
    pytest.mark.xdist_group("alerts-defaults"),
    pytest.mark.emulator_only(
        reason=(
            "puts aws.guardduty events with PutEvents, which AWS refuses to anyone but GuardDuty, "
            "and turns the emulator's clock"
        )
    ),
]

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


ECS_SEQUENCE = "AttackSequence:ECS/CompromisedCluster"
SEQUENCE_SUMMARY = (
    "A sequence of suspicious actions performed by potentially compromised ECS cluster."
)


def test_ecs_attack_sequence_reads_as_the_email_will(
    deployment: Deployment, probe: TopicProbe
) -> None:
    """The sequence's own rule and message: no ECS cluster or task labels (a sequence has no
    ecsClusterDetails), its resources as GuardDuty lists them, on a line of their own."""
    finding = attack_sequence_finding(
        ECS_SEQUENCE, 9, SEQUENCE_SUMMARY, resources=sequence_resources(TASK)
    )
    deployment.put(FINDING_DETAIL_TYPE, finding)
    (alert,) = probe.wait_for(1, timeout=10)
    lines = _lines(alert.text)
    assert lines[:6] == [
        f'"GuardDuty attack sequence: {SEQUENCE_SUMMARY}"',
        f'"Type: {ECS_SEQUENCE}"',
        '"Severity: 9 (attack sequences are Critical by default)"',
        f'"Summary: {SEQUENCE_SUMMARY}"',
        '"Account: 123456789012, region: us-east-1"',
        f'"Updated: {finding["updatedAt"]}"',
    ]
    assert json.loads(lines[6]) == sequence_resources(TASK)
    assert lines[7].endswith(f'fId={finding["id"]}"')
    assert probe.receive() == [], "one finding, one alert: the band rules do not take sequences"


def test_attack_sequence_without_resources_leaves_no_dangling_label(
    deployment: Deployment, probe: TopicProbe
) -> None:
    finding = attack_sequence_finding(ECS_SEQUENCE, 9.5, SEQUENCE_SUMMARY, resources=None)
    (alert,) = delivered_after(
        deployment, probe, lambda: deployment.put(FINDING_DETAIL_TYPE, finding)
    )
    lines = _lines(alert.text)
    assert '"Severity: 9.5 (attack sequences are Critical by default)"' in lines
    assert lines[6] == ""
    assert not [line for line in lines if line.rstrip('"').endswith(": ")], lines


@pytest.mark.parametrize("finding_type", ATTACK_SEQUENCE_FINDING_TYPES)
def test_attack_sequences_fed_by_runtime_monitoring_alert(
    deployment: Deployment, probe: TopicProbe, finding_type: str
) -> None:
    """ECS, EC2 and EKS sequences alert by default; IAM and S3 sequences, which CloudTrail and S3
    data events feed, do not (modules/alerts README)."""
    finding = attack_sequence_finding(finding_type, 9, "sequence", resources=None)
    alerts = delivered_after(
        deployment, probe, lambda: deployment.put(FINDING_DETAIL_TYPE, finding)
    )
    expected = finding_type.startswith(
        ("AttackSequence:ECS/", "AttackSequence:EC2/", "AttackSequence:EKS/")
    )
    assert len(alerts) == (1 if expected else 0)


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


def test_finding_text_reaches_the_email_unescaped_above_the_modules_link(
    deployment: Deployment, probe: TopicProbe
) -> None:
    """EventBridge does not escape what it pastes (user guide, input transformation): a title
    with quotes and a line break adds a line, as it would on AWS. The module's own console link
    is always the last line, which is what the README tells readers to trust."""
    hostile = 'x"\n"Finding: https://attacker.example/'
    detail = runtime_finding("Execution:Runtime/ReverseShell", 8, hostile)
    (alert,) = delivered_after(
        deployment, probe, lambda: deployment.put(FINDING_DETAIL_TYPE, detail)
    )
    lines = _lines(alert.text)
    assert lines[3:5] == ['"Title: x"', '"Finding: https://attacker.example/"']
    assert len(lines) == 13
    assert lines[-1] == (
        '"Finding: https://console.aws.amazon.com/guardduty/home?region=us-east-1'
        f'#/findings?macros=current&fId={detail["id"]}"'
    )


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
    assert attributes["RULE_ARN"] == deployment.outputs["findings_rule_arns"]["high"]
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
    rule_arns = sorted(
        [
            *outputs["findings_rule_arns"].values(),
            outputs["attack_sequence_rule_arn"],
            outputs["coverage_rule_arn"],
        ]
    )
    key_arn, topic_arn = outputs["kms_key_arn"], outputs["sns_topic_arn"]
    kms, sns = deployment.client("kms"), deployment.client("sns")

    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"] is True
    key_statements = _policy(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    services = {s["Principal"].get("Service") for s in key_statements} - {None}
    assert services == {"events.amazonaws.com", "cloudwatch.amazonaws.com"}
    # SNS developer guide: no aws:Source* condition for EventBridge-to-encrypted topics.
    (events_key,) = [
        s for s in key_statements if s["Principal"].get("Service") == "events.amazonaws.com"
    ]
    assert "Condition" not in events_key
    assert sorted(events_key["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]

    topic = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert topic["KmsMasterKeyId"] == key_arn
    topic_statements = {s["Principal"]["Service"]: s for s in _policy(topic["Policy"])}
    assert sorted(topic_statements) == ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    # EventBridge guide: "You can't use Condition blocks in Amazon SNS topic policies for
    # EventBridge"; the alarms are scoped to this module's alarms.
    assert "Condition" not in topic_statements["events.amazonaws.com"]
    assert topic_statements["events.amazonaws.com"]["Resource"] == topic_arn
    assert sorted(
        topic_statements["cloudwatch.amazonaws.com"]["Condition"]["ArnEquals"]["aws:SourceArn"]
    ) == sorted(outputs["alarm_arns"].values())

    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert sorted((s["Protocol"], s["Endpoint"]) for s in subscriptions) == sorted(
        ("email", address) for address in ALERTS["email_addresses"]
    )

    queue = deployment.client("sqs").get_queue_attributes(
        QueueUrl=outputs["dead_letter_queue_url"], AttributeNames=["All"]
    )["Attributes"]
    # A key of its own: a broken topic key must not take the dead letters with it. The queue
    # names it by alias (known before the key exists, so the two are created side by side).
    assert queue["KmsMasterKeyId"].startswith("alias/")
    dead_letter_key_arn = kms.describe_key(KeyId=queue["KmsMasterKeyId"])["KeyMetadata"]["Arn"]
    assert dead_letter_key_arn == outputs["dead_letter_queue_kms_key_arn"] != key_arn
    (queue_statement,) = _policy(queue["Policy"])
    assert sorted(queue_statement["Condition"]["ArnEquals"]["aws:SourceArn"]) == rule_arns
    # SQS developer guide: CloudWatch Events supports aws:SourceArn for SSE queues' keys.
    dead_letter_key = _policy(
        kms.get_key_policy(KeyId=dead_letter_key_arn, PolicyName="default")["Policy"]
    )
    (events_dead_letter_key,) = [
        s for s in dead_letter_key if s["Principal"].get("Service") == "events.amazonaws.com"
    ]
    assert sorted(events_dead_letter_key["Condition"]["ArnEquals"]["aws:SourceArn"]) == rule_arns

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
    checks = verify(deployment.session, deployment.endpoint_url, hints=deployment.hints())
    assert [check.name for check in checks if not check.passed] == []
    names = [check.name for check in checks]
    assert {
        "a Critical runtime finding alerts",
        "the ECS attack sequence alerts",
        "an ECS cluster's Unhealthy coverage alerts",
    } <= set(names)
    # Per rule (3 bands, the attack sequences, coverage): enabled, target, pattern (the outputs
    # give it), dead letters; the module's own names, found in the account.
    for key in ("findings-medium", "findings-high", "findings-critical", "attack-sequences"):
        assert f"rule alerts-test-{key} pattern" in names
        assert f"rule alerts-test-{key} keeps failed alerts" in names
    assert len([name for name in names if name.startswith("subscription ")]) == 2


def test_verify_finds_the_rules_without_any_hint(deployment: Deployment) -> None:
    """An adopter's root re-exports nothing: verify finds the module's rules in the account."""
    checks = verify(deployment.session, deployment.endpoint_url)
    assert [check.name for check in checks if not check.passed] == []
    assert "rule alerts-test-attack-sequences keeps failed alerts" in [c.name for c in checks]


def _failed_checks(deployment: Deployment) -> list[Check]:
    checks = verify(deployment.session, deployment.endpoint_url, hints=deployment.hints())
    return [check for check in checks if not check.passed]


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
        failed = _failed_checks(deployment)
    finally:
        sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy", AttributeValue=policy)
    assert [check.name for check in failed] == ["topic policy lets EventBridge publish"]
    assert all("sns_topic_policy_json" in check.fix for check in failed)


def test_verify_flags_a_key_policy_that_scopes_eventbridge_by_source_arn(
    deployment: Deployment,
) -> None:
    """The defect this module once had: an aws:SourceArn condition on the EventBridge statement
    of the topic key. The emulator dead-letters the alert and verify names the fix."""
    kms, key_arn = deployment.client("kms"), deployment.outputs["kms_key_arn"]
    policy = kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]
    document = json.loads(policy)
    for statement in document["Statement"]:
        if statement["Principal"].get("Service") == "events.amazonaws.com":
            statement["Condition"] = {
                "ArnEquals": {
                    "aws:SourceArn": list(deployment.outputs["findings_rule_arns"].values())
                }
            }
    kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=json.dumps(document))
    try:
        deployment.put(
            FINDING_DETAIL_TYPE, runtime_finding("Execution:Runtime/ReverseShell", 8, "scoped key")
        )
        sqs, queue_url = deployment.client("sqs"), deployment.outputs["dead_letter_queue_url"]
        (message,) = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])[
            "Messages"
        ]
        # Deleted rather than purged: SQS allows one purge a minute, and another test purges.
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        assert message["MessageAttributes"]["ERROR_CODE"]["StringValue"] == (
            "KMS.AccessDeniedException"
        )
        failed = _failed_checks(deployment)
    finally:
        kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=policy)
    assert [check.name for check in failed] == [
        "key policy lets EventBridge kms:GenerateDataKey",
        "key policy lets EventBridge kms:Decrypt",
    ]
    assert all("aws:SourceArn" in check.fix for check in failed)


def test_latency_benchmark_measures_each_delivery(deployment: Deployment) -> None:
    """The benchmark's alert latency, on this deployment (no timing is asserted: figures go in
    the benchmark table)."""
    summary = alert_latency(deployment, 3)
    assert summary.count == 3
    assert 0 < summary.minimum <= summary.median <= summary.p95 <= summary.maximum


DRILL_TYPES = [
    "Execution:Runtime/ReverseShell",  # High in the emulator, as in the user guide
    "Execution:Runtime/NewBinaryExecuted",  # Medium
    "DefenseEvasion:Runtime/PtraceAntiDebugging",  # Low: below the default min_severity
    ECS_SEQUENCE,  # Critical
]


def test_drill_reports_each_alert_with_the_rule_eventbridge_routes_it_to(
    deployment: Deployment,
) -> None:
    results = run_drill(
        deployment.session,
        DRILL_TYPES,
        timeout=20,
        hints=deployment.hints(),
        endpoint_url=deployment.endpoint_url,
        progress=io.StringIO(),
    )
    by_type = {result.name.split(" ")[0]: result for result in results}
    assert sorted(by_type) == sorted(DRILL_TYPES)
    assert [by_type[kind].status for kind in DRILL_TYPES] == [PASS, PASS, NOT_ROUTED, PASS]
    assert by_type[DRILL_TYPES[0]].rule == "alerts-test-findings-high"
    assert by_type[DRILL_TYPES[1]].rule == "alerts-test-findings-medium"
    assert by_type[ECS_SEQUENCE].rule == "alerts-test-attack-sequences"
    assert by_type[ECS_SEQUENCE].text.startswith('"GuardDuty attack sequence: ')
    assert by_type[DRILL_TYPES[1]].latency_seconds is not None
    not_routed = by_type[DRILL_TYPES[2]]
    assert not_routed.latency_seconds is None
    assert "rules tried: " in not_routed.detail
    assert "alerts-test-findings-medium" in not_routed.detail
    # The drill archives its own samples when it ends.
    guardduty, detector_id = deployment.client("guardduty"), deployment.outputs["detector_id"]
    archived = guardduty.list_findings(
        DetectorId=detector_id,
        FindingCriteria={
            "Criterion": {"type": {"Eq": DRILL_TYPES}, "service.archived": {"Eq": ["true"]}}
        },
    )["FindingIds"]
    assert len(archived) == len(DRILL_TYPES)


def test_drill_rerun_says_it_waits_for_the_publishing_frequency_and_gets_the_update(
    deployment: Deployment,
) -> None:
    """A second drill updates the samples of the first; GuardDuty (and the emulator) publish the
    update only at the detector's finding publishing frequency (FIFTEEN_MINUTES here)."""
    finding_type = "Impact:Runtime/CryptoMinerExecuted"
    guardduty = deployment.client("guardduty")
    detector_id = deployment.outputs["detector_id"]

    def run(progress: io.StringIO) -> list[Any]:
        return run_drill(
            deployment.session,
            [finding_type],
            hints=deployment.hints(),
            endpoint_url=deployment.endpoint_url,
            progress=progress,
        )

    first_progress = io.StringIO()
    (first,) = run(first_progress)
    assert first.passed
    assert "waiting up to 6 min" in first_progress.getvalue()

    def count() -> int:
        ids = guardduty.list_findings(
            DetectorId=detector_id,
            FindingCriteria={"Criterion": {"type": {"Eq": [finding_type]}}},
        )["FindingIds"]
        (finding,) = guardduty.get_findings(DetectorId=detector_id, FindingIds=ids)["Findings"]
        return finding["Service"]["Count"]

    second_progress = io.StringIO()
    with ThreadPoolExecutor(max_workers=1) as pool:
        rerun = pool.submit(run, second_progress)
        deadline = time.monotonic() + 30
        while count() < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not rerun.done(), "the update must not be published before the frequency"
        advance_clock(deployment.endpoint_url, 15 * 60)
        (second,) = rerun.result(timeout=60)
    assert second.passed
    announced = second_progress.getvalue()
    assert "already have a sample finding (Impact:Runtime/CryptoMinerExecuted)" in announced
    assert "FIFTEEN_MINUTES" in announced
    assert "waiting up to 21 min" in announced


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
            DRILL_TYPES[:1],
            timeout=3,
            hints=deployment.hints(),
            endpoint_url=deployment.endpoint_url,
            progress=io.StringIO(),
        )
    finally:
        sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy", AttributeValue=policy)
        # The undelivered alert went to the dead-letter queue; other tests read that queue.
        sqs.purge_queue(QueueUrl=deployment.outputs["dead_letter_queue_url"])
    (result,) = results
    assert result.status == FAIL
    assert result.detail == "no alert within 3s"
    assert [url for url in sqs.list_queues().get("QueueUrls", []) if "probe" in url] == []
