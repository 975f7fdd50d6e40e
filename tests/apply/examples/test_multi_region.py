"""examples/multi-region: one detector, Runtime Monitoring and alert topic in each of four
regions, read back region by region; re-plan, destroy, nothing left in any region."""

from __future__ import annotations

import io

import boto3
import pytest

from guardduty_ecs.aws import client, read_detector
from guardduty_ecs.discovery import hints_from_outputs
from guardduty_ecs.drill import PASS, run_drill
from guardduty_ecs.errors import UserError
from guardduty_ecs.verify import verify
from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_bench.leftovers import remaining_resources

pytestmark = [
    pytest.mark.apply,
    pytest.mark.emulator_only(
        reason="starts from a reset emulator and checks that four regions are empty after destroy"
    ),
]

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]


def test_multi_region_example(workbench: Workbench, aws_session: boto3.Session) -> None:
    endpoint = workbench.environment["AWS_ENDPOINT_URL"]
    stack = workbench.stack("examples/multi-region", {"regions": REGIONS})
    stack.apply()
    try:
        by_region = stack.outputs()["regions"]
        assert sorted(by_region) == sorted(REGIONS)
        for region in REGIONS:
            guardduty = client(aws_session, "guardduty", endpoint, region)
            # Each region's detector is its own, found in that region only.
            assert guardduty.list_detectors()["DetectorIds"] == [by_region[region]["detector_id"]]
            detector = read_detector(guardduty, by_region[region]["detector_id"])
            assert detector.features["RUNTIME_MONITORING"] == "ENABLED"
            assert (
                detector.additional_configuration["RUNTIME_MONITORING"][
                    "ECS_FARGATE_AGENT_MANAGEMENT"
                ]
                == "ENABLED"
            )
            topic_arn = by_region[region]["sns_topic_arn"]
            assert topic_arn.split(":")[3] == region
            client(aws_session, "sns", endpoint, region).get_topic_attributes(TopicArn=topic_arn)
        # The operator commands in one Region of four, narrowed by the example's outputs (a map
        # by Region, which once gave false results): each keeps what is in its own Region.
        hints = hints_from_outputs(stack.outputs())
        checks = verify(_in_region(aws_session, "eu-west-1"), endpoint, hints=hints)
        # The example subscribes nobody unless given addresses, and verify says so.
        assert [check.name for check in checks if not check.passed] == ["e-mail subscriptions"]
        (result,) = run_drill(
            _in_region(aws_session, "eu-west-1"),
            ["Execution:Runtime/ReverseShell"],
            timeout=20,
            hints=hints,
            endpoint_url=endpoint,
            progress=io.StringIO(),
        )
        assert result.status == PASS
        with pytest.raises(UserError, match="only, not in sa-east-1"):
            verify(_in_region(aws_session, "sa-east-1"), endpoint, hints=hints)
        assert stack.pending_changes() == [], "a second plan must be empty"
    finally:
        stack.destroy()
    for region in REGIONS:
        assert remaining_resources(_in_region(aws_session, region), endpoint) == {}, region


def _in_region(session: boto3.Session, region: str) -> boto3.Session:
    credentials = session.get_credentials()
    return boto3.Session(
        aws_access_key_id=credentials.access_key,
        aws_secret_access_key=credentials.secret_key,
        region_name=region,
    )
