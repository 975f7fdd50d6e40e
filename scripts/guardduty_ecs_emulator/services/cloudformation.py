"""CloudFormation: ``AWS::Events::Connection`` and ``secretsmanager`` dynamic references, for
moto's stacks (a test backend).

moto 5.2.6 has no ``AWS::Events::Connection`` ("No Moto CloudFormation support") and leaves a
``{{resolve:secretsmanager:...}}`` reference in a template as text. The alerts module creates its
PagerDuty connection in a stack so that the routing key is resolved by CloudFormation from Secrets
Manager and never passes through Terraform. Each rule is quoted next to its code and in
docs/emulator-fidelity.md:

- ``AWS::Events::Connection`` creates, updates and deletes an EventBridge connection (moto's, so
  that API destinations and DescribeConnection see it); ``Ref`` is its name, ``Fn::GetAtt`` gives
  ``Arn`` and ``SecretArn``;
- a ``secretsmanager`` dynamic reference in a resource property is resolved from Secrets Manager
  when the resource is created or updated: the secret's ``SecretString``, a key of it when it is
  JSON (``json-key``), a version by stage or ID, AWSCURRENT by default;
- a reference that cannot be resolved (no such secret, version or key) fails the stack: nothing is
  created, the stack's events say why, and the stack ends as ``OnFailure`` asks (ROLLBACK_COMPLETE
  by default, DELETE_COMPLETE for DELETE, CREATE_FAILED for DO_NOTHING; an update ends in
  UPDATE_ROLLBACK_COMPLETE, unchanged);
- the resolved value goes only to the resource: GetTemplate answers the template as written,
  DescribeStacks and DescribeStackEvents never show it.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudformation.models import Event, Stack, cloudformation_backends
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.common_models import CloudFormationModel
from moto.events.models import Connection, events_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.utilities.arns import parse_arn

# CloudFormation user guide, "Get a secret or secret value from Secrets Manager" (and the Secrets
# Manager user guide, "Get an AWS Secrets Manager secret in an AWS CloudFormation resource"): "A
# dynamic reference for a secret has the following pattern:
# {{resolve:secretsmanager:secret-id:SecretString:json-key:version-stage:version-id}}".
DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:secretsmanager:(.*?)\}\}")


class DynamicReferenceError(Exception):
    """A dynamic reference CloudFormation cannot resolve; the message is CloudFormation's and
    never holds a secret value."""


def _split_reference(reference: str) -> tuple[str, str, str | None, str | None, str | None]:
    """secret-id, SecretString, json-key, version-stage and version-id of a reference's body.

    "secret-id: The name or ARN of the secret" (an ARN holds six colons of its own); the other
    segments "may not include the colon character"."""
    parts = reference.split(":")
    secret_id_parts = 7 if reference.startswith("arn:") else 1
    secret_id = ":".join(parts[:secret_id_parts])
    rest = parts[secret_id_parts:] + [""] * 4
    kind, json_key, stage, version_id = rest[:4]
    return secret_id, kind or "SecretString", json_key or None, stage or None, version_id or None


def resolve_reference(reference: str, account_id: str, region_name: str) -> str:
    """The value of one ``secretsmanager`` dynamic reference (the text between the prefix and
    ``}}``).

    "json-key (Optional): The key name of the key-value pair whose value you want to retrieve. If
    you don't specify json-key, CloudFormation retrieves the entire secret text."
    "version-stage (Optional) ... If you don't specify either version-stage or version-id, then the
    default is the AWSCURRENT version." A secret named by its ARN is read in the ARN's account and
    Region. The error texts are CloudFormation's as users report them: "Secrets Manager can't find
    the specified secret." (aws-cloudformation/cloudformation-coverage-roadmap#1187) and "Could
    not find a value associated with JSONKey in SecretString" (#1822, aws/aws-sam-cli#2153).
    """
    secret_id, kind, json_key, stage, version_id = _split_reference(reference)
    if kind != "SecretString":
        raise DynamicReferenceError(
            f"Only SecretString can be resolved, not {kind} (secret {secret_id})"
        )
    if secret_id.startswith("arn:"):
        arn = parse_arn(secret_id)
        account_id, region_name = arn.account, arn.region
    backend = secretsmanager_backends[account_id][region_name]
    try:
        answer = backend.get_secret_value(
            secret_id=secret_id,
            version_id=version_id,
            version_stage=stage if stage else (None if version_id else "AWSCURRENT"),
        )
    except Exception as error:  # moto's ResourceNotFoundException and kin
        message = (
            getattr(error, "message", "") or "Secrets Manager can't find the specified secret."
        )
        raise DynamicReferenceError(
            f"{message} (Service: AWSSecretsManager; Status Code: 400; "
            "Error Code: ResourceNotFoundException)"
        ) from error
    text = answer.get("SecretString")
    if text is None:
        raise DynamicReferenceError(f"Secret {secret_id} has no SecretString")
    if json_key is None:
        return str(text)
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or json_key not in document:
        raise DynamicReferenceError(
            "Could not find a value associated with JSONKey in SecretString"
        )
    value = document[json_key]
    return value if isinstance(value, str) else json.dumps(value)


def resolve(value: Any, account_id: str, region_name: str) -> Any:
    """``value`` with every ``secretsmanager`` dynamic reference in its strings resolved: "You can
    use a dynamic reference for a secret in any resource property" (same page)."""
    if isinstance(value, str):
        return DYNAMIC_REFERENCE.sub(
            lambda match: resolve_reference(match.group(1), account_id, region_name), value
        )
    if isinstance(value, dict):
        return {key: resolve(item, account_id, region_name) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, account_id, region_name) for item in value]
    return value


