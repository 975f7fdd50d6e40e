"""KMS key state changes by key ARN.

AWS accepts a key ID or a key ARN for DisableKey, EnableKey, ScheduleKeyDeletion and
CancelKeyDeletion (KMS API reference, DisableKey ``KeyId``: "Specify the key ID or key ARN of the
KMS key."); moto 5.2.5 looks the argument up as a raw key ID and fails with an internal
error for an ARN. Operator commands pass the ARNs that Terraform outputs, so the emulator accepts
both, as AWS does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.kms.models import KmsBackend

_BY_KEY_ID = ("disable_key", "enable_key", "schedule_key_deletion", "cancel_key_deletion")


def _accepting_arns(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: KmsBackend, key_id: str, *args: Any, **kwargs: Any) -> Any:
        return method(self, KmsBackend.get_key_id(key_id), *args, **kwargs)

    return wrapper


def install() -> None:
    """Let moto's key state operations take key ARNs."""
    for name in _BY_KEY_ID:
        setattr(KmsBackend, name, _accepting_arns(getattr(KmsBackend, name)))
