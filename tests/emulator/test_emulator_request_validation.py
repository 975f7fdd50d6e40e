"""The emulator refuses, before moto or an extension answers, what AWS's request validation
refuses: members missing, values outside an enum, too long, not matching a pattern; in AWS's
words and with AWS's error code per protocol; and it records each refusal for the suite."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from guardduty_ecs_emulator import EmulatorProcess
from guardduty_ecs_emulator.process import take_rejections
from guardduty_ecs_emulator.request_validation import python_pattern

pytestmark = [
    pytest.mark.emulator,
    # Every test here sends requests that AWS (and so the emulator) refuses, on purpose.
    pytest.mark.emulator_rejects,
]

DETECTOR_ARN = "arn:aws:guardduty:us-east-1:123456789012:detector/{}"


@pytest.fixture
def unchecked(aws_session: boto3.Session, clean_emulator: EmulatorProcess) -> Callable[[str], Any]:
    """Clients that send what they are given: boto3 checks required members and minimums
    itself (ParamValidator), which would stop a bad request before the emulator sees it."""
    take_rejections()  # only this test's rejections count below
    config = Config(parameter_validation=False, retries={"max_attempts": 1})
    return lambda service: aws_session.client(
        service, endpoint_url=clean_emulator.endpoint_url, config=config
    )


def refused(call: Callable[[], Any]) -> tuple[str, str, int]:
    """The error code, message and HTTP status of a call that must fail."""
    with pytest.raises(ClientError) as failure:
        call()
    response = failure.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def one_error(text: str) -> str:
    return f"1 validation error detected: {text}"


# --------------------------------------------------------------------------------------------
# rest-json: GuardDuty
# --------------------------------------------------------------------------------------------


def test_guardduty_refuses_with_bad_request_and_aws_message(unchecked) -> None:
    guardduty = unchecked("guardduty")
    detector_id = guardduty.create_detector(Enable=True)["DetectorId"]

    bodies: list[dict[str, Any]] = []
    guardduty.meta.events.register(
        "after-call.guardduty.*",
        lambda http_response, **_: bodies.append(json.loads(http_response.content or b"{}")),
    )
    code, message, status = refused(
        lambda: guardduty.create_filter(DetectorId=detector_id, Name="x")  # no FindingCriteria
    )
    assert (code, status) == ("BadRequestException", 400)
    assert message == (
        "2 validation errors detected: Value 'x' at 'name' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3; Value null at 'findingCriteria' "
        "failed to satisfy constraint: Member must not be null"
    )
    # GuardDuty's error shape: the message under "message", the code under "__type".
    assert bodies[-1] == {"__type": "BadRequestException", "message": message}

    assert refused(
        lambda: guardduty.update_detector(DetectorId=detector_id, FindingPublishingFrequency="HOUR")
    )[1] == one_error(
        "Value 'HOUR' at 'findingPublishingFrequency' failed to satisfy constraint: "
        "Member must satisfy enum value set: [FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS]"
    )
    assert refused(
        lambda: guardduty.create_filter(
            DetectorId=detector_id, Name="f" * 65, FindingCriteria={"Criterion": {}}
        )
    )[1] == one_error(
        f"Value '{'f' * 65}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )
    code, message, _ = refused(
        lambda: guardduty.tag_resource(ResourceArn="detector-1", Tags={"team": "security"})
    )
    assert code == "BadRequestException"
    assert "at 'resourceArn' failed to satisfy constraint: Member must satisfy regular " in message
    # Before the extension's own check: a page of 51 is refused with AWS's validation words.
    assert refused(lambda: guardduty.list_findings(DetectorId=detector_id, MaxResults=51))[
        1
    ] == one_error(
        "Value '51' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 50"
    )

    # Valid requests pass, the URI label and the tags map included.
    guardduty.update_detector(DetectorId=detector_id, FindingPublishingFrequency="SIX_HOURS")
    guardduty.tag_resource(ResourceArn=DETECTOR_ARN.format(detector_id), Tags={"team": "sec"})
    assert guardduty.get_detector(DetectorId=detector_id)["FindingPublishingFrequency"] == (
        "SIX_HOURS"
    )


# --------------------------------------------------------------------------------------------
# json: EventBridge, CloudWatch Logs
# --------------------------------------------------------------------------------------------


def test_eventbridge_refuses_with_validation_exception(unchecked) -> None:
    events = unchecked("events")
    pattern = json.dumps({"source": ["aws.guardduty"]})
    assert refused(lambda: events.put_rule(EventPattern=pattern)) == (
        "ValidationException",
        one_error("Value null at 'name' failed to satisfy constraint: Member must not be null"),
        400,
    )
    assert refused(lambda: events.put_rule(Name="r", EventPattern=pattern, State="ON"))[
        1
    ] == one_error(
        "Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: "
        "[ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"
    )
    assert (
        "Member must have length less than or equal to 64"
        in (refused(lambda: events.put_rule(Name="r" * 65, EventPattern=pattern))[1])
    )
    # The whole value must match, as on AWS: a valid name inside quotes is refused.
    assert refused(lambda: events.put_rule(Name='"rule"', EventPattern=pattern))[1] == one_error(
        "Value '\"rule\"' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"
    )
    # Nested: list items are named as AWS names them.
    events.put_rule(Name="rule", EventPattern=pattern, State="ENABLED")
    assert refused(lambda: events.put_targets(Rule="rule", Targets=[{"Id": "t"}]))[1] == (
        one_error(
            "Value null at 'targets.1.member.arn' failed to satisfy constraint: "
            "Member must not be null"
        )
    )
    assert events.describe_rule(Name="rule")["State"] == "ENABLED"


def test_an_operation_declaring_invalid_parameter_gets_that_code(unchecked) -> None:
    logs = unchecked("logs")
    code, message, _ = refused(lambda: logs.create_log_group(logGroupName="a b"))
    assert code == "InvalidParameterException"
    assert message == one_error(
        "Value 'a b' at 'logGroupName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
    )
    logs.create_log_group(logGroupName="/guardduty/ecs")


# --------------------------------------------------------------------------------------------
# query: STS, IAM, SNS, CloudWatch
# --------------------------------------------------------------------------------------------


def test_query_services_refuse_with_validation_error(unchecked) -> None:
    sts = unchecked("sts")
    # The message STS gives for an empty role ARN (quoted in mmmorris1975/aws-runas#80).
    code, message, status = refused(lambda: sts.assume_role(RoleArn="", RoleSessionName="tests"))
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        "2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: "
        "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD"
        "\\u10000-\\u10FFFF]+; Value '' at 'roleArn' failed to satisfy constraint: "
        "Member must have length greater than or equal to 20"
    )

    iam = unchecked("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    assert refused(lambda: iam.create_role(RoleName="r" * 65, AssumeRolePolicyDocument=trust))[
        1
    ] == one_error(
        f"Value '{'r' * 65}' at 'roleName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )
    code, message, _ = refused(
        lambda: iam.create_role(
            RoleName="r", AssumeRolePolicyDocument=trust, Tags=[{"Key": "k" * 129, "Value": "v"}]
        )
    )
    assert code == "ValidationError"
    assert "at 'tags.1.member.key' failed to satisfy constraint" in message

    sns = unchecked("sns")
    topic_arn = sns.create_topic(Name="alerts")["TopicArn"]
    assert refused(lambda: sns.publish(TopicArn=topic_arn))[1] == one_error(
        "Value null at 'message' failed to satisfy constraint: Member must not be null"
    )
    sns.publish(TopicArn=topic_arn, Message="hello")

    cloudwatch = unchecked("cloudwatch")
    code, message, _ = refused(
        lambda: cloudwatch.put_metric_alarm(
            AlarmName="a", EvaluationPeriods=1, ComparisonOperator="Bigger"
        )
    )
    assert code == "ValidationError"
    assert "Value 'Bigger' at 'comparisonOperator' failed to satisfy constraint: Member must " in (
        message
    )


# --------------------------------------------------------------------------------------------
# ec2 and rest-xml (S3): the partial depth
# --------------------------------------------------------------------------------------------


def test_ec2_refuses_missing_members_and_out_of_range_values(unchecked) -> None:
    ec2 = unchecked("ec2")
    code, message, _ = refused(
        lambda: ec2.create_vpc_endpoint(ServiceName="com.amazonaws.us-east-1.guardduty-data")
    )
    assert code == "MissingParameter"
    assert message == one_error(
        "Value null at 'vpcId' failed to satisfy constraint: Member must not be null"
    )
    code, message, _ = refused(lambda: ec2.describe_vpcs(MaxResults=4))
    assert code == "InvalidParameterValue"
    assert "Member must have value greater than or equal to 5" in message
    assert ec2.describe_vpcs(MaxResults=5)["Vpcs"]


def test_s3_refuses_an_empty_required_body_and_bad_headers(unchecked) -> None:
    s3 = unchecked("s3")
    s3.create_bucket(Bucket="findings")
    assert refused(lambda: s3.put_bucket_policy(Bucket="findings", Policy="")) == (
        "MissingRequestBodyError",
        "Request Body is empty",
        400,
    )
    code, message, _ = refused(
        lambda: s3.copy_object(Bucket="findings", Key="copy", CopySource="no-slash")
    )
    assert code == "InvalidArgument"
    assert "at 'copySource' failed to satisfy constraint" in message
    s3.put_object(Bucket="findings", Key="a.txt", Body=b"x")
    s3.copy_object(Bucket="findings", Key="copy", CopySource="findings/a.txt")


# --------------------------------------------------------------------------------------------
# What the suite sees
# --------------------------------------------------------------------------------------------


def test_each_rejection_is_recorded_logged_and_taken_once(
    unchecked, clean_emulator: EmulatorProcess
) -> None:
    events = unchecked("events")
    refused(lambda: events.put_rule(Name="a b", EventPattern="{}"))
    events.put_rule(Name="ok", EventPattern=json.dumps({"source": ["x"]}))
    (rejection,) = take_rejections()
    assert rejection == {
        "service": "events",
        "operation": "PutRule",
        "code": "ValidationException",
        "message": one_error(
            "Value 'a b' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"
        ),
    }
    assert take_rejections() == [], "taken once"
    assert clean_emulator.log_path is not None
    assert "rejected events PutRule (ValidationException)" in clean_emulator.log_path.read_text()


def test_java_patterns_are_read_never_narrower() -> None:
    """Model patterns are Java's: a surrogate pair is one code point, \\p{L}/\\p{N}/\\p{Z}
    classes are letters, numbers and separators, a hyphen after \\w is a literal."""
    tag = re.compile(python_pattern(r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$"))
    assert tag.fullmatch("Équipe 42: sécurité/@prod")
    assert not tag.fullmatch("semi;colon")
    text = re.compile(python_pattern(r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF]*"))
    assert text.fullmatch("emoji \U0001f600 ok")
    assert re.compile(python_pattern(r"[\w-_]*")).fullmatch("a-b_c")
