"""The emulator's trusted IP sets, threat intel sets, publishing destinations, filter tags and
suppression (ARCHIVE) filters."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from guardduty_ecs.aws import client
from guardduty_ecs_emulator import EmulatorProcess

pytestmark = pytest.mark.emulator

ACCOUNT = "123456789012"
REGION = "us-east-1"
REVERSE_SHELL = "Execution:Runtime/ReverseShell"
GUARDDUTY = "guardduty.amazonaws.com"
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


# More than the emulator's LIST_SETTLE_SECONDS, which stands for AWS's "within 15 minutes".
SETTLED = 15 * 60


def test_ip_set_lifecycle_status_tags_and_quota(
    guardduty: Any, detector_id: str, list_location: str, clean_emulator: EmulatorProcess
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
    # Activation takes time ("estimated to complete within 15 minutes"); the clock stands in.
    assert (got["Status"], got["Format"], got["Tags"]) == ("ACTIVATING", "TXT", {"team": "sec"})
    clean_emulator.advance_clock(SETTLED)
    assert guardduty.get_ip_set(DetectorId=detector_id, IpSetId=ip_set_id)["Status"] == "ACTIVE"
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
    assert (got["Status"], got["Name"]) == ("DEACTIVATING", "t2")
    clean_emulator.advance_clock(SETTLED)
    assert guardduty.get_ip_set(DetectorId=detector_id, IpSetId=ip_set_id)["Status"] == "INACTIVE"
    arn = f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{detector_id}/ipset/{ip_set_id}"
    guardduty.tag_resource(ResourceArn=arn, Tags={"env": "test"})
    guardduty.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert guardduty.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "test"}
    assert guardduty.list_ip_sets(DetectorId=detector_id)["IpSetIds"] == [ip_set_id]
    guardduty.delete_ip_set(DetectorId=detector_id, IpSetId=ip_set_id)
    # A deleted set reads as DELETED and leaves the list (the provider waits for that).
    assert guardduty.get_ip_set(DetectorId=detector_id, IpSetId=ip_set_id)["Status"] == "DELETED"
    assert guardduty.list_ip_sets(DetectorId=detector_id)["IpSetIds"] == []


@pytest.mark.emulator_rejects
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


def test_a_new_location_is_checked_and_activates_the_list_again(
    guardduty: Any,
    detector_id: str,
    list_location: str,
    aws_client: Callable[[str], Any],
    clean_emulator: EmulatorProcess,
) -> None:
    """ "Whenever you add or update an entry in the list's S3 bucket location, you must activate the
    list again": modules/detection-controls writes changed content to a new key, and the provider
    sends UpdateThreatIntelSet with that location alone; the emulator reads the list again."""
    set_id = guardduty.create_threat_intel_set(
        DetectorId=detector_id, Name="feed", Format="TXT", Location=list_location, Activate=True
    )["ThreatIntelSetId"]
    clean_emulator.advance_clock(SETTLED)

    def status() -> str:
        return str(
            guardduty.get_threat_intel_set(DetectorId=detector_id, ThreatIntelSetId=set_id)[
                "Status"
            ]
        )

    assert status() == "ACTIVE"
    moved = list_location.replace("ips.txt", "ips-2.txt")
    assert "no such object" in _bad_request(
        lambda: guardduty.update_threat_intel_set(
            DetectorId=detector_id, ThreatIntelSetId=set_id, Location=moved
        )
    )
    assert status() == "ACTIVE"  # a rejected update changes nothing
    aws_client("s3").put_object(
        Bucket="guardduty-lists", Key="lists/ips-2.txt", Body=b"192.0.2.9\n"
    )
    guardduty.update_threat_intel_set(
        DetectorId=detector_id, ThreatIntelSetId=set_id, Location=moved
    )
    assert status() == "ACTIVATING"
    clean_emulator.advance_clock(SETTLED)
    got = guardduty.get_threat_intel_set(DetectorId=detector_id, ThreatIntelSetId=set_id)
    assert (got["Status"], got["Location"]) == ("ACTIVE", moved)
    # A new name alone reads nothing again.
    guardduty.update_threat_intel_set(DetectorId=detector_id, ThreatIntelSetId=set_id, Name="f2")
    assert status() == "ACTIVE"


def _bucket_policy(
    bucket: str, source_arn: str, principal: str = GUARDDUTY, account: str = ACCOUNT
) -> str:
    """The statements of "Exporting findings", with the confused-deputy conditions."""
    condition = {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": source_arn},
    }
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Allow GuardDuty to use the getBucketLocation operation",
                    "Effect": "Allow",
                    "Principal": {"Service": principal},
                    "Action": "s3:GetBucketLocation",
                    "Resource": f"arn:aws:s3:::{bucket}",
                    "Condition": condition,
                },
                {
                    "Sid": "Allow GuardDuty to upload objects to the bucket",
                    "Effect": "Allow",
                    "Principal": {"Service": principal},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{bucket}/findings/*",
                    "Condition": condition,
                },
                {
                    "Sid": "Deny unencrypted object uploads. This is optional",
                    "Effect": "Deny",
                    "Principal": {"Service": principal},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{bucket}/findings/*",
                    "Condition": {
                        "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}
                    },
                },
            ],
        }
    )


def _key_policy(actions: list[str], principal: str = GUARDDUTY, account: str = ACCOUNT) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "Allow GuardDuty to use the key",
                    "Effect": "Allow",
                    "Principal": {"Service": principal},
                    "Action": actions,
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
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

    # The destination must exist: the bucket, and the prefix's folder object (aws/aws-cli#10483).
    _bad_request(
        lambda: guardduty.create_publishing_destination(
            DetectorId=detector_id,
            DestinationType="S3",
            DestinationProperties={**properties, "DestinationArn": "arn:aws:s3:::absent"},
        )
    )
    assert "resource folder does not exist" in _bad_request(
        lambda: guardduty.create_publishing_destination(
            DetectorId=detector_id, DestinationType="S3", DestinationProperties=properties
        )
    )
    s3.put_object(Bucket="findings-export", Key="findings/", Body=b"")
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
    # A published finding is exported below the prefix, in GuardDuty's folder structure.
    guardduty.create_sample_findings(DetectorId=detector_id, FindingTypes=[REVERSE_SHELL])
    folder = f"findings/AWSLogs/{ACCOUNT}/GuardDuty/{REGION}/"
    (exported,) = s3.list_objects_v2(Bucket="findings-export", Prefix=folder)["Contents"]
    assert exported["Key"].endswith(".jsonl.gz")
    obj = s3.get_object(Bucket="findings-export", Key=exported["Key"])
    assert (obj["ServerSideEncryption"], obj["SSEKMSKeyId"]) == ("aws:kms", key_arn)
    (line,) = gzip.decompress(obj["Body"].read()).decode().splitlines()
    assert (json.loads(line)["type"], json.loads(line)["accountId"]) == (REVERSE_SHELL, ACCOUNT)
    # A key that does not grant kms:GenerateDataKey stops publishing.
    other_key = kms.create_key(Policy=_key_policy(["kms:Decrypt"]))["KeyMetadata"]["Arn"]
    guardduty.update_publishing_destination(
        DetectorId=detector_id,
        DestinationId=destination_id,
        DestinationProperties={**properties, "KmsKeyArn": other_key},
    )
    assert status() == "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"
    # Publishing goes on without the folder object (a lifecycle rule expired it), but every
    # update checks it again, even one that changes nothing.
    s3.delete_object(Bucket="findings-export", Key="findings/")
    assert "resource folder does not exist" in _bad_request(
        lambda: guardduty.update_publishing_destination(
            DetectorId=detector_id, DestinationId=destination_id, DestinationProperties=properties
        )
    )
    guardduty.delete_publishing_destination(DetectorId=detector_id, DestinationId=destination_id)
    assert "invalid values" in _bad_request(status)


def test_publishing_destination_in_opt_in_region_needs_regional_principal(
    aws_session: boto3.Session, clean_emulator: EmulatorProcess
) -> None:
    """In a manually enabled Region GuardDuty writes as guardduty.<region>.amazonaws.com: policies
    that name only guardduty.amazonaws.com leave the destination unable to publish."""
    region = "me-south-1"

    def regional(service: str) -> Any:
        return client(aws_session, service, clean_emulator.endpoint_url, region=region)

    guardduty, s3, kms = regional("guardduty"), regional("s3"), regional("kms")
    detector_id = guardduty.create_detector(Enable=True)["DetectorId"]
    detector_arn = f"arn:aws:guardduty:{region}:{ACCOUNT}:detector/{detector_id}"
    s3.create_bucket(
        Bucket="findings-bahrain", CreateBucketConfiguration={"LocationConstraint": region}
    )
    s3.put_object(Bucket="findings-bahrain", Key="findings/", Body=b"")
    s3.put_bucket_policy(
        Bucket="findings-bahrain", Policy=_bucket_policy("findings-bahrain", detector_arn)
    )
    key_arn = kms.create_key(Policy=_key_policy(["kms:GenerateDataKey"]))["KeyMetadata"]["Arn"]
    destination_id = guardduty.create_publishing_destination(
        DetectorId=detector_id,
        DestinationType="S3",
        DestinationProperties={
            "DestinationArn": "arn:aws:s3:::findings-bahrain/findings",
            "KmsKeyArn": key_arn,
        },
    )["DestinationId"]

    def status() -> str:
        return str(
            guardduty.describe_publishing_destination(
                DetectorId=detector_id, DestinationId=destination_id
            )["Status"]
        )

    assert status() == "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"
    principal = f"guardduty.{region}.amazonaws.com"
    kms.put_key_policy(
        KeyId=key_arn,
        PolicyName="default",
        Policy=_key_policy(["kms:GenerateDataKey"], principal),
    )
    assert status() == "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"  # the bucket's still global
    s3.put_bucket_policy(
        Bucket="findings-bahrain",
        Policy=_bucket_policy("findings-bahrain", detector_arn, principal),
    )
    assert status() == "PUBLISHING"


def test_member_findings_are_exported_to_the_administrators_destination(
    aws_client: Callable[[str], Any],
    as_account: Callable[[str, str], Any],
    organization: dict[str, str],
) -> None:
    """ "all findings from associated member accounts that are generated in the current Region are
    also exported to the same location that you configured for the administrator account", under
    the member's own account in GuardDuty's folder structure."""
    security, workload = organization["security"], organization["workload"]
    aws_client("guardduty").enable_organization_admin_account(AdminAccountId=security)
    admin, s3 = as_account("guardduty", security), as_account("s3", security)
    detector_id = admin.create_detector(Enable=True)["DetectorId"]
    detector_arn = f"arn:aws:guardduty:{REGION}:{security}:detector/{detector_id}"
    s3.create_bucket(Bucket="central-findings")
    s3.put_object(Bucket="central-findings", Key="findings/", Body=b"")
    s3.put_bucket_policy(
        Bucket="central-findings",
        Policy=_bucket_policy("central-findings", detector_arn, account=security),
    )
    key = as_account("kms", security).create_key(
        Policy=_key_policy(["kms:GenerateDataKey"], account=security)
    )["KeyMetadata"]["Arn"]
    admin.create_publishing_destination(
        DetectorId=detector_id,
        DestinationType="S3",
        DestinationProperties={
            "DestinationArn": "arn:aws:s3:::central-findings/findings",
            "KmsKeyArn": key,
        },
    )
    member = as_account("guardduty", workload)
    member_detector = member.create_detector(Enable=True)["DetectorId"]
    admin.create_members(
        DetectorId=detector_id, AccountDetails=[{"AccountId": workload, "Email": "w@example.com"}]
    )
    member.create_sample_findings(DetectorId=member_detector, FindingTypes=[REVERSE_SHELL])
    folder = f"findings/AWSLogs/{workload}/GuardDuty/{REGION}/"
    (exported,) = s3.list_objects_v2(Bucket="central-findings", Prefix=folder)["Contents"]
    body = s3.get_object(Bucket="central-findings", Key=exported["Key"])["Body"].read()
    assert json.loads(gzip.decompress(body))["accountId"] == workload


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


def test_filters_take_only_the_documented_attributes_and_severity_bands(
    guardduty: Any, detector_id: str
) -> None:
    """CreateFilter: "You can only use the following attributes to query findings:" (botocore's
    model); severity takes the documented bands, High is ["7", "8"]."""

    def create(name: str, criterion: dict[str, Any]) -> Any:
        return guardduty.create_filter(
            DetectorId=detector_id,
            Name=name,
            Action="ARCHIVE",
            Rank=len(guardduty.list_filters(DetectorId=detector_id)["FilterNames"]) + 1,
            FindingCriteria={"Criterion": criterion},
        )

    # A typo, and an attribute ListFindings takes but filters do not.
    message = _bad_request(
        lambda: create(
            "typo",
            {
                "resource.ecsClusterDetails.clusterName": {"Equals": ["ci"]},
                "service.archived": {"Equals": ["false"]},
                "type": {"Equals": [NEW_BINARY]},
            },
        )
    )
    assert "resource.ecsClusterDetails.clusterName, service.archived" in message
    assert guardduty.list_filters(DetectorId=detector_id)["FilterNames"] == []
    create("high", {"severity": {"Equals": ["7", "8"]}, "resource.resourceType": {"Neq": ["x"]}})
    assert "service.archived" in _bad_request(
        lambda: guardduty.update_filter(
            DetectorId=detector_id,
            FilterName="high",
            FindingCriteria={"Criterion": {"service.archived": {"Equals": ["true"]}}},
        )
    )
    guardduty.create_sample_findings(
        DetectorId=detector_id, FindingTypes=[REVERSE_SHELL, NEW_BINARY]
    )
    archived = guardduty.list_findings(
        DetectorId=detector_id,
        FindingCriteria={"Criterion": {"service.archived": {"Eq": ["true"]}}},
    )["FindingIds"]
    # The High sample (8) is archived by the High band; the Medium one (5) is not.
    (finding,) = guardduty.get_findings(DetectorId=detector_id, FindingIds=archived)["Findings"]
    assert (finding["Type"], finding["Severity"]) == (REVERSE_SHELL, 8)
