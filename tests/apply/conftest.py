"""Fixtures of the apply layer: private deployments, and sessions in other accounts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest

from guardduty_ecs.aws import client
from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_bench.terraform import TerraformSettings, stage_tree
from guardduty_ecs_emulator import EmulatorProcess


@pytest.fixture(scope="module")
def private_workbench(
    tmp_path_factory: pytest.TempPathFactory,
    terraform_settings: TerraformSettings,
    repo_root: Path,
) -> Iterator[Workbench]:
    """A staged tree and an emulator of its own, for one test module's shared deployment.

    Other tests reset the session's emulator; a deployment that lives across several tests must
    not be reset under them.
    """
    with EmulatorProcess(log_dir=tmp_path_factory.mktemp("private-emulator")) as emulator:
        root = stage_tree(tmp_path_factory.mktemp("private-tree"), repo_root)
        environment = terraform_settings.environment(emulator.environment())
        yield Workbench(root, terraform_settings, environment)


@pytest.fixture
def account_session(
    aws_session: boto3.Session, clean_emulator: EmulatorProcess
) -> Callable[[str], boto3.Session]:
    """A session in another account of the emulator, by assuming a role there: moto answers
    each request in the account of the role whose credentials signed it, as AWS does."""

    def assume(account: str) -> boto3.Session:
        sts = client(aws_session, "sts", clean_emulator.endpoint_url)
        credentials = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
            RoleSessionName="guardduty-ecs-tests",
        )["Credentials"]
        return boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=aws_session.region_name,
        )

    return assume
