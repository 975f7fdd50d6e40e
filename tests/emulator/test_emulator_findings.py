"""The emulator's sample findings: CreateSampleFindings, ListFindings, GetFindings, events."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from guardduty_ecs_emulator.services.guardduty.criteria import matches
from guardduty_ecs_emulator.services.guardduty.finding_types import (
    ATTACK_SEQUENCE_FINDING_TYPES,
    RUNTIME_FINDING_TYPES,
)

pytestmark = pytest.mark.emulator

REVERSE_SHELL = "Execution:Runtime/ReverseShell"
NEW_BINARY = "Execution:Runtime/NewBinaryExecuted"
ANTI_DEBUGGING = "DefenseEvasion:Runtime/PtraceAntiDebugging"
SAMPLES = {"service.additionalInfo.sample": {"Eq": ["true"]}}
EVERY_TYPE = [*RUNTIME_FINDING_TYPES, *ATTACK_SEQUENCE_FINDING_TYPES]


@pytest.fixture
def guardduty(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("guardduty")


@pytest.fixture
def detector_id(guardduty) -> str:
    return guardduty.create_detector(Enable=True)["DetectorId"]


def _ids(guardduty, detector_id: str, **request: Any) -> list[str]:
    return [
        finding_id
        for page in guardduty.get_paginator("list_findings").paginate(
            DetectorId=detector_id, **request
        )
        for finding_id in page["FindingIds"]
    ]


def _findings(guardduty, detector_id: str, ids: list[str]) -> list[dict[str, Any]]:
    return [
        finding
        for start in range(0, len(ids), 50)
        for finding in guardduty.get_findings(
            DetectorId=detector_id, FindingIds=ids[start : start + 50]
        )["Findings"]
    ]


def test_one_sample_of_every_runtime_type_marked_as_sample(guardduty, detector_id) -> None:
    """Without FindingTypes: one sample of every type, "including attack sequence finding
    types" (user guide, "Generating sample findings"), of those the emulator knows."""
    guardduty.create_sample_findings(DetectorId=detector_id)
    every = _findings(guardduty, detector_id, _ids(guardduty, detector_id))
    assert sorted(finding["Type"] for finding in every) == sorted(EVERY_TYPE)
    findings = [finding for finding in every if finding["Type"] in RUNTIME_FINDING_TYPES]
    by_type = {finding["Type"]: finding for finding in findings}
    assert by_type[REVERSE_SHELL]["Severity"] == 8
    assert by_type[NEW_BINARY]["Severity"] == 5
    assert by_type[ANTI_DEBUGGING]["Severity"] == 2
    assert by_type[REVERSE_SHELL]["Title"] == (
        "A process in a container or an Amazon EC2 instance has created a reverse shell."
    )
    for finding in findings:
        assert json.loads(finding["Service"]["AdditionalInfo"]["Value"]) == {"sample": True}
        # The API title carries no [SAMPLE] prefix (that is the console's): see the emulator's
        # findings/__init__.py.
        assert not finding["Title"].startswith("[SAMPLE]")
        assert finding["Service"]["DetectorId"] == detector_id
        assert finding["Arn"].endswith(f"detector/{detector_id}/finding/{finding['Id']}")
        assert finding["Resource"]["ResourceType"] == "ECSCluster"
        assert finding["Resource"]["EcsClusterDetails"]["TaskDetails"]["LaunchType"] == "FARGATE"
        # Finding.CreatedAt/UpdatedAt are strings in the API model, ISO 8601 in practice.
        datetime.fromisoformat(finding["UpdatedAt"].replace("Z", "+00:00"))


