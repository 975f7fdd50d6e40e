"""Amazon Q Developer in chat applications (AWS Chatbot): Slack and Microsoft Teams channel
configurations, for the emulator (a test backend).

moto 5.2.6 has no chatbot backend ("Unable to find appropriate backend for
chatbot.us-east-1.amazonaws.com"). This extension answers the operations the AWS provider 5.100
calls for ``aws_chatbot_slack_channel_configuration`` and
``aws_chatbot_teams_channel_configuration`` (Create/Describe/Update/Delete
SlackChannelConfiguration; Create/Get/List/Update/DeleteMicrosoftTeamsChannelConfiguration;
TagResource, UntagResource, ListTagsForResource) and the two
that list what the console authorized (DescribeSlackWorkspaces, ListMicrosoftTeamsConfiguredTeams).
It is routed as moto routes its own services (``chatbot.<region>.amazonaws.com``, the SigV4
signing name ``chatbot``), so that every request is first checked against botocore's model
(``request_validation``). Each rule is quoted next to its code and in docs/emulator-fidelity.md:

- a configuration is refused (InvalidRequestException) unless its Slack workspace or Microsoft
  Teams team was authorized, which happens in the console only; tests authorize with
  ``POST /moto-api/guardduty-ecs/chatbot/authorizations`` (**chosen**, test-only);
- a configuration subscribes to its SNS topics with the HTTPS endpoint the service uses, so the
  subscription shows in ``ListSubscriptionsByTopic``; what a topic then sends it is not posted
  anywhere but recorded per configuration with whether the channel can render it (a custom
  notification of the documented schema, a CloudWatch alarm or an EventBridge event) and read
  with ``GET /moto-api/guardduty-ecs/chatbot/deliveries`` (**chosen**);
- configurations are account-wide (their ARNs have no Region) and answered in any Region, where
  AWS answers only in four (the alerts module warns at plan time).
"""

from __future__ import annotations

import json
import re
import threading
from types import SimpleNamespace
from typing import Any

from moto import backend_index
from moto import backends as moto_backends
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.moto_api._internal import urls as moto_api_urls
from moto.sns.models import Subscription, sns_backends
from moto.utilities.arns import parse_arn

SERVICE = "chatbot"
# The endpoint of the HTTPS subscription the service makes on a configuration's topics; not in an
# AWS guide, but in public configurations that subscribe it by hand, e.g. ``endpoint =
# "https://global.sns-api.chatbot.amazonaws.com"`` with ``protocol = "https"`` (**chosen**).
SUBSCRIPTION_ENDPOINT = "https://global.sns-api.chatbot.amazonaws.com"

# API reference, CreateSlackChannelConfiguration, GuardrailPolicyArns: "The AWS managed
# AdministratorAccess policy is applied by default if this is not set." LoggingLevel: "Logging
# levels include ERROR, INFO, or NONE." (NONE when not set: **chosen**, as the provider's default).
DEFAULT_GUARDRAIL = "arn:{partition}:iam::aws:policy/AdministratorAccess"
DEFAULT_LOGGING_LEVEL = "NONE"


class InvalidRequestException(ServiceException):
    code = "InvalidRequestException"


class InvalidParameterException(ServiceException):
    code = "InvalidParameterException"


class ConflictException(ServiceException):
    code = "ConflictException"


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"


# --------------------------------------------------------------------------------------------
# What a channel can render
# --------------------------------------------------------------------------------------------

_STRING_LISTS = (
    ("content", "nextSteps"),
    ("content", "keywords"),
    ("metadata", "relatedResources"),
)
_STRINGS = (
    ("id",),
    ("content", "title"),
    ("content", "textType"),
    ("metadata", "threadId"),
    ("metadata", "summary"),
    ("metadata", "eventType"),
)


