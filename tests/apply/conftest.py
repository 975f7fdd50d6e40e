"""Fixtures of the apply layer: private deployments, and rules routed to a probe."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import boto3
import pytest

from guardduty_ecs.aws import client
from guardduty_ecs.emulator import EmulatorProcess, act_as
from guardduty_ecs.harness import Workbench
from guardduty_ecs.policy import service_policy
from guardduty_ecs.probe import TopicProbe
from guardduty_ecs.terraform import TerraformSettings, stage_tree


@pytest.fixture(scope="module")
def private_workbench(
    tmp_path_factory: pytest.TempPathFactory,
    terraform_settings: TerraformSettings,
    repo_root: Path,
) -> Iterator[Workbench]:
    """A staged tree and an emulator of its own, for one test module's shared deployment.

    Other tests reset the session's emulator; a deployment that lives across several tests must
    not be reset under them.
    """
    with EmulatorProcess(log_dir=tmp_path_factory.mktemp("private-emulator")) as emulator:
        root = stage_tree(tmp_path_factory.mktemp("private-tree"), repo_root)
        environment = terraform_settings.environment(emulator.environment())
        yield Workbench(root, terraform_settings, environment)


@pytest.fixture
def events_to_probe(
    aws_session: boto3.Session, clean_emulator: EmulatorProcess
) -> Iterator[Callable[[str, dict[str, Any]], Callable[[], list[dict[str, Any]]]]]:
    """Route a rule of the given pattern, untransformed, to a topic that a probe reads.

    Returns a factory: ``events_to_probe(rule_name, pattern)`` gives the reader of the events
    that arrived since the last read.
    """
    with ExitStack() as probes:

        def route(rule_name: str, pattern: dict[str, Any]) -> Callable[[], list[dict[str, Any]]]:
            events = client(aws_session, "events", clean_emulator.endpoint_url)
            sns = client(aws_session, "sns", clean_emulator.endpoint_url)
            events.put_rule(Name=rule_name, EventPattern=json.dumps(pattern))
            topic_arn = sns.create_topic(Name=f"{rule_name}-topic")["TopicArn"]
            sns.set_topic_attributes(
                TopicArn=topic_arn,
                AttributeName="Policy",
                # No condition: EventBridge sends none to SNS (EventBridge user guide).
                AttributeValue=service_policy("sns:Publish", topic_arn),
            )
            events.put_targets(Rule=rule_name, Targets=[{"Id": "sns", "Arn": topic_arn}])
            probe = probes.enter_context(
                TopicProbe(aws_session, topic_arn, clean_emulator.endpoint_url)
            )
            return lambda: [json.loads(alert.text) for alert in probe.receive()]

        yield route


# The account of the emulator's test credentials: the organization's management account.
MANAGEMENT_ACCOUNT = "123456789012"


@pytest.fixture
def as_account(
    aws_session: boto3.Session, clean_emulator: EmulatorProcess
) -> Callable[[str, str], Any]:
    """A client of ``service`` that acts as ``account`` (moto's x-moto-account-id header)."""

    def make(service: str, account: str) -> Any:
        return act_as(client(aws_session, service, clean_emulator.endpoint_url), account)

    return make


@pytest.fixture
def organization(aws_client: Callable[[str], Any]) -> dict[str, str]:
    """An organization of the management account with two more accounts."""
    organizations = aws_client("organizations")
    assert organizations.describe_organization  # the caller is the management account
    organizations.create_organization(FeatureSet="ALL")
    for name in ("security", "workload"):
        organizations.create_account(AccountName=name, Email=f"{name}@example.com")
    accounts = {a["Name"]: a["Id"] for a in organizations.list_accounts()["Accounts"]}
    return {
        "management": MANAGEMENT_ACCOUNT,
        "security": accounts["security"],
        "workload": accounts["workload"],
    }


@pytest.fixture
def account_session(
    aws_session: boto3.Session, clean_emulator: EmulatorProcess
) -> Callable[[str], boto3.Session]:
    """A session in another account of the emulator, by assuming a role there: moto answers
    each request in the account of the role whose credentials signed it, as AWS does."""

    def assume(account: str) -> boto3.Session:
        sts = client(aws_session, "sts", clean_emulator.endpoint_url)
        credentials = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
            RoleSessionName="guardduty-ecs-tests",
        )["Credentials"]
        return boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=aws_session.region_name,
        )

    return assume
