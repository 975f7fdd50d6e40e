"""A temporary SQS subscription to the alert topic, to read what an e-mail subscriber receives.

Works against AWS and the emulator alike: the queue uses SQS-managed encryption and a policy that
lets only the probed topic send to it; leaving the context unsubscribes and deletes the queue.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from types import TracebackType

import boto3

from guardduty_ecs.aws import client
from guardduty_ecs.errors import CheckFailed


@dataclass(frozen=True)
class Alert:
    """One message as the topic delivered it."""

    text: str
    received_at: float  # time.monotonic() when the probe read it


class ProbeTimeout(TimeoutError, CheckFailed):
    """The expected alerts did not arrive before the deadline."""


# The start of every probe queue's name.
PROBE_NAME_PREFIX = "guardduty-ecs-probe"


class TopicProbe:
    """Subscribe a fresh SQS queue to ``topic_arn`` with raw delivery; remove both on exit."""

    def __init__(
        self,
        session: boto3.Session,
        topic_arn: str,
        endpoint_url: str | None = None,
        name_prefix: str = PROBE_NAME_PREFIX,
    ) -> None:
        region = topic_arn.split(":")[3]
        self.topic_arn = topic_arn
        self._sns = client(session, "sns", endpoint_url, region)
        self._sqs = client(session, "sqs", endpoint_url, region)
        self._name = f"{name_prefix}-{uuid.uuid4().hex[:12]}"
        self.queue_url = ""
        self._subscription_arn = ""

    def __enter__(self) -> TopicProbe:
        self.queue_url = self._sqs.create_queue(
            QueueName=self._name, Attributes={"SqsManagedSseEnabled": "true"}
        )["QueueUrl"]
        queue_arn = self._sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowTheProbedTopic",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": self.topic_arn}},
                }
            ],
        }
        self._sqs.set_queue_attributes(
            QueueUrl=self.queue_url, Attributes={"Policy": json.dumps(policy)}
        )
        self._subscription_arn = self._sns.subscribe(
            TopicArn=self.topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        return self

    def receive(self, wait_seconds: int = 0) -> list[Alert]:
        """The messages that arrived since the last call (each is read once)."""
        response = self._sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        )
        received_at = time.monotonic()
        messages = response.get("Messages", [])
        for message in messages:
            self._sqs.delete_message(
                QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
        return [Alert(message["Body"], received_at) for message in messages]

    def wait_for(self, count: int, timeout: float, poll_seconds: int = 1) -> list[Alert]:
        """Read until ``count`` alerts have arrived; ProbeTimeout after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        alerts: list[Alert] = []
        while len(alerts) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProbeTimeout(
                    f"{len(alerts)} of {count} alerts arrived on {self.topic_arn} "
                    f"within {timeout:.0f}s"
                )
            alerts += self.receive(wait_seconds=min(poll_seconds, max(0, int(remaining))))
        return alerts

    def close(self) -> None:
        if self._subscription_arn:
            self._sns.unsubscribe(SubscriptionArn=self._subscription_arn)
            self._subscription_arn = ""
        if self.queue_url:
            self._sqs.delete_queue(QueueUrl=self.queue_url)
            self.queue_url = ""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