def _at(document: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = document
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def custom_notification_errors(document: Any) -> list[str]:
    """Why ``document`` is not a custom notification of the documented schema (none if it is).

    Amazon Q Developer in chat applications administrator guide, "Custom notifications": "Amazon
    Q Developer custom notifications must use the following event format: { "version": String,
    "source": String, "id": String, "content": { "textType": String, "title": String,
    "description": String, "nextSteps": [ String, String, ... ], "keywords": [ String, String,
    ... ] }, "metadata": { "threadId": String, "summary": String, "eventType": String,
    "relatedResources": [ String, String, ... ], "additionalContext" : { "customerProvidedKey1":
    String, ... } } }"; Parameter details: version "Yes" (required) "Must be 1.0."; source "Yes"
    "Must be custom."; id "No" "Unique event identifier."; textType "No" "Only client-markdown
    textType is currently supported." That ``content`` and its ``description`` are required and
    that no other top-level member is accepted: **chosen** from the schema.
    """
    if not isinstance(document, dict):
        return ["the message is not a JSON object"]
    errors = []
    if document.get("version") != "1.0":
        errors.append("version must be 1.0")
    if document.get("source") != "custom":
        errors.append("source must be custom")
    extra = set(document) - {"version", "source", "id", "content", "metadata"}
    if extra:
        errors.append(f"unknown members {sorted(extra)}")
    content = document.get("content")
    if not isinstance(content, dict):
        errors.append("content must be an object")
    elif not isinstance(content.get("description"), str) or not content["description"]:
        errors.append("content.description must be a non-empty string")
    if content is not None and isinstance(content, dict):
        text_type = content.get("textType", "client-markdown")
        if text_type != "client-markdown":
            errors.append("content.textType must be client-markdown")
    metadata = document.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        errors.append("metadata must be an object")
    return errors + _type_errors(document)


def _type_errors(document: dict[str, Any]) -> list[str]:
    """The schema's member types: strings, lists of strings, and a map of strings."""
    errors = []
    for path in _STRINGS:
        value = _at(document, path)
        if value is not None and not isinstance(value, str):
            errors.append(f"{'.'.join(path)} must be a string")
    for path in _STRING_LISTS:
        value = _at(document, path)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        ):
            errors.append(f"{'.'.join(path)} must be a list of strings")
    context = _at(document, ("metadata", "additionalContext"))
    if context is not None and not (
        isinstance(context, dict) and all(isinstance(v, str) for v in context.values())
    ):
        errors.append("metadata.additionalContext must map names to strings")
    return errors


def rendering(message: str) -> tuple[bool, str]:
    """Whether a channel renders ``message``, and as what (or why not).

    A custom notification of the documented schema is rendered (``custom_notification_errors``);
    so are a CloudWatch alarm's notification (administrator guide, troubleshooting: "CloudWatch
    alarm notifications don't show the graphs from the reporting metrics" when the role lacks
    CloudWatch read access, so the alarm itself is shown) and an EventBridge event of an AWS
    service, which the guide's tutorials route to chat unchanged. That anything else is dropped
    with no error anywhere (no dead-letter queue: SNS delivered it) is **chosen**.
    """
    try:
        document = json.loads(message)
    except ValueError:
        return False, "not JSON: neither a custom notification nor an AWS event"
    if isinstance(document, dict) and document.get("source") == "custom":
        errors = custom_notification_errors(document)
        return (False, "; ".join(errors)) if errors else (True, "custom notification")
    if isinstance(document, dict) and "AlarmName" in document and "NewStateValue" in document:
        return True, "CloudWatch alarm"
    if isinstance(document, dict) and "detail-type" in document and "source" in document:
        return True, "EventBridge event"
    return False, "neither a custom notification nor an AWS event"


# --------------------------------------------------------------------------------------------
# The backend
# --------------------------------------------------------------------------------------------

URL_BASES = [r"https?://chatbot\.(.+)\.amazonaws\.com"]


