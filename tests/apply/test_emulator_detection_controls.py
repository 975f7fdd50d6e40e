"""The emulator's trusted IP sets, threat intel sets, publishing destinations, filter tags and
suppression (ARCHIVE) filters."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

pytestmark = [pytest.mark.apply, pytest.mark.emulator_only(reason="tests the emulator itself")]

ACCOUNT = "123456789012"
REGION = "us-east-1"
REVERSE_SHELL = "Execution:Runtime/ReverseShell"
NEW_BINARY = "Execution:Runtime/NewBinaryExecuted"


@pytest.fixture
def guardduty(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("guardduty")


@pytest.fixture
def detector_id(guardduty: Any) -> str:
    return str(guardduty.create_detector(Enable=True)["DetectorId"])


@pytest.fixture
def list_location(aws_client: Callable[[str], Any]) -> str:
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="guardduty-lists")
    s3.put_object(Bucket="guardduty-lists", Key="lists/ips.txt", Body=b"198.51.100.7\n")
    return "https://s3.amazonaws.com/guardduty-lists/lists/ips.txt"


def _bad_request(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    return str(caught.value.response["Error"]["Message"])


def test_ip_set_lifecycle_status_tags_and_quota(
    guardduty: Any, detector_id: str, list_location: str
) -> None:
    ip_set_id = guardduty.create_ip_set(
        DetectorId=detector_id,
        Name="trusted",
        Format="TXT",
        Location=list_location,
        Activate=True,
        Tags={"team": "sec"},
    )["IpSetId"]
    got = guardduty.get_ip_set(DetectorId=detector_id, IpSetId=ip_set_id)
    assert (got["Status"], got["Format"], got["Tags"]) == ("ACTIVE", "TXT", {"team": "sec"})
    # "Trusted IP sets | 1" per account and Region.
    assert "quota" in _bad_request(
        lambda: guardduty.create_ip_set(
            DetectorId=detector_id,
            Name="second",
            Format="TXT",
            Location=list_location,
            Activate=True,
        )
    )
    guardduty.update_ip_set(DetectorId=detector_id, IpSetId=ip_set_id, Activate=False, Name="t2")
    got = guardduty.get_ip_set(DetectorId=detector_id, IpSetId=ip_set_id)
    assert (got["Status"], got["Name"]) == ("INACTIVE", "t2")
    arn = f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{detector_id}/ipset/{ip_set_id}"
    guardduty.tag_resource(ResourceArn=arn, Tags={"env": "test"})
    guardduty.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert guardduty.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "test"}
    assert guardduty.list_ip_sets(DetectorId=detector_id)["IpSetIds"] == [ip_set_id]
    guardduty.delete_ip_set(DetectorId=detector_id, IpSetId=ip_set_id)
    # A deleted set reads as DELETED and leaves the list (the provider waits for that).
    assert guardduty.get_ip_set(DetectorId=detector_id, IpSetId=ip_set_id)["Status"] == "DELETED"
    assert guardduty.list_ip_sets(DetectorId=detector_id)["IpSetIds"] == []


def test_list_location_must_be_an_existing_s3_object_and_format_valid(
    guardduty: Any, detector_id: str, list_location: str
) -> None:
    missing = list_location.replace("ips.txt", "absent.txt")
    assert "no such object" in _bad_request(
        lambda: guardduty.create_threat_intel_set(
            DetectorId=detector_id, Name="t", Format="TXT", Location=missing, Activate=True
        )
    )
    assert "no such bucket" in _bad_request(
        lambda: guardduty.create_ip_set(
            DetectorId=detector_id,
            Name="t",
            Format="TXT",
            Location="https://s3.amazonaws.com/no-such-bucket/ips.txt",
            Activate=True,
        )
    )
    assert "not an S3 object URL" in _bad_request(
        lambda: guardduty.create_ip_set(
            DetectorId=detector_id,
            Name="t",
            Format="TXT",
            Location="https://example.com/ips.txt",
            Activate=True,
        )
    )
    with pytest.raises(ClientError):  # botocore or the emulator rejects the format
        guardduty.create_ip_set(
            DetectorId=detector_id, Name="t", Format="CSV", Location=list_location, Activate=True
        )
    # The virtual-hosted form of the same object is accepted.
    ip_set_id = guardduty.create_ip_set(
        DetectorId=detector_id,
        Name="t",
        Format="TXT",
        Location="https://guardduty-lists.s3.us-east-1.amazonaws.com/lists/ips.txt",
        Activate=False,
    )["IpSetId"]
    assert guardduty.get_ip_set(DetectorId=detector_id, IpSetId=ip_set_id)["Status"] == "INACTIVE"


def test_threat_intel_sets_are_limited_to_six(
    guardduty: Any, detector_id: str, list_location: str
) -> None:
    ids = [
        guardduty.create_threat_intel_set(
            DetectorId=detector_id,
            Name=f"t{n}",
            Format="TXT",
            Location=list_location,
            Activate=True,
        )["ThreatIntelSetId"]
        for n in range(6)
    ]
    _bad_request(
        lambda: guardduty.create_threat_intel_set(
            DetectorId=detector_id, Name="t7", Format="TXT", Location=list_location, Activate=True
        )
    )
    assert sorted(
        guardduty.list_threat_intel_sets(DetectorId=detector_id)["ThreatIntelSetIds"]
    ) == (sorted(ids))
    guardduty.delete_threat_intel_set(DetectorId=detector_id, ThreatIntelSetId=ids[0])
    guardduty.create_threat_intel_set(
        DetectorId=detector_id, Name="t7", Format="TXT", Location=list_location, Activate=True
    )


def _bucket_policy(bucket: str, source_arn: str) -> str:
    """The statements of "Exporting findings", with the confused-deputy conditions."""
    condition = {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": source_arn},
    }
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Allow GuardDuty to use the getBucketLocation operation",
                    "Effect": "Allow",
                    "Principal": {"Service": "guardduty.amazonaws.com"},
                    "Action": "s3:GetBucketLocation",
                    "Resource": f"arn:aws:s3:::{bucket}",
                    "Condition": condition,
                },
                {
                    "Sid": "Allow GuardDuty to upload objects to the bucket",
                    "Effect": "Allow",
                    "Principal": {"Service": "guardduty.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{bucket}/findings/*",
                    "Condition": condition,
                },
                {
                    "Sid": "Deny unencrypted object uploads. This is optional",
                    "Effect": "Deny",
                    "Principal": {"Service": "guardduty.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{bucket}/findings/*",
                    "Condition": {
                        "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}
                    },
                },
            ],
        }
    )


def _key_policy(actions: list[str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "Allow GuardDuty to use the key",
                    "Effect": "Allow",
                    "Principal": {"Service": "guardduty.amazonaws.com"},
                    "Action": actions,
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                },
            ],
        }
    )


def test_publishing_destination_status_follows_bucket_and_key_policies(
    guardduty: Any, detector_id: str, aws_client: Callable[[str], Any]
) -> None:
    s3, kms = aws_client("s3"), aws_client("kms")
    s3.create_bucket(Bucket="findings-export")
    key_arn = kms.create_key(Policy=_key_policy(["kms:GenerateDataKey"]))["KeyMetadata"]["Arn"]
    detector_arn = f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{detector_id}"
    properties = {"DestinationArn": "arn:aws:s3:::findings-export/findings", "KmsKeyArn": key_arn}

    def status() -> str:
        return str(
            guardduty.describe_publishing_destination(
                DetectorId=detector_id, DestinationId=destination_id
            )["Status"]
        )

    # The destination must exist.
    _bad_request(
        lambda: guardduty.create_publishing_destination(
            DetectorId=detector_id,
            DestinationType="S3",
            DestinationProperties={**properties, "DestinationArn": "arn:aws:s3:::absent"},
        )
    )
    destination_id = guardduty.create_publishing_destination(
        DetectorId=detector_id, DestinationType="S3", DestinationProperties=properties
    )["DestinationId"]
    assert status() == "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"  # no bucket policy yet
    failing_since = guardduty.describe_publishing_destination(
        DetectorId=detector_id, DestinationId=destination_id
    )["PublishingFailureStartTimestamp"]
    assert failing_since > 0
    # A policy scoped to another detector does not let this one write (aws:SourceArn).
    s3.put_bucket_policy(
        Bucket="findings-export", Policy=_bucket_policy("findings-export", detector_arn + "x")
    )
    assert status() == "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"
    s3.put_bucket_policy(
        Bucket="findings-export", Policy=_bucket_policy("findings-export", detector_arn)
    )
    assert status() == "PUBLISHING"
    listed = guardduty.list_publishing_destinations(DetectorId=detector_id)["Destinations"]
    assert listed == [
        {"DestinationId": destination_id, "DestinationType": "S3", "Status": "PUBLISHING"}
    ]
    # A key that does not grant kms:GenerateDataKey stops publishing.
    other_key = kms.create_key(Policy=_key_policy(["kms:Decrypt"]))["KeyMetadata"]["Arn"]
    guardduty.update_publishing_destination(
        DetectorId=detector_id,
        DestinationId=destination_id,
        DestinationProperties={**properties, "KmsKeyArn": other_key},
    )
    assert status() == "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"
    guardduty.delete_publishing_destination(DetectorId=detector_id, DestinationId=destination_id)
    assert "invalid values" in _bad_request(status)


def test_archive_filter_suppresses_matching_samples(
    guardduty: Any,
    detector_id: str,
    events_to_probe: Callable[[str, dict[str, Any]], Callable[[], list[dict[str, Any]]]],
) -> None:
    received = events_to_probe("findings", {"source": ["aws.guardduty"]})
    guardduty.create_filter(
        DetectorId=detector_id,
        Name="watch-only",
        Action="NOOP",
        Rank=1,
        FindingCriteria={"Criterion": {"type": {"Eq": [NEW_BINARY]}}},
    )
    guardduty.create_filter(
        DetectorId=detector_id,
        Name="suppress-reverse-shell",
        Action="ARCHIVE",
        Rank=2,
        FindingCriteria={"Criterion": {"type": {"Eq": [REVERSE_SHELL]}}},
        Tags={"purpose": "test"},
    )
    guardduty.create_sample_findings(
        DetectorId=detector_id, FindingTypes=[REVERSE_SHELL, NEW_BINARY]
    )
    published = [event["detail"]["type"] for event in received()]
    assert published == [NEW_BINARY]
    archived = guardduty.list_findings(
        DetectorId=detector_id,
        FindingCriteria={"Criterion": {"service.archived": {"Eq": ["true"]}}},
    )["FindingIds"]
    (finding,) = guardduty.get_findings(DetectorId=detector_id, FindingIds=archived)["Findings"]
    assert finding["Type"] == REVERSE_SHELL
    # Filters keep their tags (moto drops them) and are listed.
    assert guardduty.get_filter(DetectorId=detector_id, FilterName="suppress-reverse-shell")[
        "Tags"
    ] == {"purpose": "test"}
    assert guardduty.list_filters(DetectorId=detector_id)["FilterNames"] == [
        "suppress-reverse-shell",
        "watch-only",
    ]
