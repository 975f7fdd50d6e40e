"""The delegated administrator, the organization configuration and the members: the state
kept on the administrator's detector (``core.state.state_of``) and the rules that change it (see
the package's docstring for the AWS sources).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.guardduty.models import Detector, GuardDutyBackend, guardduty_backends
from moto.organizations.models import organizations_backends

from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.state import state_of
from guardduty_ecs_emulator.services.guardduty.features import (
    ADDITIONAL_CONFIGURATION_ORDER,
    FEATURE_ADDITIONAL_CONFIGURATIONS,
    FEATURE_ORDER,
)

ENABLED, CREATED, INVITED, REMOVED = "Enabled", "Created", "Invited", "Removed"
AUTO_ENABLE_MEMBERS = ("NEW", "ALL", "NONE")
# AWS General Reference, "Amazon GuardDuty endpoints and quotas" (see the package's docstring).
MEMBER_LIMIT = 50_000
INVITATION_MEMBER_LIMIT = 5_000
MANAGEMENT_ACCOUNT_WITHOUT_GUARDDUTY = (
    "Operation failed because your organization master must first enable GuardDuty to be added "
    "as a member"
)
NOT_ASSOCIATED_YET = (
    "The request is rejected because the given account ID is not an associated member of account "
    "the current account."
)
# How long a new organization member answers NOT_ASSOCIATED_YET (see the package's docstring).
MEMBER_ASSOCIATION_VARIABLE = "GUARDDUTY_ECS_EMULATOR_MEMBER_ASSOCIATION_SECONDS"
DEFAULT_MEMBER_ASSOCIATION_SECONDS = 2.0
MEMBER_ASSOCIATION_DELAY = [timedelta(seconds=DEFAULT_MEMBER_ASSOCIATION_SECONDS)]
ALREADY_INVITED = (
    "The request is rejected because the current account has already invited or is already the "
    "GuardDuty master of the given member account ID."
)
NOT_A_MEMBER = (
    "The request is rejected because the given account ID is not a member of the account."
)
NOT_ADMIN = (
    "The request is rejected because the current account is not the GuardDuty delegated "
    "administrator of the organization in this Region."
)
# Legacy data sources and the features they stand for (chosen mapping, see the package's docstring).
DATA_SOURCE_FEATURES = {
    "s3Logs": "S3_DATA_EVENTS",
    "kubernetes": "EKS_AUDIT_LOGS",
    "malwareProtection": "EBS_MALWARE_PROTECTION",
}


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _ordered(items: list[dict[str, Any]], order: tuple[str, ...]) -> list[dict[str, Any]]:
    return sorted(
        items, key=lambda item: order.index(item["name"]) if item["name"] in order else len(order)
    )


# --------------------------------------------------------------------------------------------
# Organizations
# --------------------------------------------------------------------------------------------


def organization_of(account_id: str) -> tuple[str, set[str]] | None:
    """The management account and the account IDs of the organization ``account_id`` is in."""
    if account_id in organizations_backends.master_accounts:
        management, partition = organizations_backends.master_accounts[account_id]
    else:
        management, partition = account_id, "aws"
    backend = organizations_backends[management][partition]
    if backend.org is None:
        return None
    return management, {account.id for account in backend.accounts}


def administrator_of_organization(management: str, region: str) -> str | None:
    admins = guardduty_backends[management][region].admin_account_ids
    return admins[0] if admins else None


def delegated_administrator(account_id: str, region: str) -> str | None:
    """The delegated GuardDuty administrator of the organization of ``account_id`` in ``region``."""
    organization = organization_of(account_id)
    if organization is None:
        return None
    return administrator_of_organization(organization[0], region)


def members_of(detector: Detector) -> dict[str, dict[str, Any]]:
    return state_of(detector, "members", dict)


def member_account_ids(admin_account_id: str, region: str) -> list[str]:
    """The account IDs that are members (relationship Enabled) of that administrator's detector
    in that region, sorted."""
    with LOCK:
        return sorted(
            {
                account_id
                for detector in guardduty_backends[admin_account_id][region].detectors.values()
                for account_id, member in members_of(detector).items()
                if member["relationshipStatus"] == ENABLED
            }
        )


def administrator_account_of(member_account_id: str, region: str) -> str | None:
    """The account whose detector has ``member_account_id`` as an Enabled member, if any."""
    with LOCK:
        for account_id, regions in list(guardduty_backends.items()):
            if account_id == member_account_id or region not in regions:
                continue
            for detector in regions[region].detectors.values():
                member = members_of(detector).get(member_account_id)
                if member and member["relationshipStatus"] == ENABLED:
                    return account_id
    return None


# --------------------------------------------------------------------------------------------
# Admin account
# --------------------------------------------------------------------------------------------


def enable_organization_admin_account(self: GuardDutyBackend, admin_account_id: str) -> None:
    backend_org = organizations_backends[self.account_id]["aws"].org
    if backend_org is None:
        raise BadRequestException(
            "The request is rejected because the current account is not the management account "
            "of an organization."
        )
    organization = organization_of(self.account_id)
    assert organization is not None
    if admin_account_id not in organization[1]:
        raise BadRequestException(
            f"The request is rejected because the account {admin_account_id} is not a member of "
            "the organization."
        )
    with LOCK:
        current = self.admin_account_ids
        if current and current[0] != admin_account_id:
            raise BadRequestException(
                "The request is rejected because the organization already has a delegated "
                f"administrator account ({current[0]})."
            )
        # The same delegated administrator in every Region (user guide, see the package's
        # docstring).
        for region, backend in list(guardduty_backends[self.account_id].items()):
            other = backend.admin_account_ids[0] if backend.admin_account_ids else None
            if other is not None and other != admin_account_id:
                raise BadRequestException(
                    f"The request is rejected because account {other} is the organization's "
                    f"delegated administrator in {region}: the delegated administrator must be "
                    "the same account in every Region."
                )
        if not current:
            current.append(admin_account_id)


def get_administrator_account(self: GuardDutyBackend, detector_id: str) -> dict[str, Any]:
    self.get_detector(detector_id)
    with LOCK:
        for account_id, regions in list(guardduty_backends.items()):
            if account_id == self.account_id or self.region_name not in regions:
                continue
            for detector in regions[self.region_name].detectors.values():
                member = members_of(detector).get(self.account_id)
                if member and member["relationshipStatus"] != REMOVED:
                    administrator = {
                        "accountId": account_id,
                        "relationshipStatus": member["relationshipStatus"],
                    }
                    if member.get("invitedAt"):
                        administrator["invitedAt"] = member["invitedAt"]
                    return {"administrator": administrator}
    return {}


# --------------------------------------------------------------------------------------------
# Organization configuration
# --------------------------------------------------------------------------------------------


def _org_config(detector: Detector) -> dict[str, Any]:
    return state_of(
        detector, "organization_configuration", lambda: {"members": "NONE", "features": []}
    )


def merge_organization_features(
    current: list[dict[str, Any]], requested: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The organization's features after ``requested``: merged by name, in AWS's order."""
    merged = {feature["name"]: dict(feature) for feature in current}
    for request in requested:
        name = request.get("name")
        if name not in FEATURE_ADDITIONAL_CONFIGURATIONS:
            raise BadRequestException(f"The request is rejected because feature {name} is invalid.")
        feature = merged.setdefault(name, {"name": name, "autoEnable": "NONE"})
        if "autoEnable" in request:
            if request["autoEnable"] not in AUTO_ENABLE_MEMBERS:
                raise BadRequestException(
                    f"The request is rejected because autoEnable of {name} is invalid."
                )
            feature["autoEnable"] = request["autoEnable"]
        configurations = {c["name"]: dict(c) for c in feature.get("additionalConfiguration", [])}
        for configuration in request.get("additionalConfiguration") or []:
            config_name = configuration.get("name")
            if config_name not in FEATURE_ADDITIONAL_CONFIGURATIONS[name]:
                raise BadRequestException(
                    f"The request is rejected because additional configuration {config_name} "
                    f"is not supported for feature {name}."
                )
            if configuration.get("autoEnable") not in AUTO_ENABLE_MEMBERS:
                raise BadRequestException(
                    f"The request is rejected because autoEnable of {config_name} is invalid."
                )
            configurations[config_name] = {
                "name": config_name,
                "autoEnable": configuration["autoEnable"],
            }
        if configurations:
            feature["additionalConfiguration"] = _ordered(
                list(configurations.values()), ADDITIONAL_CONFIGURATION_ORDER
            )
    return _ordered(list(merged.values()), FEATURE_ORDER)