class ChatbotBackend(BaseBackend):
    """Channel configurations of one account (configurations have no Region)."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.configurations: dict[str, dict[str, Any]] = {}  # by ARN, "Kind" slack or teams
        self.slack_workspaces: dict[str, str] = {}  # authorized: team ID -> name
        self.teams: dict[tuple[str, str], str] = {}  # authorized: (tenant, team) -> name
        self.deliveries: list[dict[str, Any]] = []
        self.lock = threading.RLock()

    @property
    def _url_module(self) -> Any:  # type: ignore[override]
        return SimpleNamespace(url_bases=URL_BASES, url_paths=URL_PATHS)

    def arn(self, kind: str, name: str) -> str:
        channel = "slack-channel" if kind == "slack" else "teams-channel"
        return (
            f"arn:{self.partition}:chatbot::{self.account_id}:chat-configuration/{channel}/{name}"
        )

    # Subscriptions --------------------------------------------------------------------------

    def _topics_in_use(self) -> set[str]:
        return {
            topic
            for configuration in self.configurations.values()
            for topic in configuration["SnsTopicArns"]
        }

    def subscribe(self, topics: list[str]) -> None:
        for topic_arn in topics:
            arn = parse_arn(topic_arn)
            backend = sns_backends[arn.account][arn.region]
            if topic_arn not in backend.topics:
                raise InvalidParameterException(f"SNS topic {topic_arn} does not exist.")
            backend.subscribe(topic_arn, SUBSCRIPTION_ENDPOINT, "https")

    def unsubscribe_unused(self, topics: list[str]) -> None:
        in_use = self._topics_in_use()
        for topic_arn in set(topics) - in_use:
            arn = parse_arn(topic_arn)
            backend = sns_backends[arn.account][arn.region]
            for subscription in list(backend.subscriptions.values()):
                if (
                    subscription.topic.arn == topic_arn
                    and subscription.endpoint == SUBSCRIPTION_ENDPOINT
                ):
                    backend.unsubscribe(subscription.arn)

    # Configurations -------------------------------------------------------------------------

    def _common(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        name = params["ConfigurationName"]
        return {
            "Kind": kind,
            "ChatConfigurationArn": self.arn(kind, name),
            "ConfigurationName": name,
            "IamRoleArn": params["IamRoleArn"],
            "SnsTopicArns": list(params.get("SnsTopicArns") or []),
            "LoggingLevel": params.get("LoggingLevel") or DEFAULT_LOGGING_LEVEL,
            "GuardrailPolicyArns": list(
                params.get("GuardrailPolicyArns")
                or [DEFAULT_GUARDRAIL.format(partition=self.partition)]
            ),
            "UserAuthorizationRequired": bool(params.get("UserAuthorizationRequired", False)),
            "Tags": list(params.get("Tags") or []),
            "State": "ENABLED",
        }

    def _add(self, configuration: dict[str, Any]) -> dict[str, Any]:
        name = configuration["ConfigurationName"]
        if any(c["ConfigurationName"] == name for c in self.configurations.values()):
            raise ConflictException(f"A configuration named {name} already exists.")
        self.subscribe(configuration["SnsTopicArns"])
        self.configurations[configuration["ChatConfigurationArn"]] = configuration
        return configuration

    def create_slack(self, params: dict[str, Any]) -> dict[str, Any]:
        team, channel = params["SlackTeamId"], params["SlackChannelId"]
        with self.lock:
            # Administrator guide, "Tutorial: Get started with Slack": the workspace is
            # authorized in the console (configure a client, choose Slack, allow the access)
            # before any channel is configured. The error's code is the model's
            # InvalidRequestException ("Your request input doesn't meet the constraints required
            # by AWS Chatbot."); its text: **chosen**.
            if team not in self.slack_workspaces:
                raise InvalidRequestException(
                    f"Invalid request provided: Slack workspace {team} is not authorized for AWS "
                    f"account {self.account_id}. Authorize it in the Amazon Q Developer in chat "
                    "applications console first."
                )
            # "Slack channel with ID C081EH1ULAJ in Slack team T04T133J2 has already been
            # configured for AWS account 202533536029." (InvalidRequestException, as reported in
            # cloudcomponents/cdk-constructs#92 and hashicorp/terraform-provider-awscc#1011).
            for existing in self.configurations.values():
                if (
                    existing.get("SlackTeamId") == team
                    and existing.get("SlackChannelId") == channel
                ):
                    raise InvalidRequestException(
                        f"Invalid request provided: Slack channel with ID {channel} in Slack team "
                        f"{team} has already been configured for AWS account {self.account_id}."
                    )
            configuration = self._common("slack", params)
            configuration.update(
                {
                    "SlackTeamId": team,
                    "SlackTeamName": self.slack_workspaces[team],
                    "SlackChannelId": channel,
                    "SlackChannelName": params.get("SlackChannelName") or channel,
                }
            )
            return self._add(configuration)

    def create_teams(self, params: dict[str, Any]) -> dict[str, Any]:
        tenant, team = params["TenantId"], params["TeamId"]
        with self.lock:
            # Administrator guide, "Tutorial: Get started with Microsoft Teams": the team is
            # configured in the console (the channel URL, then Microsoft's authorization page)
            # before a channel configuration. Code and text as for Slack (**chosen** text).
            if (tenant, team) not in self.teams:
                raise InvalidRequestException(
                    f"Invalid request provided: Microsoft Teams team {team} of tenant {tenant} is "
                    f"not authorized for AWS account {self.account_id}. Configure it in the "
                    "Amazon Q Developer in chat applications console first."
                )
            configuration = self._common("teams", params)
            configuration.update(
                {
                    "TenantId": tenant,
                    "TeamId": team,
                    "TeamName": params.get("TeamName") or self.teams[(tenant, team)],
                    "ChannelId": params["ChannelId"],
                    "ChannelName": params.get("ChannelName") or params["ChannelId"],
                }
            )
            return self._add(configuration)

    def get(self, arn: str, kind: str | None = None) -> dict[str, Any]:
        configuration = self.configurations.get(arn)
        if configuration is None or (kind and configuration["Kind"] != kind):
            raise ResourceNotFoundException(f"Chat configuration {arn} not found.")
        return configuration

    def update(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            configuration = self.get(params["ChatConfigurationArn"], kind)
            old_topics = list(configuration["SnsTopicArns"])
            if params.get("SnsTopicArns") is not None:
                self.subscribe(list(params["SnsTopicArns"]))
                configuration["SnsTopicArns"] = list(params["SnsTopicArns"])
            if kind == "slack":
                configuration["SlackChannelId"] = params["SlackChannelId"]
                configuration["SlackChannelName"] = (
                    params.get("SlackChannelName") or params["SlackChannelId"]
                )
            else:
                configuration["ChannelId"] = params["ChannelId"]
                configuration["ChannelName"] = params.get("ChannelName") or params["ChannelId"]
            for member in (
                "IamRoleArn",
                "LoggingLevel",
                "GuardrailPolicyArns",
                "UserAuthorizationRequired",
            ):
                if params.get(member) is not None:
                    configuration[member] = params[member]
            self.unsubscribe_unused(old_topics)
            return configuration

    def delete(self, kind: str, arn: str) -> None:
        with self.lock:
            configuration = self.get(arn, kind)
            del self.configurations[arn]
            self.unsubscribe_unused(configuration["SnsTopicArns"])

    def listed(self, kind: str) -> list[dict[str, Any]]:
        return [c for c in self.configurations.values() if c["Kind"] == kind]

    # What a topic sends ---------------------------------------------------------------------

    def deliver(self, topic_arn: str, message: str) -> None:
        renders, reason = rendering(message)
        with self.lock:
            for configuration in self.configurations.values():
                if topic_arn in configuration["SnsTopicArns"]:
                    self.deliveries.append(
                        {
                            "ChatConfigurationArn": configuration["ChatConfigurationArn"],
                            "TopicArn": topic_arn,
                            "Message": message,
                            "Rendered": renders,
                            "Reason": reason,
                        }
                    )


chatbot_backends = BackendDict(
    ChatbotBackend, SERVICE, use_boto3_regions=False, additional_regions=["aws"]
)


def backend_of(account_id: str) -> ChatbotBackend:
    return chatbot_backends[account_id]["aws"]


def _view(configuration: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in configuration.items() if key != "Kind"}


# --------------------------------------------------------------------------------------------
# The API
# --------------------------------------------------------------------------------------------


class ChatbotResponse(BaseResponse):
    """The operations, read and answered with botocore's chatbot model."""

    def __init__(self) -> None:
        super().__init__(service_name=SERVICE)
        self.automated_parameter_parsing = True

    @property
    def backend(self) -> ChatbotBackend:
        return backend_of(self.current_account)

    def _params(self) -> dict[str, Any]:
        return dict(self.params)

    def create_slack_channel_configuration(self) -> ActionResult:
        configuration = self.backend.create_slack(self._params())
        return ActionResult({"ChannelConfiguration": _view(configuration)})

    def describe_slack_channel_configurations(self) -> ActionResult:
        arn = self._get_param("ChatConfigurationArn")
        found = [
            _view(c)
            for c in self.backend.listed("slack")
            if arn is None or c["ChatConfigurationArn"] == arn
        ]
        return ActionResult({"SlackChannelConfigurations": found})

    def update_slack_channel_configuration(self) -> ActionResult:
        configuration = self.backend.update("slack", self._params())
        return ActionResult({"ChannelConfiguration": _view(configuration)})

    def delete_slack_channel_configuration(self) -> ActionResult:
        self.backend.delete("slack", self._get_param("ChatConfigurationArn"))
        return EmptyResult()

    def create_microsoft_teams_channel_configuration(self) -> ActionResult:
        configuration = self.backend.create_teams(self._params())
        return ActionResult({"ChannelConfiguration": _view(configuration)})

    def get_microsoft_teams_channel_configuration(self) -> ActionResult:
        configuration = self.backend.get(self._get_param("ChatConfigurationArn"), "teams")
        return ActionResult({"ChannelConfiguration": _view(configuration)})

    def list_microsoft_teams_channel_configurations(self) -> ActionResult:
        team = self._get_param("TeamId")
        found = [
            _view(c) for c in self.backend.listed("teams") if team is None or c["TeamId"] == team
        ]
        return ActionResult({"TeamChannelConfigurations": found})

    def update_microsoft_teams_channel_configuration(self) -> ActionResult:
        configuration = self.backend.update("teams", self._params())
        return ActionResult({"ChannelConfiguration": _view(configuration)})

    def delete_microsoft_teams_channel_configuration(self) -> ActionResult:
        self.backend.delete("teams", self._get_param("ChatConfigurationArn"))
        return EmptyResult()

    def describe_slack_workspaces(self) -> ActionResult:
        workspaces = [
            {"SlackTeamId": team, "SlackTeamName": name, "State": "ENABLED"}
            for team, name in self.backend.slack_workspaces.items()
        ]
        return ActionResult({"SlackWorkspaces": workspaces})

    def list_microsoft_teams_configured_teams(self) -> ActionResult:
        teams = [
            {"TenantId": tenant, "TeamId": team, "TeamName": name, "State": "ENABLED"}
            for (tenant, team), name in self.backend.teams.items()
        ]
        return ActionResult({"ConfiguredTeams": teams})

    # Tags: API reference, TagResource "Attaches a key-value pair to a resource, as identified by
    # its Amazon Resource Name (ARN)."; ListTagsForResource "Lists all of the tags associated with
    # the Amazon Resource Name (ARN) that you specify."

    def tag_resource(self) -> ActionResult:
        configuration = self.backend.get(self._get_param("ResourceARN"))
        new = {tag["TagKey"]: tag["TagValue"] for tag in self._get_param("Tags") or []}
        kept = [tag for tag in configuration["Tags"] if tag["TagKey"] not in new]
        configuration["Tags"] = kept + [{"TagKey": k, "TagValue": v} for k, v in new.items()]
        return EmptyResult()

    def untag_resource(self) -> ActionResult:
        configuration = self.backend.get(self._get_param("ResourceARN"))
        keys = set(self._get_param("TagKeys") or [])
        configuration["Tags"] = [tag for tag in configuration["Tags"] if tag["TagKey"] not in keys]
        return EmptyResult()

    def list_tags_for_resource(self) -> ActionResult:
        configuration = self.backend.get(self._get_param("ResourceARN"))
        return ActionResult({"Tags": configuration["Tags"]})


