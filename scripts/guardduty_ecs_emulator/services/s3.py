"""Bucket policies on object requests, read as IAM reads them, for the emulator (a test backend).

moto 5.2.6 checks a bucket's policy on object requests (GET, PUT, HEAD and DELETE of a key, and
each key of DeleteObjects; ``FakeBucket.get_permission``) with an evaluator that reads neither
``Principal`` nor ``Condition``: every Deny statement denies every caller. The findings export's
bucket policy holds the user guide's Deny statements for GuardDuty's uploads (``Principal``
``guardduty.amazonaws.com``, conditioned on the encryption headers) and a TLS-only denial
(``"Bool": {"aws:SecureTransport": "false"}``), so moto refused Terraform's own PutObject and
HeadObject of the prefix's folder object with 403, which AWS accepts.

The emulator decides with its policy evaluator (``services/iam.py``) instead:

- "An explicit deny in any policy overrides any allows" (IAM user guide, "Policy evaluation
  logic"): DENIED when a Deny statement applies, PERMITTED when an Allow applies, NEUTRAL (left
  to the caller's identity, which the emulator allows) otherwise.
- A statement applies only to its principals: the caller here is an identity of the bucket's own
  account (moto's server serves one caller at a time and passes no identity to this check:
  **chosen**), never a service principal such as ``guardduty.amazonaws.com``, whose own writes the
  emulator judges where the service writes
  (``services/guardduty/detection_controls/publishing_destinations.py``).
- The request context: "the ``aws:SourceAccount`` condition key is only available when the call to
  your resource is made directly by an AWS service principal" (IAM user guide, "AWS global
  condition context keys"), so it and the other service keys are absent. ``aws:SecureTransport``
  is ``true``: the provider and the SDKs reach AWS over HTTPS and this stand-in over plain HTTP
  only because it listens on 127.0.0.1 (**chosen**).
"""

from __future__ import annotations

from typing import Any

from moto.iam.access_control import PermissionResult
from moto.s3.models import FakeBucket

from guardduty_ecs_emulator.services import iam

# The request context of a caller of the emulator (see the module docstring).
CALLER_CONTEXT = {"aws:SecureTransport": "true"}


def _get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    """The bucket policy's verdict on ``action`` on ``resource`` for a caller of the bucket's
    own account, as moto's ``PermissionResult``."""
    if self.policy is None:
        return PermissionResult.NEUTRAL
    policy = self.policy.decode() if isinstance(self.policy, bytes) else self.policy
    request = iam.Request(
        action, resource, principal_account=self.account_id, context=dict(CALLER_CONTEXT)
    )
    if iam.denies(policy, request):
        return PermissionResult.DENIED
    if iam.decide(policy, request):
        return PermissionResult.PERMITTED
    return PermissionResult.NEUTRAL


def install() -> None:
    """Let moto's object requests read bucket policies with their principals and conditions."""
    FakeBucket.get_permission = _get_permission  # type: ignore[method-assign]
