"""The emulator's input transformer follows the EventBridge user guide: values are pasted as they
are, never escaped, and a variable whose path the event lacks is left out."""

from __future__ import annotations

import json

import pytest

from guardduty_ecs_emulator.services.eventbridge import (
    ABSENT,
    render_input_template,
    resolve_path,
    target_input,
)

pytestmark = pytest.mark.emulator

EVENT = {
    "detail": {
        "type": "Execution:Runtime/NewBinaryExecuted",
        "severity": 8,
        "title": 'Binary "x"\nexecuted',
        "resource": {"ecsClusterDetails": {"name": "payments"}},
        "list": [{"a": 1}],
        "nothing": None,
    }
}


def test_paths_resolve_dots_and_indices() -> None:
    assert resolve_path(EVENT, "$.detail.resource.ecsClusterDetails.name") == "payments"
    assert resolve_path(EVENT, "$.detail.list[0].a") == 1
    assert resolve_path(EVENT, "$.detail.nothing") is None
    assert resolve_path(EVENT, "$.detail.missing.deeper") is ABSENT
    assert resolve_path(EVENT, "$.detail.list[3]") is ABSENT


def test_values_are_pasted_without_escaping() -> None:
    """ "EventBridge doesn't escape values extracted by Input Path": a title's quotes and line
    breaks reach the message as they are, so the message is not JSON any more."""
    values = {"title": EVENT["detail"]["title"], "severity": 8}
    rendered = render_input_template('"<title> (<severity>)"', values)
    assert rendered == '"Binary "x"\nexecuted (8)"'
    with pytest.raises(json.JSONDecodeError):
        json.loads(rendered)


def test_absent_paths_leave_nothing_behind() -> None:
    """ "that variable isn't created and won't appear in the output" """
    rendered = render_input_template('"EC2 instance: <instance>"', {"instance": ABSENT})
    assert rendered == '"EC2 instance: "'


def test_numbers_and_objects_are_json_outside_strings() -> None:
    values = {"severity": 8.5, "nothing": None, "list": [{"a": 1}]}
    rendered = render_input_template('{"s": <severity>, "n": <nothing>, "l": <list>}', values)
    assert json.loads(rendered) == {"s": 8.5, "n": None, "l": [{"a": 1}]}


def test_objects_inside_strings_lose_their_quotes() -> None:
    rendered = render_input_template('"resource: <resource>"', {"resource": {"name": "p"}})
    assert rendered == '"resource: {name:p}"'


def test_unknown_placeholders_and_escaped_quotes_are_left_alone() -> None:
    rendered = render_input_template(r'"say \"<title>\" <other>"', {"title": "hi"})
    assert rendered == r'"say \"hi\" <other>"'


def test_target_input_uses_transformer_and_predefined_variables() -> None:
    target = {
        "InputTransformer": {
            "InputPathsMap": {"type": "$.detail.type", "gone": "$.detail.gone"},
            "InputTemplate": '"<type> from <aws.events.rule-name><gone>"',
        }
    }
    arn = "arn:aws:events:us-east-1:123456789012:rule/findings"
    assert target_input(target, EVENT, arn) == (
        '"Execution:Runtime/NewBinaryExecuted from findings"'
    )


def test_standalone_strings_in_a_json_template_are_json_strings() -> None:
    """ "Simple JSON": {"instance" : <instance>} gives {"instance" : "i-0123456789"}; the quotes
    and line breaks of a finding's title are escaped (chosen), so the message stays JSON. Inside
    quotes nothing changes."""
    values = {"instance": "i-0123456789", "title": EVENT["detail"]["title"], "severity": 8}
    rendered = render_input_template(
        '{\n  "instance" : <instance>,\n  "title": <title>,\n'
        '  "text": "<instance> at <severity>"\n}',
        values,
    )
    assert json.loads(rendered) == {
        "instance": "i-0123456789",
        "title": 'Binary "x"\nexecuted',
        "text": "i-0123456789 at 8",
    }
    keywords = render_input_template('{"k": ["High", <instance>, <severity>]}', values)
    assert json.loads(keywords) == {"k": ["High", "i-0123456789", 8]}


def test_standalone_strings_in_a_string_template_are_pasted() -> None:
    """API reference, InputTransformer: "InputTemplate": "<instance> is in state <status>" is a
    string template; its variables go in as their text, as the e-mail's lines do."""
    values = {"instance": "i-0123456789", "status": "RUNNING"}
    assert (
        render_input_template("<instance> is in state <status>", values)
        == "i-0123456789 is in state RUNNING"
    )
    assert render_input_template('"Type: <instance>"\n<status>', values) == (
        '"Type: i-0123456789"\nRUNNING'
    )