def _data_source_features(data_sources: dict[str, Any]) -> list[dict[str, Any]]:
    def auto(flag: Any) -> str:
        return "NEW" if flag else "NONE"

    features = []
    if "s3Logs" in data_sources:
        features.append(
            {"name": "S3_DATA_EVENTS", "autoEnable": auto(data_sources["s3Logs"].get("autoEnable"))}
        )
    audit = (data_sources.get("kubernetes") or {}).get("auditLogs")
    if audit is not None:
        features.append({"name": "EKS_AUDIT_LOGS", "autoEnable": auto(audit.get("autoEnable"))})
    malware = (data_sources.get("malwareProtection") or {}).get("scanEc2InstanceWithFindings")
    ebs = (malware or {}).get("ebsVolumes")
    if ebs is not None:
        features.append(
            {"name": "EBS_MALWARE_PROTECTION", "autoEnable": auto(ebs.get("autoEnable"))}
        )
    return features


def describe_organization_configuration(detector: Detector) -> dict[str, Any]:
    with LOCK:
        config = json.loads(json.dumps(_org_config(detector)))
        member_count = len(members_of(detector))
    on = {f["name"]: f["autoEnable"] != "NONE" for f in config["features"]}
    return {
        "autoEnable": config["members"] != "NONE",
        "autoEnableOrganizationMembers": config["members"],
        "memberAccountLimitReached": member_count >= MEMBER_LIMIT,
        "dataSources": {
            "s3Logs": {"autoEnable": on.get("S3_DATA_EVENTS", False)},
            "kubernetes": {"auditLogs": {"autoEnable": on.get("EKS_AUDIT_LOGS", False)}},
            "malwareProtection": {
                "scanEc2InstanceWithFindings": {
                    "ebsVolumes": {"autoEnable": on.get("EBS_MALWARE_PROTECTION", False)}
                }
            },
        },
        "features": config["features"],
    }