def test_attack_sequence_samples_are_critical_sequences_without_a_cluster_resource(
    guardduty, detector_id
) -> None:
    """User guide, "GuardDuty attack sequence finding types": "Default severity: Critical";
    the sequence is in service.detection.sequence, the resource part names no cluster."""
    guardduty.create_sample_findings(
        DetectorId=detector_id,
        FindingTypes=[
            "AttackSequence:ECS/CompromisedCluster",
            "AttackSequence:IAM/CompromisedCredentials",
        ],
    )
    findings = _findings(guardduty, detector_id, _ids(guardduty, detector_id))
    by_type = {finding["Type"]: finding for finding in findings}
    ecs = by_type["AttackSequence:ECS/CompromisedCluster"]
    assert ecs["Severity"] == 9
    assert ecs["Resource"] == {"ResourceType": "AttackSequence"}
    assert ecs["Service"]["FeatureName"] == "Correlation"
    sequence = ecs["Service"]["Detection"]["Sequence"]
    assert sequence["Description"] == ecs["Title"]
    assert {r["ResourceType"]: r["Name"] for r in sequence["Resources"]} == {
        "ECS_CLUSTER": "GeneratedFindingECSClusterName",
        "ECS_TASK": "043de9ab3",
    }
    assert sequence["Signals"][0]["Type"] == "FINDING"
    assert (
        "Resources"
        not in by_type["AttackSequence:IAM/CompromisedCredentials"]["Service"]["Detection"][
            "Sequence"
        ]
    )


def test_archived_sample_still_publishes_its_later_occurrences(
    events_to_probe: Callable[[str, dict[str, Any]], Callable[[], list[dict[str, Any]]]],
    clean_emulator,
    guardduty,
) -> None:
    """ "For the manually archived findings, the initial and all subsequent occurrences of these
    findings (generated after the archiving is complete) are sent to CloudWatch Events per
    frequency described above" (user guide); only suppression rules silence them."""
    detector_id = guardduty.create_detector(
        Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES"
    )["DetectorId"]
    received = events_to_probe(
        "all-findings", {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}
    )
    guardduty.create_sample_findings(DetectorId=detector_id, FindingTypes=[REVERSE_SHELL])
    (finding_id,) = [event["detail"]["id"] for event in received()]
    guardduty.archive_findings(DetectorId=detector_id, FindingIds=[finding_id])
    archived = _ids(
        guardduty,
        detector_id,
        FindingCriteria={"Criterion": {"service.archived": {"Eq": ["true"]}}},
    )
    assert archived == [finding_id]
    guardduty.create_sample_findings(DetectorId=detector_id, FindingTypes=[REVERSE_SHELL])
    clean_emulator.advance_clock(15 * 60)
    (update,) = received()
    assert update["detail"]["id"] == finding_id
    assert update["detail"]["service"]["archived"] is True
    guardduty.unarchive_findings(DetectorId=detector_id, FindingIds=[finding_id])
    (finding,) = _findings(guardduty, detector_id, [finding_id])
    assert finding["Service"]["Archived"] is False


def test_list_findings_filters_sorts_and_pages(guardduty, detector_id) -> None:
    since_ms = int(datetime.now(UTC).timestamp() * 1000) - 1000
    guardduty.create_sample_findings(DetectorId=detector_id)

    def listed(criterion: dict[str, Any], **request: Any) -> list[str]:
        return _ids(guardduty, detector_id, FindingCriteria={"Criterion": criterion}, **request)

    chosen = listed({"type": {"Eq": [REVERSE_SHELL, NEW_BINARY]}, **SAMPLES})
    assert {f["Type"] for f in _findings(guardduty, detector_id, chosen)} == {
        REVERSE_SHELL,
        NEW_BINARY,
    }
    assert len(listed({**SAMPLES, "updatedAt": {"GreaterThanOrEqual": since_ms}})) == len(
        EVERY_TYPE
    )
    assert listed({"service.additionalInfo.sample": {"Eq": ["false"]}}) == []
    assert listed({"updatedAt": {"LessThan": since_ms}}) == []
    high = _findings(guardduty, detector_id, listed({"severity": {"Gte": 7}}))
    assert high
    assert all(finding["Severity"] >= 7 for finding in high)
    assert len(listed({"type": {"Neq": [REVERSE_SHELL]}})) == len(EVERY_TYPE) - 1

    pages = list(
        guardduty.get_paginator("list_findings").paginate(
            DetectorId=detector_id,
            SortCriteria={"AttributeName": "severity", "OrderBy": "DESC"},
            PaginationConfig={"PageSize": 10},
        )
    )
    full, rest = divmod(len(EVERY_TYPE), 10)
    assert [len(page["FindingIds"]) for page in pages] == [10] * full + ([rest] if rest else [])
    ids = [finding_id for page in pages for finding_id in page["FindingIds"]]
    assert len(set(ids)) == len(EVERY_TYPE)
    severities = [finding["Severity"] for finding in _findings(guardduty, detector_id, ids)]
    assert severities == sorted(severities, reverse=True)


