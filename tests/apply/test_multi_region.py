"""examples/multi-region: one detector, Runtime Monitoring and alert topic in each of four
regions, read back region by region; re-plan, destroy, nothing left in any region."""

from __future__ import annotations

import boto3
import pytest

from guardduty_ecs.aws import client, read_detector, remaining_resources
from guardduty_ecs.harness import Workbench

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
        assert stack.pending_changes() == [], "a second plan must be empty"
    finally:
        stack.destroy()
    for region in REGIONS:
        in_region = boto3.Session(
            aws_access_key_id=aws_session.get_credentials().access_key,
            aws_secret_access_key=aws_session.get_credentials().secret_key,
            region_name=region,
        )
        assert remaining_resources(in_region, endpoint) == {}, region
