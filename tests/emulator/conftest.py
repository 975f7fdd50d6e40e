"""Fixtures of the emulator's own tests: sessions made from the emulator alone, and rules routed
to a probe.

These tests run no Terraform: a test of what the emulator answers needs only the emulator and
boto3, so the session here is made from the emulator's environment instead of the staged
Terraform tree's (the same credentials and Region).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import boto3
import pytest

from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs.policy import service_policy
from guardduty_ecs.probe import TopicProbe
from guardduty_ecs_emulator import EmulatorProcess


@pytest.fixture(scope="session")
def terraform_credentials_session(emulator: EmulatorProcess) -> boto3.Session:
    """One boto3 session per worker, from the session's emulator's environment: the credentials
    and Region that Terraform would get, without staging a Terraform tree."""
    return session_from_environment(emulator.environment())


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
