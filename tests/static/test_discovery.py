"""What narrows the operator commands' search (Terraform state and outputs, of any shape), and
the bad input they refuse before asking AWS anything."""

from __future__ import annotations

import io
import json
from pathlib import Path

import botocore.session
import pytest

from guardduty_ecs.cli import main
from guardduty_ecs.discovery import hints_from_document, hints_from_outputs, wire_format

pytestmark = pytest.mark.static

DETECTOR = "0123456789abcdef0123456789abcdef"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:guardduty-ecs-runtime-alerts"
DETECTOR_ARN = f"arn:aws:guardduty:eu-west-1:123456789012:detector/{DETECTOR}"
RULE = "arn:aws:events:eu-west-1:123456789012:rule/guardduty-ecs-runtime-findings-high"


def test_outputs_of_any_shape_name_detectors_topics_and_rules_by_region() -> None:
    """examples/multi-region nests them in a map by Region; examples/minimal exports two."""
    outputs = {
        "regions": {
            "eu-west-1": {"detector_id": DETECTOR, "sns_topic_arn": TOPIC},
            "us-east-1": {"sns_topic_arn": TOPIC.replace("eu-west-1", "us-east-1")},
        },
        "findings_rule_arns": {"high": RULE},
    }
    hints = hints_from_outputs(outputs)
    assert hints.detector_ids == {DETECTOR}
    assert hints.topics_in("eu-west-1") == {TOPIC}
    assert hints.rules_in("eu-west-1") == {RULE}
    assert hints.topics_in("ap-southeast-2") == frozenset()


def test_state_of_nested_modules_names_the_detector_by_its_arn() -> None:
    state = {
        "root_module": {
            "child_modules": [
                {
                    "resources": [
                        {
                            "type": "aws_guardduty_detector",
                            "values": {
                                "id": DETECTOR,
                                "arn": DETECTOR_ARN,
                            },
                        },
                        {"type": "aws_cloudwatch_event_target", "values": {"arn": TOPIC}},
                    ]
                }
            ]
        }
    }
    hints = hints_from_document(state, "state")
    assert (hints.detector_ids, hints.topic_arns) == ({DETECTOR}, {TOPIC})


def test_findings_are_written_back_in_the_event_names() -> None:
    """A GuardDuty Finding event's detail is the API's JSON (camelCase), not boto3's names."""
    shape = botocore.session.get_session().get_service_model("guardduty").shape_for("Finding")
    finding = {
        "AccountId": "123456789012",
        "Type": "Execution:Runtime/ReverseShell",
        "Severity": 8.0,
        "Resource": {"ResourceType": "ECSCluster", "EcsClusterDetails": {"Name": "payments"}},
    }
    assert wire_format(shape, finding) == {
        "accountId": "123456789012",
        "type": "Execution:Runtime/ReverseShell",
        "severity": 8.0,
        "resource": {"resourceType": "ECSCluster", "ecsClusterDetails": {"name": "payments"}},
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["drill", "--outputs", "LIST"], "the outputs must be a JSON object"),
        (["verify", "--outputs", "LIST"], "the outputs must be a JSON object"),
        (["drill", "--timeout", "-5"], "--timeout: must be a number of seconds above 0"),
        (["drill", "--topic-arn", "not-an-arn"], "--topic-arn: not an SNS topic ARN"),
        (["drill", "--scale-to-zero", "c/s"], "add --yes to confirm it in a pipeline"),
        (["verify", "--terraform-dir", "/nonexistent"], "--terraform-dir: no folder"),
    ],
    ids=["drill_list", "verify_list", "negative_timeout", "topic", "scale_to_zero", "no_dir"],
)
def test_bad_input_exits_2_in_one_line_before_any_aws_call(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    listed = tmp_path / "outputs.json"
    listed.write_text(json.dumps([{"detector_id": DETECTOR}]))
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    # No endpoint answers here: a call to AWS would fail with another message.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main([arg if arg != "LIST" else str(listed) for arg in argv]) == 2
    line, *fix = capsys.readouterr().err.strip().splitlines()
    assert message in line
    assert len(fix) <= 1
