"""What the harness reads from Terraform: a re-plan's pending changes from the machine-readable
plan log, the managed resources from `terraform state list`."""

from __future__ import annotations

import json

import pytest

from guardduty_ecs_bench.harness import changes_in_plan_log, managed_addresses

pytestmark = pytest.mark.static


def _planned_change(address: str, action: str) -> str:
    return json.dumps(
        {
            "@level": "info",
            "@message": f"{address}: Plan to {action}",
            "type": "planned_change",
            "change": {"resource": {"addr": address, "resource_type": "aws_x"}, "action": action},
        }
    )


def test_changes_are_the_planned_changes_that_touch_the_account() -> None:
    log = "\n".join(
        [
            json.dumps({"type": "version", "terraform": "1.11.4", "ui": "1.2"}),
            json.dumps({"type": "resource_drift", "change": {"action": "update"}}),
            _planned_change("aws_security_group.this[0]", "update"),
            _planned_change("data.aws_vpc.this", "read"),
            _planned_change("module.a.aws_sns_topic.this", "move"),
            _planned_change("aws_kms_key.this", "replace"),
            json.dumps({"type": "change_summary", "changes": {"add": 1, "change": 1}}),
        ]
    )
    assert changes_in_plan_log(log) == [
        "aws_security_group.this[0]: update",
        "aws_kms_key.this: replace",
    ]


def test_a_plan_without_planned_changes_has_none() -> None:
    log = json.dumps({"type": "change_summary", "changes": {"add": 0, "change": 0}})
    assert changes_in_plan_log(log) == []


def test_managed_resources_leave_out_data_sources_at_any_module_depth() -> None:
    listing = "\n".join(
        [
            "data.aws_caller_identity.current",
            "aws_ecs_cluster.this",
            'module.alerts["eu"].data.aws_iam_policy_document.topic',
            'module.alerts["eu"].aws_sns_topic.this[0]',
            "module.runtime.module.vpc_endpoint.data.aws_vpc.this",
            "module.data.aws_sqs_queue.dead_letters",  # a module named "data"
            "",
        ]
    )
    assert managed_addresses(listing) == [
        "aws_ecs_cluster.this",
        'module.alerts["eu"].aws_sns_topic.this[0]',
        "module.data.aws_sqs_queue.dead_letters",
    ]
