"""The ecs-fargate teardown waits while GuardDuty's security group is still in use."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.static


def _script(repo_root: Path) -> ModuleType:
    path = repo_root / "examples" / "ecs-fargate" / "remove_guardduty_endpoint.py"
    spec = importlib.util.spec_from_file_location("remove_guardduty_endpoint_static", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def test_a_group_still_in_use_is_retried_until_deleted(repo_root: Path) -> None:
    ec2 = _Group("DependencyViolation", "DependencyViolation")
    assert _script(repo_root)._delete_group(ec2, "sg-1", deadline=1e18, poll_seconds=0) is True
    assert ec2.calls == 3


def test_a_group_already_gone_is_success(repo_root: Path) -> None:
    ec2 = _Group("InvalidGroup.NotFound")
    assert _script(repo_root)._delete_group(ec2, "sg-1", deadline=1e18, poll_seconds=0) is False


def test_other_errors_and_the_deadline_end_the_wait(repo_root: Path) -> None:
    script = _script(repo_root)
    with pytest.raises(ClientError, match="UnauthorizedOperation"):
        script._delete_group(_Group("UnauthorizedOperation"), "sg-1", 1e18, 0)
    with pytest.raises(ClientError, match="DependencyViolation"):
        script._delete_group(_Group("DependencyViolation"), "sg-1", deadline=0, poll_seconds=0)
