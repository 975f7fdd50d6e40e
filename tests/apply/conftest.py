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
from guardduty_ecs.emulator import EmulatorProcess
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
