"""make test-aws picks the account of the standard AWS variables, or says what is missing."""

from __future__ import annotations

import os

import pytest

from guardduty_ecs_bench.harness import NoAccountError, account_environment, selected_backend

pytestmark = pytest.mark.static

NO_FILES = {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


def test_the_emulator_is_the_default_and_typos_are_refused() -> None:
    assert selected_backend({}) == "emulator"
    assert selected_backend({"GUARDDUTY_ECS_TEST_BACKEND": "aws"}) == "aws"
    with pytest.raises(ValueError, match="must be emulator or aws"):
        selected_backend({"GUARDDUTY_ECS_TEST_BACKEND": "AWS-prod"})


@pytest.mark.parametrize(
    ("environment", "missing"),
    [
        ({**NO_FILES, "AWS_REGION": "eu-west-1"}, "no AWS credentials"),
        ({**NO_FILES, "AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s"}, "no AWS region"),
        ({**NO_FILES, "AWS_PROFILE": "nobody", "AWS_REGION": "eu-west-1"}, "nobody"),
    ],
    ids=["no_credentials", "no_region", "unknown_profile"],
)
def test_missing_account_settings_are_named(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], missing: str
) -> None:
    # boto3 also reads this process's environment and files: only the case's variables count,
    # and no instance metadata service (there is none in CI, and boto3 would wait for it).
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in {**NO_FILES, "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(NoAccountError, match=missing):
        account_environment({**environment, "AWS_EC2_METADATA_DISABLED": "true"})


def test_the_account_environment_never_points_at_an_emulator() -> None:
    environment = account_environment(
        {
            **NO_FILES,
            "AWS_ACCESS_KEY_ID": "AKIA",
            "AWS_SECRET_ACCESS_KEY": "s",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
        }
    )
    assert "AWS_ENDPOINT_URL" not in environment
    assert environment["AWS_REGION"] == "eu-west-1"
