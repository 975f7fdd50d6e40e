"""The emulator's GuardDuty extension behaves like the API where the module relies on it."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from guardduty_ecs.aws import read_detector

pytestmark = pytest.mark.emulator


@pytest.fixture
def guardduty(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("guardduty")


def _runtime_monitoring(**agents: str) -> dict[str, Any]:
    """The RUNTIME_MONITORING feature of an UpdateDetector request, agents in the given order."""
    return {
        "Name": "RUNTIME_MONITORING",
        "Status": "ENABLED",
        "AdditionalConfiguration": [
            {"Name": name, "Status": status} for name, status in agents.items()
        ],
    }


def test_feature_updates_merge_by_name(guardduty) -> None:
    detector_id = guardduty.create_detector(Enable=True)["DetectorId"]
    guardduty.update_detector(
        DetectorId=detector_id,
        Features=[
            _runtime_monitoring(
                ECS_FARGATE_AGENT_MANAGEMENT="ENABLED", EC2_AGENT_MANAGEMENT="DISABLED"
            )
        ],
    )
    guardduty.update_detector(
        DetectorId=detector_id, Features=[{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}]
    )
    guardduty.update_detector(
        DetectorId=detector_id, Features=[_runtime_monitoring(EC2_AGENT_MANAGEMENT="ENABLED")]
    )
    detector = read_detector(guardduty, detector_id)
    assert detector.features == {"RUNTIME_MONITORING": "ENABLED", "S3_DATA_EVENTS": "ENABLED"}
    assert detector.additional_configuration["RUNTIME_MONITORING"] == {
        "ECS_FARGATE_AGENT_MANAGEMENT": "ENABLED",
        "EC2_AGENT_MANAGEMENT": "ENABLED",
    }


PROTECTION_PLANS = [
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "LAMBDA_NETWORK_LOGS",
]


def test_feature_updates_sent_at_once_all_land(guardduty) -> None:
    """The provider updates each feature in a request of its own, in parallel (one
    aws_guardduty_detector_feature each); AWS applies each request whole and loses none. The
    emulator's server answers on threads, so two merges must not interleave. Several rounds,
    because a lost update needs two requests to meet."""
    for _ in range(8):
        detector_id = guardduty.create_detector(Enable=True)["DetectorId"]

        def enable(name: str, detector_id: str = detector_id) -> None:
            guardduty.update_detector(
                DetectorId=detector_id, Features=[{"Name": name, "Status": "ENABLED"}]
            )

        with ThreadPoolExecutor(max_workers=len(PROTECTION_PLANS)) as pool:
            list(pool.map(enable, PROTECTION_PLANS))
        features = read_detector(guardduty, detector_id).features
        assert {name: features.get(name) for name in PROTECTION_PLANS} == dict.fromkeys(
            PROTECTION_PLANS, "ENABLED"
        )
        guardduty.delete_detector(DetectorId=detector_id)


def test_get_detector_lists_features_in_aws_order_not_the_requests(guardduty) -> None:
    """AWS orders RUNTIME_MONITORING's additional configuration itself (provider issue 36400);
    a module that sends another order is replaced on every apply, and only an emulator that
    reorders as AWS does shows it."""
    detector_id = guardduty.create_detector(Enable=True)["DetectorId"]
    guardduty.update_detector(
        DetectorId=detector_id,
        Features=[
            _runtime_monitoring(
                EC2_AGENT_MANAGEMENT="DISABLED",
                ECS_FARGATE_AGENT_MANAGEMENT="ENABLED",
                EKS_ADDON_MANAGEMENT="DISABLED",
            ),
            {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
        ],
    )
    features = guardduty.get_detector(DetectorId=detector_id)["Features"]
    assert [feature["Name"] for feature in features] == ["S3_DATA_EVENTS", "RUNTIME_MONITORING"]
    assert [configuration["Name"] for configuration in features[1]["AdditionalConfiguration"]] == [
        "EKS_ADDON_MANAGEMENT",
        "ECS_FARGATE_AGENT_MANAGEMENT",
        "EC2_AGENT_MANAGEMENT",
    ]


@pytest.mark.parametrize(
    ("features", "message"),
    [
        (
            [
                {"Name": "RUNTIME_MONITORING", "Status": "ENABLED"},
                {"Name": "EKS_RUNTIME_MONITORING", "Status": "ENABLED"},
            ],
            "cannot be configured in the same request",
        ),
        (
            [
                {
                    "Name": "S3_DATA_EVENTS",
                    "Status": "ENABLED",
                    "AdditionalConfiguration": [
                        {"Name": "EC2_AGENT_MANAGEMENT", "Status": "ENABLED"}
                    ],
                }
            ],
            "not supported for feature S3_DATA_EVENTS",
        ),
    ],
    ids=["runtime_and_eks_runtime_together", "configuration_of_another_feature"],
)
def test_requests_that_aws_rejects_are_rejected(guardduty, features, message) -> None:
    detector_id = guardduty.create_detector(Enable=True)["DetectorId"]
    with pytest.raises(ClientError) as failure:
        guardduty.update_detector(DetectorId=detector_id, Features=features)
    assert failure.value.response["Error"]["Code"] == "BadRequestException"
    assert message in failure.value.response["Error"]["Message"]
    assert read_detector(guardduty, detector_id).features == {}, "nothing half-applied"


def test_key_state_changes_accept_key_arns(aws_client: Callable[[str], Any]) -> None:
    """AWS takes a key ARN wherever it takes a key ID; moto 5.2.5 fails for these four."""
    kms = aws_client("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]

    def state() -> str:
        return kms.describe_key(KeyId=key_arn)["KeyMetadata"]["KeyState"]

    kms.disable_key(KeyId=key_arn)
    assert state() == "Disabled"
    kms.enable_key(KeyId=key_arn)
    assert state() == "Enabled"
    kms.schedule_key_deletion(KeyId=key_arn, PendingWindowInDays=7)
    assert state() == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=key_arn)
    assert state() == "Disabled"


def test_bucket_policy_denies_only_whom_and_when_it_says(aws_client: Callable[[str], Any]) -> None:
    """A Deny of a bucket policy applies to its principals and under its conditions; moto 5.2.6
    read every Deny as one for every caller, and refused the account's own uploads."""
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="policy-checked")
    objects = "arn:aws:s3:::policy-checked/*"

    def deny(sid: str, principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
        statement = {"Sid": sid, "Effect": "Deny", "Principal": principal, "Action": "s3:*"}
        return {**statement, "Resource": objects, **({"Condition": condition} if condition else {})}

    statements = [
        deny("TlsOnly", "*", {"Bool": {"aws:SecureTransport": "false"}}),
        deny("GuardDutyOnlyEncrypted", {"Service": "guardduty.amazonaws.com"}),
    ]
    policy = {"Version": "2012-10-17", "Statement": statements}
    s3.put_bucket_policy(Bucket="policy-checked", Policy=json.dumps(policy))
    s3.put_object(Bucket="policy-checked", Key="folder/", Body=b"")
    assert s3.head_object(Bucket="policy-checked", Key="folder/")["ContentLength"] == 0
    statements.append(deny("NobodyWrites", "*"))
    policy = {"Version": "2012-10-17", "Statement": statements}
    s3.put_bucket_policy(Bucket="policy-checked", Policy=json.dumps(policy))
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket="policy-checked", Key="other/", Body=b"")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
