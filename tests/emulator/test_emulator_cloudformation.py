"""The emulator's CloudFormation creates AWS::Events::Connection and resolves secretsmanager
dynamic references from Secrets Manager; a reference it cannot resolve fails the stack as
OnFailure asks, and the resolved value is never answered back."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.emulator

KEY = "R0UT1NGKEY0123456789abcdef012345"


def _template(reference: str, name: str = "pd") -> str:
    return json.dumps(
        {
            "Resources": {
                "Connection": {
                    "Type": "AWS::Events::Connection",
                    "Properties": {
                        "Name": name,
                        "AuthorizationType": "API_KEY",
                        "AuthParameters": {
                            "ApiKeyAuthParameters": {
                                "ApiKeyName": "dummy-key",
                                "ApiKeyValue": "dummy-value",
                            },
                            "InvocationHttpParameters": {
                                "BodyParameters": [
                                    {
                                        "Key": "routing_key",
                                        "Value": reference,
                                        "IsValueSecret": True,
                                    }
                                ]
                            },
                        },
                    },
                }
            },
            "Outputs": {
                "ConnectionArn": {"Value": {"Fn::GetAtt": ["Connection", "Arn"]}},
                "SecretArn": {"Value": {"Fn::GetAtt": ["Connection", "SecretArn"]}},
                "Name": {"Value": {"Ref": "Connection"}},
            },
        }
    )


def _connection_secret(aws_client: Callable[[str], Any], name: str) -> dict[str, Any]:
    """What EventBridge stored for the connection (its own events!connection secret)."""
    events, secrets = aws_client("events"), aws_client("secretsmanager")
    secret_arn = events.describe_connection(Name=name)["SecretArn"]
    return json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"])


def test_connection_takes_the_secret_and_no_answer_shows_it(
    aws_client: Callable[[str], Any],
) -> None:
    secrets, cloudformation = aws_client("secretsmanager"), aws_client("cloudformation")
    events = aws_client("events")
    arn = secrets.create_secret(Name="pd", SecretString=json.dumps({"routing_key": KEY}))["ARN"]
    reference = f"{{{{resolve:secretsmanager:{arn}:SecretString:routing_key}}}}"
    cloudformation.create_stack(StackName="pd", TemplateBody=_template(reference))

    (stack,) = cloudformation.describe_stacks(StackName="pd")["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    connection = events.describe_connection(Name="pd")
    assert outputs == {
        "ConnectionArn": connection["ConnectionArn"],
        "SecretArn": connection["SecretArn"],
        "Name": "pd",
    }
    stored = _connection_secret(aws_client, "pd")
    assert stored["invocation_http_parameters"]["body_parameters"][0]["value"] == KEY

    answers = json.dumps(
        [
            cloudformation.get_template(StackName="pd")["TemplateBody"],
            cloudformation.describe_stacks(StackName="pd"),
            cloudformation.describe_stack_events(StackName="pd"),
            connection,
        ],
        default=str,
    )
    assert KEY not in answers
    assert reference in answers
    # DescribeConnection: the API key's name, not its value; a secret parameter without value.
    assert connection["AuthParameters"]["ApiKeyAuthParameters"] == {"ApiKeyName": "dummy-key"}
    assert connection["AuthParameters"]["InvocationHttpParameters"]["BodyParameters"] == [
        {"Key": "routing_key", "IsValueSecret": True}
    ]

    cloudformation.delete_stack(StackName="pd")
    assert events.list_connections()["Connections"] == []


def test_whole_secrets_versions_and_updates_are_resolved(
    aws_client: Callable[[str], Any],
) -> None:
    """Without json-key "CloudFormation retrieves the entire secret text"; a version-id picks
    that version; a stack update resolves the reference again."""
    secrets, cloudformation = aws_client("secretsmanager"), aws_client("cloudformation")
    arn = secrets.create_secret(Name="plain", SecretString="first-key")["ARN"]
    cloudformation.create_stack(
        StackName="pd", TemplateBody=_template(f"{{{{resolve:secretsmanager:{arn}}}}}")
    )
    body = _connection_secret(aws_client, "pd")["invocation_http_parameters"]["body_parameters"]
    assert body[0]["value"] == "first-key"

    second = secrets.put_secret_value(SecretId=arn, SecretString="second-key")["VersionId"]
    cloudformation.update_stack(
        StackName="pd",
        TemplateBody=_template(f"{{{{resolve:secretsmanager:{arn}:SecretString:::{second}}}}}"),
    )
    (stack,) = cloudformation.describe_stacks(StackName="pd")["Stacks"]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    connection = aws_client("events").describe_connection(Name="pd")
    parameters = connection["AuthParameters"]["InvocationHttpParameters"]["BodyParameters"]
    assert parameters == [{"Key": "routing_key", "IsValueSecret": True}]


@pytest.mark.parametrize(
    ("on_failure", "final_status"),
    [
        ("ROLLBACK", "ROLLBACK_COMPLETE"),
        ("DELETE", "DELETE_COMPLETE"),
        ("DO_NOTHING", "CREATE_FAILED"),
    ],
)
def test_an_unresolvable_reference_fails_the_stack_as_on_failure_asks(
    aws_client: Callable[[str], Any], on_failure: str, final_status: str
) -> None:
    secrets, cloudformation = aws_client("secretsmanager"), aws_client("cloudformation")
    arn = secrets.create_secret(Name="pd", SecretString=json.dumps({"other": KEY}))["ARN"]
    stack_id = cloudformation.create_stack(
        StackName="pd",
        TemplateBody=_template(f"{{{{resolve:secretsmanager:{arn}:SecretString:routing_key}}}}"),
        OnFailure=on_failure,
        ClientRequestToken="token-1",
    )["StackId"]
    (stack,) = cloudformation.describe_stacks(StackName=stack_id)["Stacks"]
    assert stack["StackStatus"] == final_status
    failed = [
        event
        for event in cloudformation.describe_stack_events(StackName=stack_id)["StackEvents"]
        if event["ResourceStatus"] == "CREATE_FAILED" and event["LogicalResourceId"] == "Connection"
    ]
    (event,) = failed
    assert event["ResourceStatusReason"] == (
        "Could not find a value associated with JSONKey in SecretString"
    )
    # The provider reads the reasons of its own operation's events.
    assert event["ClientRequestToken"] == "token-1"
    assert aws_client("events").list_connections()["Connections"] == []


def test_a_missing_secret_fails_the_stack_and_a_bad_update_changes_nothing(
    aws_client: Callable[[str], Any],
) -> None:
    secrets, cloudformation = aws_client("secretsmanager"), aws_client("cloudformation")
    missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:nothing-AbCdEf"
    cloudformation.create_stack(
        StackName="gone", TemplateBody=_template(f"{{{{resolve:secretsmanager:{missing}}}}}")
    )
    events = cloudformation.describe_stack_events(StackName="gone")["StackEvents"]
    reasons = [e.get("ResourceStatusReason") or "" for e in events]
    assert any("Secrets Manager can't find the specified secret." in r for r in reasons)

    arn = secrets.create_secret(Name="pd", SecretString=KEY)["ARN"]
    cloudformation.create_stack(
        StackName="pd", TemplateBody=_template(f"{{{{resolve:secretsmanager:{arn}}}}}", "ok")
    )
    template = cloudformation.get_template(StackName="pd")["TemplateBody"]
    cloudformation.update_stack(
        StackName="pd", TemplateBody=_template(f"{{{{resolve:secretsmanager:{missing}}}}}", "ok")
    )
    (stack,) = cloudformation.describe_stacks(StackName="pd")["Stacks"]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert cloudformation.get_template(StackName="pd")["TemplateBody"] == template
