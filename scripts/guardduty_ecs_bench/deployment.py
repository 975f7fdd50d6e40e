"""An applied stack and the clients to talk to it: used by the apply tests and the demo."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3

from guardduty_ecs.aws import client, session_from_environment
from guardduty_ecs.discovery import Hints, hints_from_outputs
from guardduty_ecs.errors import CheckFailed
from guardduty_ecs.events import EcsTask, runtime_finding
from guardduty_ecs.probe import Alert, TopicProbe
from guardduty_ecs_bench.events import put_guardduty_event
from guardduty_ecs_bench.harness import Stack, Workbench
from guardduty_ecs_bench.leftovers import RunScope, new_resources, remaining_resources


class LeftoverResources(CheckFailed):
    """Destroy left resources behind."""


@dataclass
class Deployment:
    """An applied stack, with boto3 clients of the backend it was applied to."""

    stack: Stack
    outputs: dict[str, Any]
    session: boto3.Session
    endpoint_url: str | None
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = client(self.session, service, self.endpoint_url)
        return self._clients[service]

    def put(self, detail_type: str, detail: dict[str, Any]) -> None:
        """Put a GuardDuty event on the default bus (the emulator only)."""
        put_guardduty_event(self.client("events"), detail_type, detail)

    def hints(self) -> Hints:
        """What the stack's outputs name, to narrow the operator commands' search to it."""
        return hints_from_outputs(self.outputs)

    def probe(self) -> TopicProbe:
        """A temporary subscription to the alert topic."""
        return TopicProbe(self.session, self.outputs["sns_topic_arn"], self.endpoint_url)


@contextmanager
def deployed(
    workbench: Workbench, module: str, tf_vars: dict[str, Any], scope: RunScope | None = None
) -> Iterator[Deployment]:
    """Apply ``module``; on exit destroy it and raise LeftoverResources unless every resource
    it created is gone (what existed before, such as a topic given as input, stays). On an
    account that others use, ``scope`` keeps only what the run names or tags as its own.
    """
    stack = workbench.stack(module, tf_vars)
    session = session_from_environment(workbench.environment)
    endpoint_url = workbench.environment.get("AWS_ENDPOINT_URL")
    before = remaining_resources(session, endpoint_url)
    try:
        stack.apply()
        yield Deployment(stack, stack.outputs(), session, endpoint_url)
    finally:
        # Destroy even when apply or the test failed half-way, and report what is left even when
        # destroy itself failed: on a real account, a leftover costs money.
        destroy_error: Exception | None = None
        try:
            stack.destroy()
        except Exception as error:  # reported with the leftovers below
            destroy_error = error
        leftovers = new_resources(session, endpoint_url, before, scope)
        if destroy_error:
            raise LeftoverResources(
                f"destroy left {leftovers or 'nothing'}; destroy failed: {destroy_error}"
            ) from destroy_error
        if leftovers:
            # A plain raise keeps a test's own failure, if any, as the context.
            raise LeftoverResources(f"destroy left {leftovers}")


SENTINEL_TITLE = "Sentinel: delivered after the event under test"


def delivered_after(
    deployment: Deployment, probe: TopicProbe, put: Callable[[], None], timeout: float = 10
) -> list[Alert]:
    """The alerts that ``put`` caused, read up to a sentinel finding put right after it.

    The sentinel (a High runtime finding, which the default rules match) proves that delivery
    has happened, so an empty result means "not delivered", not "not delivered yet".
    """
    put()
    deployment.put(
        "GuardDuty Finding",
        runtime_finding("Execution:Runtime/NewBinaryExecuted", 8, SENTINEL_TITLE, task=EcsTask()),
    )
    alerts: list[Alert] = []
    while not any(SENTINEL_TITLE in alert.text for alert in alerts):
        alerts += probe.wait_for(1, timeout=timeout)
    return [alert for alert in alerts if SENTINEL_TITLE not in alert.text]