def unresolvable(
    template: dict[str, Any], account_id: str, region_name: str
) -> tuple[str, str] | None:
    """The first resource (logical ID) whose properties hold a reference that cannot be
    resolved, and why; None when every reference resolves. The values are thrown away."""
    for logical_id, resource in (template.get("Resources") or {}).items():
        try:
            resolve((resource or {}).get("Properties") or {}, account_id, region_name)
        except DynamicReferenceError as error:
            return logical_id, str(error)
    return None


# --------------------------------------------------------------------------------------------
# AWS::Events::Connection
# --------------------------------------------------------------------------------------------


class EventsConnection(CloudFormationModel):
    """AWS::Events::Connection, on moto's EventBridge connection.

    CloudFormation template reference, AWS::Events::Connection: properties ``AuthorizationType``,
    ``AuthParameters`` ("The authorization parameters to use to authorize with the endpoint"),
    ``Description``, ``InvocationConnectivityParameters``, ``KmsKeyIdentifier`` and ``Name``;
    ``AuthorizationType``, ``AuthParameters`` and ``Description``: "Update requires: No
    interruption". The attributes ``Arn``, ``ArnForPolicy`` and ``SecretArn`` are the resource
    type's (its schema: "The arn of the connection resource", "The arn of the secrets manager
    secret created in the customer account"). ``Ref`` answering the name, a new ``Name``
    replacing the connection, and connectivity parameters and key accepted but not used:
    **chosen**.
    """

    def __init__(self, connection: Connection, account_id: str, region_name: str) -> None:
        self.connection = connection
        self.account_id = account_id
        self.region_name = region_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Events::Connection"

    @property
    def physical_resource_id(self) -> str:
        return str(self.connection.name)

    def is_created(self) -> bool:
        return True

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "SecretArn", "ArnForPolicy")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name in ("Arn", "ArnForPolicy"):
            return str(self.connection.arn)
        if attribute_name == "SecretArn":
            return str(self.connection.secret_arn)
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> EventsConnection:
        properties = cloudformation_json.get("Properties") or {}
        backend = events_backends[account_id][region_name]
        connection = backend.create_connection(
            name=resource_name,
            description=properties.get("Description") or "",
            authorization_type=properties.get("AuthorizationType"),
            auth_parameters=properties.get("AuthParameters") or {},
        )
        return cls(connection, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: EventsConnection,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> EventsConnection:
        properties = cloudformation_json.get("Properties") or {}
        if new_resource_name != original_resource.connection.name:
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        connection = original_resource.connection
        connection.description = properties.get("Description") or ""
        connection.authorization_type = properties.get("AuthorizationType")
        connection.auth_parameters = properties.get("AuthParameters") or {}
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        backend = events_backends[account_id][region_name]
        if resource_name in backend.connections:
            backend.delete_connection(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(
            self.connection.name, {}, self.account_id, self.region_name
        )


# --------------------------------------------------------------------------------------------
# Stacks: resolution, and failing as CloudFormation fails
# --------------------------------------------------------------------------------------------

# CreateStack's OnFailure and the operation's ClientRequestToken, for the stack being created or
# updated on this thread (moto reads neither).
_REQUEST = threading.local()

# CreateStack, OnFailure: "Determines what action will be taken if stack creation fails. This must
# be one of: DO_NOTHING, ROLLBACK, or DELETE ... Default: ROLLBACK"; DisableRollback true is
# DO_NOTHING.
FINAL_STATUS = {
    "ROLLBACK": "ROLLBACK_COMPLETE",
    "DELETE": "DELETE_COMPLETE",
    "DO_NOTHING": "CREATE_FAILED",
}


def _token() -> str | None:
    return getattr(_REQUEST, "token", None)


def _stack_event(stack: Stack, status: str, reason: str | None = None) -> None:
    """A stack event of the failing operation, with its ClientRequestToken (CreateStack,
    ClientRequestToken: "All events initiated by a given stack operation are assigned the same
    client request token, which you can use to track operations")."""
    stack._add_stack_event(status, resource_status_reason=reason)
    stack.events[-1].client_request_token = _token()


def _resource_event(stack: Stack, logical_id: str, status: str, reason: str) -> None:
    resource = (stack.template_dict.get("Resources") or {}).get(logical_id) or {}
    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id="",
            resource_type=resource.get("Type", ""),
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )
    stack.events[-1].client_request_token = _token()


def _fail_creation(stack: Stack, logical_id: str, reason: str) -> None:
    """Stack creation failed before any resource was made (the references are resolved first:
    **chosen**, AWS resolves a reference when it provisions the resource that holds it)."""
    on_failure = getattr(_REQUEST, "on_failure", None) or "ROLLBACK"
    # Nothing was created, so the stack has no resources and no outputs (moto's maps would
    # otherwise create the resources when they are first read).
    stack.resource_map._resource_json_map = {}
    stack.output_map._output_json_map = {}
    _resource_event(stack, logical_id, "CREATE_FAILED", reason)
    stack.status = "CREATE_FAILED"
    _stack_event(
        stack, "CREATE_FAILED", f"The following resource(s) failed to create: [{logical_id}]. "
    )
    final = FINAL_STATUS.get(on_failure, "ROLLBACK_COMPLETE")
    if on_failure == "ROLLBACK":
        _stack_event(stack, "ROLLBACK_IN_PROGRESS", reason)
        _stack_event(stack, "ROLLBACK_COMPLETE")
    elif on_failure == "DELETE":
        _stack_event(stack, "DELETE_IN_PROGRESS", reason)
        _stack_event(stack, "DELETE_COMPLETE")
        backend = cloudformation_backends[stack.account_id][stack.region_name]
        backend.stacks.pop(stack.stack_id, None)
        backend.deleted_stacks[stack.stack_id] = stack
    stack.status = final


def _resolving_parse_resource(original: Any) -> Any:
    def parse_resource(resource_json: dict[str, Any], resources_map: Any) -> Any:
        parsed = original(resource_json, resources_map)
        if not parsed:
            return parsed
        resource_class, cleaned, resource_type = parsed
        properties = cleaned.get("Properties")
        if properties:
            account_id = resources_map["AWS::AccountId"]
            region_name = resources_map["AWS::Region"]
            cleaned = {**cleaned, "Properties": resolve(properties, account_id, region_name)}
        return resource_class, cleaned, resource_type

    return parse_resource


def install() -> None:
    """Add AWS::Events::Connection to moto's CloudFormation, resolve ``secretsmanager`` dynamic
    references in resource properties, and fail a stack whose reference cannot be resolved."""
    # moto lists the CloudFormation models once (lru_cache) from CloudFormationModel's
    # subclasses: EventsConnection is one from its import; clear the cache in case it was read.
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    parsing.parse_resource = _resolving_parse_resource(parsing.parse_resource)

    original_create_resources = Stack.create_resources

    def create_resources(self: Stack) -> None:
        failed = unresolvable(self.template_dict, self.account_id, self.region_name)
        if failed:
            _fail_creation(self, *failed)
            return
        original_create_resources(self)

    Stack.create_resources = create_resources  # type: ignore[method-assign]

    original_update = Stack.update

    def update(self: Stack, template: str, *args: Any, **kwargs: Any) -> None:
        failed = unresolvable(Stack.parse_template(template), self.account_id, self.region_name)
        if failed:
            logical_id, reason = failed
            _stack_event(self, "UPDATE_IN_PROGRESS", "User Initiated")
            _resource_event(self, logical_id, "UPDATE_FAILED", reason)
            _stack_event(self, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
            _stack_event(self, "UPDATE_ROLLBACK_COMPLETE")
            self.status = "UPDATE_ROLLBACK_COMPLETE"
            return
        original_update(self, template, *args, **kwargs)

    Stack.update = update  # type: ignore[method-assign]

    original_create_stack = CloudFormationResponse.create_stack
    original_update_stack = CloudFormationResponse.update_stack

    def create_stack(self: CloudFormationResponse) -> Any:
        on_failure = self._get_param("OnFailure")
        if str(self._get_param("DisableRollback")).lower() == "true":
            on_failure = "DO_NOTHING"
        _REQUEST.on_failure = on_failure
        _REQUEST.token = self._get_param("ClientRequestToken")
        try:
            return original_create_stack(self)
        finally:
            _REQUEST.on_failure = _REQUEST.token = None

    def update_stack(self: CloudFormationResponse) -> Any:
        _REQUEST.token = self._get_param("ClientRequestToken")
        try:
            return original_update_stack(self)
        finally:
            _REQUEST.token = None

    CloudFormationResponse.create_stack = create_stack  # type: ignore[method-assign]
    CloudFormationResponse.update_stack = update_stack  # type: ignore[method-assign]
