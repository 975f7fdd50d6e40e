"""The leftover check of a real-account run keeps the run's own resources, by name or tag, and
looks again before it calls anything left (guardduty_ecs_bench.leftovers)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from guardduty_ecs_bench import leftovers
from guardduty_ecs_bench.leftovers import RunScope, new_resources

pytestmark = pytest.mark.static

SCOPE = RunScope("run", "gdecs-e2e-1", ("gdecs-e2e-1", "guardduty-ecs-probe"), (1.0, 2.0))


class FakeKms:
    def __init__(self, tags: dict[str, dict[str, str]]) -> None:
        self.tags = tags

    def list_resource_tags(self, KeyId: str) -> dict[str, Any]:
        if KeyId not in self.tags:
            raise ClientError({"Error": {"Code": "NotFoundException"}}, "ListResourceTags")
        return {"Tags": [{"TagKey": k, "TagValue": v} for k, v in self.tags[KeyId].items()]}


def _looks(monkeypatch: pytest.MonkeyPatch, answers: list[dict[str, list[str]]]) -> None:
    """remaining_resources answers each of ``answers`` in turn."""
    pending = iter(answers)
    monkeypatch.setattr(leftovers, "remaining_resources", lambda *_: next(pending))


def test_only_what_the_run_names_or_tags_is_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    kms = FakeKms({"key-mine": {"run": "gdecs-e2e-1"}, "key-theirs": {"run": "other"}})
    monkeypatch.setattr(leftovers, "client", lambda _session, _service, _url: kms)
    after = {
        "sns topics": ["arn:aws:sns:us-east-1:1:gdecs-e2e-1-alerts", "arn:aws:sns:us-east-1:1:x"],
        "sqs queues": ["https://sqs/1/guardduty-ecs-probe-abc"],
        # key-gone: deleted between the listing and the tag read, so not a leftover.
        "kms keys": ["key-mine", "key-theirs", "key-gone"],
        "iam roles": ["arn:aws:iam::1:role/someone-elses"],
    }
    _looks(monkeypatch, [after, after, after])
    slept: list[float] = []
    found = new_resources(None, None, {"sns topics": []}, SCOPE, slept.append)  # type: ignore[arg-type]
    assert found == {
        "sns topics": ["arn:aws:sns:us-east-1:1:gdecs-e2e-1-alerts"],
        "sqs queues": ["https://sqs/1/guardduty-ecs-probe-abc"],
        "kms keys": ["key-mine"],
    }
    assert slept == [1.0, 2.0], "it looked again after each delay while something was left"


def test_what_disappears_on_a_second_look_is_not_left(monkeypatch: pytest.MonkeyPatch) -> None:
    topic = "arn:aws:sns:us-east-1:1:gdecs-e2e-1-alerts"
    _looks(monkeypatch, [{"sns topics": [topic]}, {}])
    slept: list[float] = []
    assert new_resources(None, None, {}, SCOPE, slept.append) == {}  # type: ignore[arg-type]
    assert slept == [1.0]


def test_without_a_scope_everything_new_is_left_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    _looks(monkeypatch, [{"iam roles": ["old", "new"]}])
    slept: list[float] = []
    found = new_resources(None, None, {"iam roles": ["old"]}, None, slept.append)  # type: ignore[arg-type]
    assert found == {"iam roles": ["new"]}
    assert slept == []