_OPERATIONS = (
    "create-slack-channel-configuration",
    "describe-slack-channel-configurations",
    "update-slack-channel-configuration",
    "delete-slack-channel-configuration",
    "create-ms-teams-channel-configuration",
    "get-ms-teams-channel-configuration",
    "list-ms-teams-channel-configurations",
    "update-ms-teams-channel-configuration",
    "delete-ms-teams-channel-configuration",
    "describe-slack-workspaces",
    "list-ms-teams-configured-teams",
    "tag-resource",
    "untag-resource",
    "list-tags-for-resource",
)
URL_PATHS = {f"{{0}}/{path}$": ChatbotResponse.dispatch for path in _OPERATIONS}


# --------------------------------------------------------------------------------------------
# Test-only control endpoints and the hooks
# --------------------------------------------------------------------------------------------


def _json_body(request: Any) -> dict[str, Any]:
    body = request.get_data() if hasattr(request, "get_data") else request.body
    document = json.loads(body or b"{}")
    return document if isinstance(document, dict) else {}


def _authorizations(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``POST /moto-api/guardduty-ecs/chatbot/authorizations`` with ``{"account": ..,
    "slack_workspaces": [{"id": "T..", "name": ".."}], "teams": [{"tenant_id": .., "team_id":
    .., "team_name": ..}]}``: what the console would have authorized (added to what is)."""
    document = _json_body(request)
    backend = backend_of(str(document.get("account") or "123456789012"))
    with backend.lock:
        for workspace in document.get("slack_workspaces") or []:
            backend.slack_workspaces[workspace["id"]] = workspace.get("name") or workspace["id"]
        for team in document.get("teams") or []:
            key = (team["tenant_id"], team["team_id"])
            backend.teams[key] = team.get("team_name") or team["team_id"]
    answer = {
        "slack_workspaces": sorted(backend.slack_workspaces),
        "teams": sorted(f"{tenant}/{team}" for tenant, team in backend.teams),
    }
    return 200, {"Content-Type": "application/json"}, json.dumps(answer)


def _deliveries(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``GET /moto-api/guardduty-ecs/chatbot/deliveries?account=..``: what the account's
    configurations received, in order; ``POST`` answers the same and forgets them."""
    account = request.args.get("account") or "123456789012"
    backend = backend_of(account)
    with backend.lock:
        taken = list(backend.deliveries)
        if request.method == "POST":
            backend.deliveries.clear()
    return 200, {"Content-Type": "application/json"}, json.dumps({"deliveries": taken})


def _routing_chatbot() -> None:
    """Route ``chatbot.<region>.amazonaws.com`` (what moto's server infers from a request signed
    for the ``chatbot`` service) to this backend, as moto routes its own services: a URL pattern
    in its backend index and a backend that ``moto.backends.get_backend`` returns."""
    pattern = (SERVICE, re.compile(URL_BASES[0]))
    if all(name != SERVICE for name, _ in backend_index.backend_url_patterns):
        backend_index.backend_url_patterns.append(pattern)
    original = moto_backends.get_backend

    def get_backend(name: Any) -> Any:
        return chatbot_backends if name == SERVICE else original(name)

    moto_backends.get_backend = get_backend  # type: ignore[assignment]


def install() -> None:
    """Serve the chatbot API, record what subscribed topics send, and the test-only endpoints."""
    _routing_chatbot()
    original_publish = Subscription.publish

    def publish(self: Subscription, message: str, *args: Any, **kwargs: Any) -> None:
        if self.protocol == "https" and self.endpoint == SUBSCRIPTION_ENDPOINT:
            backend_of(self.account_id).deliver(self.topic.arn, message)
            return
        original_publish(self, message, *args, **kwargs)

    Subscription.publish = publish  # type: ignore[method-assign]
    moto_api_urls.url_paths["{0}/moto-api/guardduty-ecs/chatbot/authorizations"] = _authorizations
    moto_api_urls.url_paths["{0}/moto-api/guardduty-ecs/chatbot/deliveries"] = _deliveries