def test_get_findings_leaves_out_unknown_ids(guardduty, detector_id) -> None:
    guardduty.create_sample_findings(DetectorId=detector_id, FindingTypes=[REVERSE_SHELL])
    (finding_id,) = _ids(guardduty, detector_id)
    findings = guardduty.get_findings(
        DetectorId=detector_id, FindingIds=["0" * 32, finding_id, "f" * 32]
    )["Findings"]
    assert [finding["Id"] for finding in findings] == [finding_id]


def test_repeated_sample_updates_the_same_finding(guardduty, detector_id) -> None:
    guardduty.create_sample_findings(DetectorId=detector_id, FindingTypes=[REVERSE_SHELL])
    (first,) = _findings(guardduty, detector_id, _ids(guardduty, detector_id))
    time.sleep(0.01)
    guardduty.create_sample_findings(DetectorId=detector_id, FindingTypes=[REVERSE_SHELL])
    (second,) = _findings(guardduty, detector_id, _ids(guardduty, detector_id))
    assert second["Id"] == first["Id"]
    assert second["Service"]["Count"] == 2
    assert second["CreatedAt"] == first["CreatedAt"]
    assert second["UpdatedAt"] > first["UpdatedAt"]


def test_sample_resource_is_guardduty_placeholder_not_a_cluster_of_the_account(
    aws_client: Callable[[str], Any], guardduty, detector_id
) -> None:
    """ "The generated samples are approximations populated with placeholder values." """
    ecs = aws_client("ecs")
    ecs.create_cluster(clusterName="shop")
    ecs.register_task_definition(
        family="shop",
        containerDefinitions=[{"name": "web", "image": "public.ecr.aws/shop:2", "memory": 512}],
    )
    ecs.run_task(cluster="shop", taskDefinition="shop", launchType="FARGATE")
    guardduty.create_sample_findings(DetectorId=detector_id, FindingTypes=[NEW_BINARY])
    (finding,) = _findings(guardduty, detector_id, _ids(guardduty, detector_id))
    cluster = finding["Resource"]["EcsClusterDetails"]
    assert cluster["Name"] == "GeneratedFindingECSClusterName"
    assert cluster["Arn"] == "arn:aws:ecs:region:123456789000:cluster/clusterName"
    assert cluster["TaskDetails"]["Arn"].startswith("arn:aws:ecs:region:123456789000:task/")
    (container,) = cluster["TaskDetails"]["Containers"]
    assert (container["Name"], container["Image"]) == (
        "GeneratedFindingContainerName",
        "GeneratedFindingContainerImage",
    )
    assert finding["AccountId"] == "123456789012", "the finding itself is the account's"


def test_repeated_sample_is_published_only_at_the_publishing_frequency(
    events_to_probe: Callable[[str, dict[str, Any]], Callable[[], list[dict[str, Any]]]],
    clean_emulator,
    guardduty,
) -> None:
    """New findings are exported at once (within about 5 minutes on AWS); "new occurrences of
    existing findings" at the detector's finding publishing frequency (user guide, "Exporting
    findings"). The emulator's clock stands in for the wait."""
    detector_id = guardduty.create_detector(
        Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES"
    )["DetectorId"]
    received = events_to_probe(
        "all-findings", {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}
    )
    guardduty.create_sample_findings(DetectorId=detector_id, FindingTypes=[REVERSE_SHELL])
    assert [event["detail"]["service"]["count"] for event in received()] == [1]

    guardduty.create_sample_findings(DetectorId=detector_id, FindingTypes=[REVERSE_SHELL])
    assert received() == [], "an update waits for the publishing frequency"
    clean_emulator.advance_clock(14 * 60)
    assert received() == []
    clean_emulator.advance_clock(60)
    (update,) = received()
    assert update["detail"]["service"]["count"] == 2
    clean_emulator.advance_clock(15 * 60)
    assert received() == [], "each update is published once"