def update_organization_configuration(detector: Detector, body: dict[str, Any]) -> None:
    members, auto_enable = body.get("autoEnableOrganizationMembers"), body.get("autoEnable")
    if (members is None) == (auto_enable is None):
        raise BadRequestException(
            "The request is rejected because you must provide a value for either "
            "autoEnableOrganizationMembers or autoEnable, but not both."
        )
    if members is None:
        members = "NEW" if auto_enable else "NONE"
    if members not in AUTO_ENABLE_MEMBERS:
        raise BadRequestException(
            "The request is rejected because autoEnableOrganizationMembers is invalid."
        )
    requested = _data_source_features(body.get("dataSources") or {}) + list(
        body.get("features") or []
    )
    with LOCK:
        config = _org_config(detector)
        features = merge_organization_features(config["features"], requested)
        config["members"] = members
        config["features"] = features


# --------------------------------------------------------------------------------------------
# Members
# --------------------------------------------------------------------------------------------


def unprocessed_account(account_id: str, result: str) -> dict[str, str]:
    return {"accountId": account_id, "result": result}


def _member_detector(account_id: str, region: str) -> Detector | None:
    detectors = list(guardduty_backends[account_id][region].detectors.values())
    return detectors[0] if detectors else None


def _enable_guardduty_in(account_id: str, region: str, org_features: list[dict[str, Any]]) -> None:
    """Create the member's detector with the organization's auto-enabled features."""
    if _member_detector(account_id, region) is not None:
        return
    features = [
        {
            "name": feature["name"],
            "status": "ENABLED" if feature["autoEnable"] != "NONE" else "DISABLED",
            "additionalConfiguration": [
                {
                    "name": c["name"],
                    "status": "ENABLED" if c["autoEnable"] != "NONE" else "DISABLED",
                }
                for c in feature.get("additionalConfiguration", [])
            ],
        }
        for feature in org_features
        if feature["autoEnable"] != "NONE"
    ]
    guardduty_backends[account_id][region].create_detector(True, "SIX_HOURS", {}, {}, features)


