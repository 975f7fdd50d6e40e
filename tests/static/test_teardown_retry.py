"""The ecs-fargate teardown waits while GuardDuty's security group is still in use."""

from __future__ import annotations

from types import ModuleType

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.static


class _Group:
    """delete_security_group answers with the given error codes, then succeeds."""

    def __init__(self, *codes: str) -> None:
        self.codes = list(codes)
        self.calls = 0

    def delete_security_group(self, GroupId: str) -> None:
        self.calls += 1
        if self.codes:
            code = self.codes.pop(0)
            raise ClientError({"Error": {"Code": code, "Message": code}}, "DeleteSecurityGroup")


def test_a_group_still_in_use_is_retried_until_deleted(teardown_script: ModuleType) -> None:
    ec2 = _Group("DependencyViolation", "DependencyViolation")
    assert teardown_script._delete_group(ec2, "sg-1", deadline=1e18, poll_seconds=0) is True
    assert ec2.calls == 3


def test_a_group_already_gone_is_success(teardown_script: ModuleType) -> None:
    ec2 = _Group("InvalidGroup.NotFound")
    assert teardown_script._delete_group(ec2, "sg-1", deadline=1e18, poll_seconds=0) is False


def test_other_errors_and_the_deadline_end_the_wait(teardown_script: ModuleType) -> None:
    script = teardown_script
    with pytest.raises(ClientError, match="UnauthorizedOperation"):
        script._delete_group(_Group("UnauthorizedOperation"), "sg-1", 1e18, 0)
    with pytest.raises(ClientError, match="DependencyViolation"):
        script._delete_group(_Group("DependencyViolation"), "sg-1", deadline=0, poll_seconds=0)
