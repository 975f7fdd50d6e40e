"""The emulator's input transformer: values are escaped inside strings and JSON elsewhere."""

from __future__ import annotations

import json

import pytest

from guardduty_ecs.emulator.eventbridge import render_input_template, resolve_path, target_input

pytestmark = pytest.mark.static

EVENT = {
    "detail": {
        "type": "Execution:Runtime/NewBinaryExecuted",
        "severity": 8,
        "title": 'Binary "x"\nexecuted',
        "resource": {"ecsClusterDetails": {"name": "payments"}},
        "list": [{"a": 1}],
    }
}


def test_paths_resolve_dots_and_indices() -> None:
    assert resolve_path(EVENT, "$.detail.resource.ecsClusterDetails.name") == "payments"
    assert resolve_path(EVENT, "$.detail.list[0].a") == 1
    assert resolve_path(EVENT, "$.detail.missing.deeper") is None
    assert resolve_path(EVENT, "$.detail.list[3]") is None


def test_text_template_escapes_untrusted_values() -> None:
    values = {"title": EVENT["detail"]["title"], "severity": 8, "cluster": None}
    rendered = render_input_template('"<title> (<severity>) on <cluster>"', values)
    assert json.loads(rendered) == 'Binary "x"\nexecuted (8) on '


def test_json_template_writes_json_values_outside_strings() -> None:
    values = {"severity": 8.5, "cluster": None, "title": 'a "b"'}
    rendered = render_input_template('{"s": <severity>, "c": <cluster>, "t": "<title>"}', values)
    assert json.loads(rendered) == {"s": 8.5, "c": None, "t": 'a "b"'}


def test_unknown_placeholders_and_escaped_quotes_are_left_alone() -> None:
    rendered = render_input_template(r'"say \"<title>\" <other>"', {"title": "hi"})
    assert rendered == r'"say \"hi\" <other>"'


def test_target_input_uses_transformer_and_predefined_variables() -> None:
    target = {
        "InputTransformer": {
            "InputPathsMap": {"type": "$.detail.type"},
            "InputTemplate": '"<type> from <aws.events.rule-name>"',
        }
    }
    arn = "arn:aws:events:us-east-1:123456789012:rule/findings"
    assert json.loads(target_input(target, EVENT, arn)) == (
        "Execution:Runtime/NewBinaryExecuted from findings"
    )