def _over_quota(members: dict[str, dict[str, Any]], in_organization: bool) -> bool:
    """Whether one more member, of the organization or by invitation, exceeds the quotas."""
    if len(members) >= MEMBER_LIMIT:
        return True
    invited = sum(1 for member in members.values() if not member["organization"])
    return not in_organization and invited >= INVITATION_MEMBER_LIMIT


def create_members(
    detector: Detector, account_id: str, region: str, details: list[dict[str, Any]]
) -> list[dict[str, str]]:
    organization = organization_of(account_id)
    is_admin = delegated_administrator(account_id, region) == account_id
    unprocessed, to_enable = [], []
    with LOCK:
        members = members_of(detector)
        org_features = list(_org_config(detector)["features"])
        for detail in details:
            member_id, email = detail.get("accountId"), detail.get("email")
            if member_id == account_id:
                unprocessed.append(
                    unprocessed_account(
                        member_id,
                        "The request is rejected because the current account cannot be a "
                        "member of itself.",
                    )
                )
                continue
            in_organization = bool(is_admin and organization and member_id in organization[1])
            if member_id not in members and _over_quota(members, in_organization):
                unprocessed.append(
                    unprocessed_account(
                        member_id, "The request is rejected because of the member limit."
                    )
                )
                continue
            if (
                in_organization
                and organization is not None
                and member_id == organization[0]
                and _member_detector(member_id, region) is None
            ):
                # The management account must run GuardDuty first (see the package's docstring).
                unprocessed.append(
                    unprocessed_account(member_id, MANAGEMENT_ACCOUNT_WITHOUT_GUARDDUTY)
                )
                continue
            member = members.setdefault(
                member_id,
                {
                    "accountId": member_id,
                    "masterId": account_id,
                    "administratorId": account_id,
                    "relationshipStatus": CREATED,
                    "organization": False,
                },
            )
            member["email"] = email
            member["updatedAt"] = now_iso()
            if in_organization:
                if member["relationshipStatus"] != ENABLED:
                    # Not yet associated for the member features (see the package's docstring).
                    member["_associated_at"] = CLOCK.now()
                member["relationshipStatus"] = ENABLED
                member["organization"] = True
                to_enable.append(member_id)
    for member_id in to_enable:
        _enable_guardduty_in(member_id, region, org_features)
        member_detector = _member_detector(member_id, region)
        with LOCK:
            if member_detector is not None and member_id in members_of(detector):
                members_of(detector)[member_id]["detectorId"] = member_detector.id
    return unprocessed


ORG_FEATURES = frozenset(FEATURE_ADDITIONAL_CONFIGURATIONS) - {"AI_ANALYST"}


def enabled_member(
    detector: Detector, account_id: str, region: str
) -> tuple[Detector | None, str | None]:
    member = members_of(detector).get(account_id)
    if member is None:
        return None, NOT_A_MEMBER
    if member["relationshipStatus"] != ENABLED:
        return None, "The request is rejected because the member account is not enabled."
    associated_at = member.get("_associated_at")
    if associated_at is not None and CLOCK.now() < associated_at + MEMBER_ASSOCIATION_DELAY[0]:
        # Eventually consistent right after CreateMembers (see the package's docstring).
        return None, NOT_ASSOCIATED_YET
    member_detector = _member_detector(account_id, region)
    if member_detector is None:
        return None, "The request is rejected because the member account has no detector."
    return member_detector, None


def member_association_delay(environment: Mapping[str, str]) -> timedelta:
    """The window in which a new organization member is not yet associated for its member
    features: ``GUARDDUTY_ECS_EMULATOR_MEMBER_ASSOCIATION_SECONDS`` seconds (0 or more), 2 when
    unset."""
    text = environment.get(MEMBER_ASSOCIATION_VARIABLE, "").strip()
    if not text:
        return timedelta(seconds=DEFAULT_MEMBER_ASSOCIATION_SECONDS)
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise ValueError(f"{MEMBER_ASSOCIATION_VARIABLE} must be a number of seconds >= 0: {text}")
    return timedelta(seconds=seconds)
