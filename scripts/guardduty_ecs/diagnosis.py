"""What ends a command, explained: its exit code, a one-line reason and the line that names the fix.

A mistake of the user or of the environment exits 2: our own ``UserError``, and botocore's
errors about credentials, profiles, SSO sessions, Regions, endpoints and permissions. A failed
check exits 1. Anything else is a bug: exit 3, with a hint to rerun for the traceback.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConfigNotFound,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    InvalidConfigError,
    InvalidRegionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ProxyConnectionError,
    ReadTimeoutError,
    SSLError,
    SSOError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
    UnknownEndpointError,
)

from guardduty_ecs.aws import API_TIMEOUT_VARIABLE, MAX_ATTEMPTS_VARIABLE, Timeouts, timeouts
from guardduty_ecs.errors import (
    DEBUG_VARIABLE,
    EXIT_CHECK_FAILED,
    EXIT_UNEXPECTED,
    EXIT_USER_ERROR,
    CheckFailed,
    UserError,
)
from guardduty_ecs.regions import REGION_FIX

PROFILE_FIX = "pass --profile NAME (or set AWS_PROFILE)"
SSO_FIX = f"run `aws sso login --profile NAME`, then {PROFILE_FIX}"
CREDENTIALS_FIX = (
    f"{SSO_FIX}; or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)"
)
PERMISSIONS_FIX = (
    "give this identity the IAM actions of the command's section of docs/permissions.md, or "
    f"{PROFILE_FIX} for one that has them"
)

# ClientError codes, by what the user does about them: (codes, what happened, the fix).
CLIENT_ERRORS: tuple[tuple[frozenset[str], str, str], ...] = (
    (
        frozenset({"ExpiredToken", "ExpiredTokenException"}),
        "the AWS credentials have expired",
        SSO_FIX,
    ),
    (
        frozenset(
            {
                "InvalidClientTokenId",
                "UnrecognizedClientException",
                "InvalidAccessKeyId",
                "SignatureDoesNotMatch",
                "InvalidSignatureException",
                "IncompleteSignature",
                "AuthFailure",
                "MissingAuthenticationToken",
            }
        ),
        "AWS does not accept these credentials",
        f"check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or {PROFILE_FIX}; in an opt-in "
        "Region, enable the Region for the account first",
    ),
    (
        frozenset({"RequestExpired", "RequestTimeTooSkewed"}),
        "AWS refused the request's time",
        "set this machine's clock right (NTP)",
    ),
    (
        frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden"}),
        "AWS denied the request",
        PERMISSIONS_FIX,
    ),
    (
        frozenset({"OptInRequired", "SubscriptionRequiredException"}),
        "the account cannot use this service here",
        "enable the Region for the account, or choose another with --region",
    ),
    (
        frozenset(
            {
                "Throttling",
                "ThrottlingException",
                "TooManyRequestsException",
                "RequestLimitExceeded",
            }
        ),
        "AWS throttled the requests",
        f"retry later, or raise {MAX_ATTEMPTS_VARIABLE}",
    ),
    (
        frozenset(
            {
                "ServiceUnavailable",
                "ServiceUnavailableException",
                "InternalFailure",
                "InternalError",
                "InternalServerError",
                "InternalServerErrorException",
            }
        ),
        "AWS could not answer",
        "retry later; https://health.aws.amazon.com shows AWS's outages",
    ),
)
DENIED, UNAVAILABLE = CLIENT_ERRORS[3], CLIENT_ERRORS[6]


def _client_error(error: ClientError) -> list[str] | None:
    """The reason and fix of a ClientError the user or the environment can act on."""
    details = error.response.get("Error", {})
    code = str(details.get("Code", ""))
    message = str(details.get("Message", "")).strip()
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    said = f"{error.operation_name}: {code}" + (f": {message}" if message else "")
    rule = next((rule for rule in CLIENT_ERRORS if code in rule[0]), None)
    if rule is None and (code.startswith("AccessDenied") or status == 403):
        rule = DENIED
    if rule is None and isinstance(status, int) and status >= 500:
        rule = UNAVAILABLE
    if rule is None:
        return None
    _, what, fix = rule
    attempts = f", {_limits().attempts} attempts" if rule in CLIENT_ERRORS[5:] else ""
    return [f"{what}{attempts} ({said})", f"fix: {fix}"]


def _endpoint_fix() -> str:
    configured = os.environ.get("AWS_ENDPOINT_URL")
    endpoint = f"AWS_ENDPOINT_URL (now {configured})" if configured else "AWS_ENDPOINT_URL"
    return f"fix: check the network, the proxy (HTTPS_PROXY) and {endpoint}"


def _limits() -> Timeouts:
    try:
        return timeouts()
    except UserError:  # a wrong variable is reported where the clients are made
        return timeouts({})


def _timed_out(error: BotoCoreError) -> list[str]:
    limits = _limits()
    endpoint = error.kwargs.get("endpoint_url", "the endpoint")
    return [
        f"no answer from {endpoint} within {limits.read:g}s, {limits.attempts} attempts",
        f"{_endpoint_fix()}; {API_TIMEOUT_VARIABLE} sets the timeout",
    ]


def _unreachable(error: BotoCoreError) -> list[str]:
    return [f"cannot connect, {_limits().attempts} attempts: {error}", _endpoint_fix()]


# botocore errors, by what the user does about them: (classes, the reason and the fix).
BOTOCORE_ERRORS: tuple[tuple[tuple[type[BotoCoreError], ...], Callable[[Any], list[str]]], ...] = (
    (
        (ProfileNotFound,),
        lambda error: [
            f"{error} (in ~/.aws/config or ~/.aws/credentials)",
            f"fix: `aws configure list-profiles` lists them; {PROFILE_FIX}",
        ],
    ),
    (
        (TokenRetrievalError, SSOTokenLoadError, UnauthorizedSSOTokenError),
        lambda error: [f"the AWS SSO session is missing or expired: {error}", f"fix: {SSO_FIX}"],
    ),
    (
        (SSOError, CredentialRetrievalError, InvalidConfigError, ConfigNotFound),
        lambda error: [
            f"the profile's credentials could not be loaded: {error}",
            f"fix: check the profile in ~/.aws/config, or {PROFILE_FIX}",
        ],
    ),
    (
        (NoCredentialsError,),
        lambda error: ["no AWS credentials found", f"fix: {CREDENTIALS_FIX}"],
    ),
    (
        (PartialCredentialsError,),
        lambda error: [
            f"incomplete AWS credentials: {error}",
            "fix: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or unset both and "
            f"{PROFILE_FIX}",
        ],
    ),
    (
        (NoRegionError, InvalidRegionError, UnknownEndpointError),
        lambda error: [f"no usable AWS Region: {error}", f"fix: {REGION_FIX}"],
    ),
    ((ReadTimeoutError, ConnectionClosedError), _timed_out),
    ((EndpointConnectionError, ConnectTimeoutError, ProxyConnectionError), _unreachable),
    (
        (SSLError,),
        lambda error: [
            f"TLS failed: {error}",
            "fix: check AWS_CA_BUNDLE and the proxy's certificate",
        ],
    ),
)


def _botocore_error(error: BotoCoreError) -> list[str] | None:
    """The reason and fix of a botocore error the user or the environment can act on."""
    explain = next((rule for classes, rule in BOTOCORE_ERRORS if isinstance(error, classes)), None)
    return explain(error) if explain else None


def diagnosis(error: BaseException) -> tuple[int, list[str]]:
    """The exit code of an error that ended a command, and the lines that explain it: the
    reason first, then the fix (or, for a bug, the hint)."""
    if isinstance(error, UserError):
        return EXIT_USER_ERROR, [str(error)] + ([f"fix: {error.fix}"] if error.fix else [])
    if isinstance(error, CheckFailed):
        return EXIT_CHECK_FAILED, [str(error)]
    known = (
        _client_error(error)
        if isinstance(error, ClientError)
        else _botocore_error(error)
        if isinstance(error, BotoCoreError)
        else None
    )
    if known:
        return EXIT_USER_ERROR, known
    lines = [f"unexpected error: {type(error).__name__}: {error}"]
    if os.environ.get(DEBUG_VARIABLE):
        traceback.print_exception(error)
    else:
        lines.append(f"hint: rerun with {DEBUG_VARIABLE}=1 for the traceback")
    return EXIT_UNEXPECTED, lines
