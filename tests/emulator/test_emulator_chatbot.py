"""The emulator's Amazon Q Developer in chat applications (AWS Chatbot) API: channel
configurations need an authorized workspace or team, subscribe to their topics, and record what
the topics send with whether a channel renders it (custom notifications of the documented
schema)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from guardduty_ecs_emulator import EmulatorProcess
from guardduty_ecs_emulator.process import authorize_chat, chat_deliveries
from guardduty_ecs_emulator.services.chatbot import (
    SUBSCRIPTION_ENDPOINT,
    custom_notification_errors,
)

pytestmark = pytest.mark.emulator

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/chat"
TENANT = "00000000-1111-2222-3333-444444444444"
TEAM = "55555555-6666-7777-8888-999999999999"
TEAMS_CHANNEL = "19%3a0123456789abcdef0123456789abcdef%40thread.tacv2"
NOTIFICATION = {
    "version": "1.0",
    "source": "custom",
    "id": "c-1",
    "content": {
        "textType": "client-markdown",
        "title": "GuardDuty High severity runtime finding",
        "description": "A reverse shell",
        "nextSteps": ["Open the finding"],
        "keywords": ["High"],
    },
    "metadata": {
        "threadId": "finding-1",
        "summary": "A reverse shell",
        "eventType": "GuardDutyRuntimeFinding",
        "additionalContext": {"severity": "8"},
    },
}


def _slack(chatbot: Any, name: str, topics: list[str], channel: str = "C0123ABCD") -> Any:
    return chatbot.create_slack_channel_configuration(
        SlackTeamId="T0123ABCD",
        SlackChannelId=channel,
        IamRoleArn=ROLE,
        ConfigurationName=name,
        SnsTopicArns=topics,
    )["ChannelConfiguration"]


def test_configurations_need_an_authorized_workspace_or_team(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess
) -> None:
    chatbot = aws_client("chatbot")
    with pytest.raises(ClientError) as refused:
        _slack(chatbot, "secops", [])
    assert refused.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "T0123ABCD is not authorized" in refused.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as refused:
        chatbot.create_microsoft_teams_channel_configuration(
            ChannelId=TEAMS_CHANNEL,
            TeamId=TEAM,
            TenantId=TENANT,
            IamRoleArn=ROLE,
            ConfigurationName="teams",
        )
    assert refused.value.response["Error"]["Code"] == "InvalidRequestException"

    authorize_chat(
        clean_emulator.endpoint_url, ACCOUNT, {"T0123ABCD": "acme"}, [(TENANT, TEAM, "SecOps")]
    )
    assert chatbot.describe_slack_workspaces()["SlackWorkspaces"] == [
        {"SlackTeamId": "T0123ABCD", "SlackTeamName": "acme", "State": "ENABLED"}
    ]
    slack = _slack(chatbot, "secops", [])
    assert slack["SlackTeamName"] == "acme"
    # API reference, GuardrailPolicyArns: "The AWS managed AdministratorAccess policy is applied
    # by default if this is not set."
    assert slack["GuardrailPolicyArns"] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert slack["ChatConfigurationArn"] == (
        f"arn:aws:chatbot::{ACCOUNT}:chat-configuration/slack-channel/secops"
    )
    # One configuration per channel: "Slack channel with ID ... has already been configured".
    with pytest.raises(ClientError) as refused:
        _slack(chatbot, "again", [])
    assert "has already been configured" in refused.value.response["Error"]["Message"]


def test_slack_and_teams_configurations_update_tag_and_delete(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess
) -> None:
    chatbot = aws_client("chatbot")
    authorize_chat(
        clean_emulator.endpoint_url, ACCOUNT, {"T0123ABCD": "acme"}, [(TENANT, TEAM, "SecOps")]
    )
    slack_arn = _slack(chatbot, "secops", [])["ChatConfigurationArn"]
    chatbot.update_slack_channel_configuration(
        ChatConfigurationArn=slack_arn,
        SlackChannelId="C0NEW",
        LoggingLevel="ERROR",
        GuardrailPolicyArns=["arn:aws:iam::aws:policy/AWSDenyAll"],
    )
    (described,) = chatbot.describe_slack_channel_configurations(ChatConfigurationArn=slack_arn)[
        "SlackChannelConfigurations"
    ]
    assert (described["SlackChannelId"], described["LoggingLevel"]) == ("C0NEW", "ERROR")
    assert described["GuardrailPolicyArns"] == ["arn:aws:iam::aws:policy/AWSDenyAll"]

    teams = chatbot.create_microsoft_teams_channel_configuration(
        ChannelId=TEAMS_CHANNEL,
        TeamId=TEAM,
        TenantId=TENANT,
        IamRoleArn=ROLE,
        ConfigurationName="teams",
        Tags=[{"TagKey": "team", "TagValue": "secops"}],
    )["ChannelConfiguration"]
    assert teams["TeamName"] == "SecOps"
    # What the provider reads a Teams configuration by: the list, filtered by team.
    (listed,) = chatbot.list_microsoft_teams_channel_configurations(TeamId=TEAM)[
        "TeamChannelConfigurations"
    ]
    assert listed["ChatConfigurationArn"] == teams["ChatConfigurationArn"]
    got = chatbot.get_microsoft_teams_channel_configuration(
        ChatConfigurationArn=teams["ChatConfigurationArn"]
    )["ChannelConfiguration"]
    assert got["ChannelId"] == TEAMS_CHANNEL

    arn = teams["ChatConfigurationArn"]
    chatbot.tag_resource(ResourceARN=arn, Tags=[{"TagKey": "env", "TagValue": "prod"}])
    chatbot.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert chatbot.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"TagKey": "env", "TagValue": "prod"}
    ]

    chatbot.delete_microsoft_teams_channel_configuration(ChatConfigurationArn=arn)
    chatbot.delete_slack_channel_configuration(ChatConfigurationArn=slack_arn)
    assert chatbot.list_microsoft_teams_channel_configurations()["TeamChannelConfigurations"] == []
    assert chatbot.describe_slack_channel_configurations()["SlackChannelConfigurations"] == []
    with pytest.raises(ClientError) as missing:
        chatbot.delete_slack_channel_configuration(ChatConfigurationArn=slack_arn)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_configurations_subscribe_their_topics_and_get_what_they_send(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess
) -> None:
    chatbot, sns = aws_client("chatbot"), aws_client("sns")
    endpoint_url = clean_emulator.endpoint_url
    authorize_chat(endpoint_url, ACCOUNT, {"T0123ABCD": "acme"})
    topic = sns.create_topic(Name="chat")["TopicArn"]
    first = _slack(chatbot, "first", [topic])["ChatConfigurationArn"]
    second = _slack(chatbot, "second", [topic], channel="C0SECOND")["ChatConfigurationArn"]
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("https", SUBSCRIPTION_ENDPOINT)

    sns.publish(TopicArn=topic, Message=json.dumps(NOTIFICATION))
    sns.publish(TopicArn=topic, Message='{"version": "1.0", "source": "custom", "id": 7}')
    deliveries = chat_deliveries(endpoint_url, ACCOUNT)
    assert sorted(d["ChatConfigurationArn"] for d in deliveries) == sorted([first, second] * 2)
    rendered = [d for d in deliveries if d["Rendered"]]
    assert {d["Message"] for d in rendered} == {json.dumps(NOTIFICATION)}
    dropped = [d for d in deliveries if not d["Rendered"]]
    assert len(dropped) == 2
    assert "content must be an object" in dropped[0]["Reason"]

    # The subscription stays while a configuration still lists the topic.
    chatbot.delete_slack_channel_configuration(ChatConfigurationArn=first)
    assert len(sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == 1
    chatbot.delete_slack_channel_configuration(ChatConfigurationArn=second)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"version": "2.0"}, "version must be 1.0"),
        ({"source": "aws.guardduty"}, "source must be custom"),
        ({"content": {"title": "no description"}}, "content.description"),
        ({"content": {**NOTIFICATION["content"], "textType": "plain"}}, "textType"),
        ({"content": {**NOTIFICATION["content"], "keywords": "High"}}, "keywords"),
        ({"metadata": {"threadId": 1}}, "metadata.threadId must be a string"),
        ({"metadata": {"additionalContext": {"severity": 8}}}, "additionalContext"),
        ({"detail": {}}, "unknown members"),
    ],
)
def test_custom_notifications_follow_the_documented_schema(
    change: dict[str, Any], error: str
) -> None:
    assert custom_notification_errors(NOTIFICATION) == []
    errors = custom_notification_errors({**NOTIFICATION, **change})
    assert any(error in message for message in errors), errors


@pytest.mark.emulator_rejects
def test_requests_are_checked_against_the_model(
    aws_client: Callable[[str], Any], clean_emulator: EmulatorProcess
) -> None:
    """The Teams channel ID is URL-encoded in botocore's model (``%3a``, ``%40``): a decoded one
    is refused before the API looks at it, as AWS's validation would."""
    authorize_chat(clean_emulator.endpoint_url, ACCOUNT, teams=[(TENANT, TEAM, "SecOps")])
    with pytest.raises(ClientError) as refused:
        aws_client("chatbot").create_microsoft_teams_channel_configuration(
            ChannelId="19:abc@thread.tacv2",
            TeamId=TEAM,
            TenantId=TENANT,
            IamRoleArn=ROLE,
            ConfigurationName="teams",
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert (
        "at 'channelId' failed to satisfy constraint" in refused.value.response["Error"]["Message"]
    )