@pytest.mark.parametrize(
    ("call", "request_", "message"),
    [
        (
            "create_sample_findings",
            {"FindingTypes": ["Recon:EC2/PortProbeUnprotectedPort"]},
            "Runtime",
        ),
        # botocore's model: FindingIds max 50 (the emulator's request validation answers).
        ("archive_findings", {"FindingIds": ["x"] * 51}, "less than or equal to 50"),
        ("list_findings", {"MaxResults": 51}, "maxResults"),
        ("list_findings", {"NextToken": "not-a-token"}, "nextToken"),
    ],
    ids=["non_runtime_type", "archive_51", "max_results_51", "bad_next_token"],
)
@pytest.mark.emulator_rejects
def test_requests_that_are_rejected(guardduty, detector_id, call, request_, message) -> None:
    with pytest.raises(ClientError) as failure:
        getattr(guardduty, call)(DetectorId=detector_id, **request_)
    assert failure.value.response["Error"]["Code"] == "BadRequestException"
    assert message in failure.value.response["Error"]["Message"]


def test_unknown_detector_is_rejected(guardduty) -> None:
    with pytest.raises(ClientError) as failure:
        guardduty.create_sample_findings(DetectorId="0" * 32)
    assert failure.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_sample_finding_events_reach_a_topic_subscriber(
    events_to_probe: Callable[[str, dict[str, Any]], Callable[[], list[dict[str, Any]]]],
    guardduty,
    detector_id,
) -> None:
    received = events_to_probe(
        "runtime-findings",
        {
            "source": ["aws.guardduty"],
            "detail-type": ["GuardDuty Finding"],
            "detail": {
                "type": [{"wildcard": "*:Runtime/*"}],
                "severity": [{"numeric": [">=", 4]}],
            },
        },
    )
    guardduty.create_sample_findings(
        DetectorId=detector_id, FindingTypes=[REVERSE_SHELL, NEW_BINARY, ANTI_DEBUGGING]
    )
    delivered = received()
    # Severity 2 (Low) does not match the rule's ">= 4".
    assert sorted(event["detail"]["type"] for event in delivered) == [NEW_BINARY, REVERSE_SHELL]
    stored = {f["Id"]: f for f in _findings(guardduty, detector_id, _ids(guardduty, detector_id))}
    for event in delivered:
        assert event["source"] == "aws.guardduty"
        assert event["detail-type"] == "GuardDuty Finding"
        assert json.loads(event["detail"]["service"]["additionalInfo"]["value"])["sample"] is True
        assert stored[event["detail"]["id"]]["Title"] == event["detail"]["title"]


@pytest.mark.parametrize(
    ("severity", "condition", "matched"),
    [
        (8.5, {"eq": ["8"]}, True),  # "High: ["7", "8"]": 8 stands for 8.0 to 8.9
        (8.0, {"equals": ["7", "8"]}, True),
        (7.9, {"equals": ["8"]}, False),
        (9.0, {"equals": ["8"]}, False),
        (10.0, {"equals": ["9", "10"]}, True),  # "Critical: ["9", "10"]"
        (8.5, {"notEquals": ["8"]}, False),
        (5.3, {"neq": ["7", "8"]}, True),
        (8.5, {"equals": ["8.5"]}, True),  # not a band: exact
        (8.0, {"equals": ["8.5"]}, False),
    ],
)
def test_severity_equals_takes_the_documented_bands(
    severity: float, condition: dict[str, list[str]], matched: bool
) -> None:
    """botocore's model, CreateFilter FindingCriteria: "To filter on the basis of severity, the API
    and CLI use the following input list ... High: ["7", "8"] ... Critical: ["9", "10"]". Samples
    have whole severities, so this reads the emulator's criterion evaluation directly."""
    assert matches({"severity": severity}, {"severity": condition}) is matched
