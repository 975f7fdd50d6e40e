"""GuardDuty with AWS Organizations: the delegated administrator, its organization configuration
and its member accounts, for the emulator (a test backend).

moto 5.2.5 keeps a list of "admin accounts" per account and region, returns the first of them as
the administrator of *any* detector of that account, and has no members and no organization
configuration. This extension follows the GuardDuty API reference and user guide:

- EnableOrganizationAdminAccount: "Designates an Amazon Web Services account within the
  organization as your GuardDuty delegated administrator. Only the organization's management
  account can run this API operation." The caller must be the management account of an
  organization in moto's Organizations, and the account a member of it; otherwise
  ``BadRequestException``. One delegated administrator per organization, the same account in
  every Region: user guide, "Managing GuardDuty accounts with AWS Organizations" (the
  awsdocs/amazon-guardduty-user-guide copy, "An organization can have only one delegated
  administrator"): "If you have designated an account as a delegated administrator in one
  region, that account must be your delegated administrator in all other regions."; current
  guide, "Consolidating GuardDuty administrator accounts under a single organization": "Each
  organization can have only one delegated GuardDuty administrator account per Region". Another
  account than the one designated in any Region of the organization is rejected with
  ``BadRequestException`` (the only client error the API reference lists for the operation); the
  messages are **chosen** (AWS documents none). ``adminStatus`` is ``ENABLED`` at once
  (botocore's AdminStatus enum: ENABLED, DISABLE_IN_PROGRESS).
- DisableOrganizationAdminAccount removes it at once (the provider waits for it to be gone). The
  members that the administrator added through the organization go with it (chosen; AWS's page
  does not say what a member sees meanwhile).
- Describe/UpdateOrganizationConfiguration: only the delegated administrator's detector may call
  them ("Configures the delegated administrator account with the provided values. You must provide
  a value for either autoEnableOrganizationMembers or autoEnable, but not both."). ``autoEnable``
  true is ``NEW``, false is ``NONE``, and ``autoEnable`` reads ``autoEnableOrganizationMembers !=
  NONE`` (the provider's own comment: "When creating an organization configuration with
  AutoEnable=true, AWS will automatically set AutoEnableOrganizationMembers=NEW."). Features merge
  into the stored set by name, then by additional configuration name, and come back in the order
  of GetDetector (``guardduty.FEATURE_ORDER`` / ``ADDITIONAL_CONFIGURATION_ORDER``), like
  ``guardduty.merge_features``. ``dataSources`` are the legacy face of three features (chosen
  mapping: s3Logs = S3_DATA_EVENTS, kubernetes.auditLogs = EKS_AUDIT_LOGS,
  malwareProtection...ebsVolumes = EBS_MALWARE_PROTECTION; a true ``autoEnable`` is ``NEW``).
  ``memberAccountLimitReached`` is true at 50,000 members (AWS General Reference, "Amazon
  GuardDuty endpoints and quotas": "Member accounts through AWS Organizations" 50,000, "Member
  accounts by invitation" 5,000; user guide, "Managing GuardDuty accounts with AWS
  Organizations": "A delegated GuardDuty administrator account can manage a maximum of 50,000
  members."). CreateMembers leaves out, as unprocessed, a new member beyond 50,000, or a new
  member by invitation beyond 5,000 of them (wording **chosen**).
- CreateMembers: "As a delegated administrator, using CreateMembers will enable GuardDuty in the
  added member accounts, with the exception of the organization delegated administrator account"
  and "GuardDuty applies your organization's auto-enable settings to the member accounts in this
  request". A member in the administrator's organization is ``Enabled`` at once (user guide,
  "Understanding the relationship between GuardDuty administrator account and member accounts":
  "Delegated administrator accounts managed with AWS Organizations automatically enable GuardDuty
  in accounts added as members."); if it has no detector in the Region, one is created with the
  organization's features whose ``autoEnable`` is not ``NONE``. Any other account is ``Created``
  and InviteMembers makes it ``Invited`` (invitations are not accepted here: not emulated).
- The organization's management account is the exception: "Accounts added as members will have
  GuardDuty enabled in that region, with the exception of the organization management account,
  which must first enable GuardDuty before it can be added as a member account." (user guide,
  "Managing GuardDuty accounts with AWS Organizations", awsdocs/amazon-guardduty-user-guide
  copy; current guide, "Adding members to the organization": "There is an exception to the
  organization management account. Before the management account account gets added as a
  GuardDuty member, it must have GuardDuty enabled."). Without a detector of its own in the
  Region it is left out as unprocessed with the text AWS answers, quoted in
  cloudposse/terraform-aws-components#822: "Operation failed because your organization master
  must first enable GuardDuty to be added as a member". It is not stored as a member (**chosen**:
  no source shows what GetMembers answers afterwards).
- Members are eventually consistent: right after CreateMembers, UpdateMemberDetectors may leave
  the account out as unprocessed with "The request is rejected because the given account ID is
  not an associated member of account the current account." (aws-samples/aws-security-reference-
  architecture-examples#151: "The `guardduty_client.update_member_detectors` api returns below
  response randomly"; hashicorp/terraform-provider-aws#35625, "Eventual consistency": with
  ``auto_enable_organization_members = "ALL"`` "and try to use the resource for configuring member
  features, you keep hitting this"). AWS's own sample retries every 10 seconds, up to 5 times
  (``SLEEP_SECONDS = 10`` in that repository's guardduty_org Lambda). The emulator answers so for
  a window after an organization member became ``Enabled``: 2 seconds of the emulator's clock
  (``core.clock.CLOCK``, which tests move with ``advance_clock`` instead of sleeping), or the
  seconds in ``GUARDDUTY_ECS_EMULATOR_MEMBER_ASSOCIATION_SECONDS`` of the emulator's environment
  (0 turns it off). The length is **chosen** (AWS documents none), and so is answering
  GetMemberDetectors the same way in the window (no report names it; both read the same
  association).
- InviteMembers on an account already invited or enabled answers, as unprocessed, AWS's text
  quoted in the provider's source: "The request is rejected because the current account has
  already invited or is already the GuardDuty master of the given member account ID."
- DisassociateMembers sets ``Removed``; DeleteMembers forgets the member; GetMembers and
  ListMembers (``onlyAssociated``, default true: ``Enabled`` only) answer with the Member shape;
  unknown accounts are unprocessed (wording chosen).
- GetMemberDetectors / UpdateMemberDetectors read and merge (``guardduty.merge_features``) the
  features of the member account's own detector in the Region, returned in AWS's order; a member
  without a detector, or not enabled, is unprocessed (wording chosen), and so is a member in its
  association window (above).
- GetAdministratorAccount of a member answers its administrator and relationship.

Members live on the administrator's detector (``core.state.state_of``); the organization
configuration too. ``member_account_ids`` is the list that other modules use.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.guardduty import urls
from moto.guardduty.models import Detector, GuardDutyBackend, guardduty_backends
from moto.guardduty.responses import GuardDutyResponse
from moto.organizations.models import organizations_backends

from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.publishing import ADMINISTRATOR_OF
from guardduty_ecs_emulator.core.requests import detector_of, request_body
from guardduty_ecs_emulator.core.routing import add_route
from guardduty_ecs_emulator.core.state import state_of
from guardduty_ecs_emulator.services.guardduty.features import (
    ADDITIONAL_CONFIGURATION_ORDER,
    FEATURE_ADDITIONAL_CONFIGURATIONS,
    FEATURE_ORDER,
)

ENABLED, CREATED, INVITED, REMOVED = "Enabled", "Created", "Invited", "Removed"
AUTO_ENABLE_MEMBERS = ("NEW", "ALL", "NONE")
# AWS General Reference, "Amazon GuardDuty endpoints and quotas" (see the docstring).
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
# How long a new organization member answers NOT_ASSOCIATED_YET (see the docstring).
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
# Legacy data sources and the features they stand for (chosen mapping, see the docstring).
DATA_SOURCE_FEATURES = {
    "s3Logs": "S3_DATA_EVENTS",
    "kubernetes": "EKS_AUDIT_LOGS",
    "malwareProtection": "EBS_MALWARE_PROTECTION",
}


def _now_iso() -> str:
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


def _members(detector: Detector) -> dict[str, dict[str, Any]]:
    return state_of(detector, "members", dict)


def member_account_ids(admin_account_id: str, region: str) -> list[str]:
    """The account IDs that are members (relationship Enabled) of that administrator's detector
    in that region, sorted."""
    with LOCK:
        return sorted(
            {
                account_id
                for detector in guardduty_backends[admin_account_id][region].detectors.values()
                for account_id, member in _members(detector).items()
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
                member = _members(detector).get(member_account_id)
                if member and member["relationshipStatus"] == ENABLED:
                    return account_id
    return None


# --------------------------------------------------------------------------------------------
# Admin account
# --------------------------------------------------------------------------------------------


def _enable_admin(self: GuardDutyBackend, admin_account_id: str) -> None:
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
        # The same delegated administrator in every Region (user guide, see the docstring).
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


def _disable_organization_admin_account(self: GuardDutyResponse) -> str:
    admin_account_id = request_body(self).get("adminAccountId")
    backend = self.guardduty_backend
    with LOCK:
        if admin_account_id not in backend.admin_account_ids:
            raise BadRequestException(
                f"The request is rejected because {admin_account_id} is not the delegated "
                "administrator account of the organization."
            )
        backend.admin_account_ids.remove(admin_account_id)
        for detector in guardduty_backends[admin_account_id][self.region].detectors.values():
            members = _members(detector)
            for account_id in [a for a, m in members.items() if m.get("organization")]:
                del members[account_id]
    return "{}"


def _administrator(self: GuardDutyBackend, detector_id: str) -> dict[str, Any]:
    self.get_detector(detector_id)
    with LOCK:
        for account_id, regions in list(guardduty_backends.items()):
            if account_id == self.account_id or self.region_name not in regions:
                continue
            for detector in regions[self.region_name].detectors.values():
                member = _members(detector).get(self.account_id)
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


def _admin_detector(response: GuardDutyResponse) -> Detector:
    detector = detector_of(response)
    if delegated_administrator(response.current_account, response.region) != (
        response.current_account
    ):
        raise BadRequestException(NOT_ADMIN)
    return detector


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
        member_count = len(_members(detector))
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


def _describe_organization_configuration(self: GuardDutyResponse) -> str:
    return json.dumps(describe_organization_configuration(_admin_detector(self)))


def _update_organization_configuration(self: GuardDutyResponse) -> str:
    update_organization_configuration(_admin_detector(self), request_body(self))
    return "{}"


# --------------------------------------------------------------------------------------------
# Members
# --------------------------------------------------------------------------------------------


def _account_ids(body: dict[str, Any]) -> list[str]:
    ids = body.get("accountIds")
    if not isinstance(ids, list) or not ids or len(ids) > 50:
        raise BadRequestException(
            "The request is rejected because accountIds must be a list of 1 to 50 account IDs."
        )
    return list(dict.fromkeys(ids))


def _unprocessed(account_id: str, result: str) -> dict[str, str]:
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
        members = _members(detector)
        org_features = list(_org_config(detector)["features"])
        for detail in details:
            member_id, email = detail.get("accountId"), detail.get("email")
            if member_id == account_id:
                unprocessed.append(
                    _unprocessed(
                        member_id,
                        "The request is rejected because the current account cannot be a "
                        "member of itself.",
                    )
                )
                continue
            in_organization = bool(is_admin and organization and member_id in organization[1])
            if member_id not in members and _over_quota(members, in_organization):
                unprocessed.append(
                    _unprocessed(member_id, "The request is rejected because of the member limit.")
                )
                continue
            if (
                in_organization
                and organization is not None
                and member_id == organization[0]
                and _member_detector(member_id, region) is None
            ):
                # The management account must run GuardDuty first (see the docstring).
                unprocessed.append(_unprocessed(member_id, MANAGEMENT_ACCOUNT_WITHOUT_GUARDDUTY))
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
            member["updatedAt"] = _now_iso()
            if in_organization:
                if member["relationshipStatus"] != ENABLED:
                    # Not yet associated for the member features (see the docstring).
                    member["_associated_at"] = CLOCK.now()
                member["relationshipStatus"] = ENABLED
                member["organization"] = True
                to_enable.append(member_id)
    for member_id in to_enable:
        _enable_guardduty_in(member_id, region, org_features)
        member_detector = _member_detector(member_id, region)
        with LOCK:
            if member_detector is not None and member_id in _members(detector):
                _members(detector)[member_id]["detectorId"] = member_detector.id
    return unprocessed


def _member_json(member: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in member.items()
        if key != "organization" and not key.startswith("_")
    }


def _create_members(self: GuardDutyResponse) -> str:
    details = request_body(self).get("accountDetails")
    if not isinstance(details, list) or not details:
        raise BadRequestException("The request is rejected because accountDetails is empty.")
    unprocessed = create_members(detector_of(self), self.current_account, self.region, details)
    return json.dumps({"unprocessedAccounts": unprocessed})


def _get_members(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    found, unprocessed = [], []
    with LOCK:
        members = _members(detector)
        for account_id in _account_ids(request_body(self)):
            if account_id in members:
                found.append(_member_json(members[account_id]))
            else:
                unprocessed.append(_unprocessed(account_id, NOT_A_MEMBER))
    return json.dumps({"members": found, "unprocessedAccounts": unprocessed})


def _list_members(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    only_associated = (self.querystring.get("onlyAssociated") or ["true"])[0].lower() != "false"
    with LOCK:
        members = [
            _member_json(member)
            for member in _members(detector).values()
            if not only_associated or member["relationshipStatus"] == ENABLED
        ]
    return json.dumps({"members": members})


def _change_members(self: GuardDutyResponse, change: str) -> str:
    detector = detector_of(self)
    unprocessed = []
    with LOCK:
        members = _members(detector)
        for account_id in _account_ids(request_body(self)):
            member = members.get(account_id)
            if member is None:
                unprocessed.append(_unprocessed(account_id, NOT_A_MEMBER))
            elif change == "delete":
                del members[account_id]
            elif change == "disassociate":
                member["relationshipStatus"] = REMOVED
                member["updatedAt"] = _now_iso()
            elif member["relationshipStatus"] in (INVITED, ENABLED) or member["organization"]:
                unprocessed.append(_unprocessed(account_id, ALREADY_INVITED))
            else:
                member["relationshipStatus"] = INVITED
                member["invitedAt"] = member["updatedAt"] = _now_iso()
    return json.dumps({"unprocessedAccounts": unprocessed})


def _delete_members(self: GuardDutyResponse) -> str:
    return _change_members(self, "delete")


def _disassociate_members(self: GuardDutyResponse) -> str:
    return _change_members(self, "disassociate")


def _invite_members(self: GuardDutyResponse) -> str:
    return _change_members(self, "invite")


ORG_FEATURES = frozenset(FEATURE_ADDITIONAL_CONFIGURATIONS) - {"AI_ANALYST"}


def _enabled_member(
    detector: Detector, account_id: str, region: str
) -> tuple[Detector | None, str | None]:
    member = _members(detector).get(account_id)
    if member is None:
        return None, NOT_A_MEMBER
    if member["relationshipStatus"] != ENABLED:
        return None, "The request is rejected because the member account is not enabled."
    associated_at = member.get("_associated_at")
    if associated_at is not None and CLOCK.now() < associated_at + MEMBER_ASSOCIATION_DELAY[0]:
        # Eventually consistent right after CreateMembers (see the docstring).
        return None, NOT_ASSOCIATED_YET
    member_detector = _member_detector(account_id, region)
    if member_detector is None:
        return None, "The request is rejected because the member account has no detector."
    return member_detector, None


def _get_member_detectors(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    configurations, unprocessed = [], []
    for account_id in _account_ids(request_body(self)):
        with LOCK:
            member_detector, problem = _enabled_member(detector, account_id, self.region)
        if member_detector is None:
            unprocessed.append(_unprocessed(account_id, problem or NOT_A_MEMBER))
            continue
        detector_json = member_detector.to_json()
        configurations.append(
            {
                "accountId": account_id,
                "dataSources": detector_json["dataSources"],
                "features": [
                    dict(feature)
                    for feature in member_detector.features
                    if feature["name"] in ORG_FEATURES
                ],
            }
        )
    return json.dumps({"members": configurations, "unprocessedAccounts": unprocessed})


def _update_member_detectors(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    body = request_body(self)
    features = body.get("features")
    unprocessed = []
    for account_id in _account_ids(body):
        with LOCK:
            member_detector, problem = _enabled_member(detector, account_id, self.region)
        if member_detector is None:
            unprocessed.append(_unprocessed(account_id, problem or NOT_A_MEMBER))
            continue
        guardduty_backends[account_id][self.region].update_detector(
            member_detector.id, None, None, None, features
        )
    return json.dumps({"unprocessedAccounts": unprocessed})


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


def install() -> None:
    """Add the organization admin account, organization configuration and members to moto."""
    MEMBER_ASSOCIATION_DELAY[0] = member_association_delay(os.environ)
    ADMINISTRATOR_OF[0] = administrator_account_of
    GuardDutyBackend.enable_organization_admin_account = _enable_admin  # type: ignore[method-assign]
    GuardDutyBackend.get_administrator_account = _administrator  # type: ignore[method-assign]
    urls.url_paths["{0}/admin/disable$"] = GuardDutyResponse.dispatch
    GuardDutyResponse.disable_organization_admin_account = _disable_organization_admin_account  # type: ignore[attr-defined]
    add_route("admin", "describe_organization_configuration", _describe_organization_configuration)
    add_route("admin", "update_organization_configuration", _update_organization_configuration)
    add_route("member", "create_members", _create_members)
    add_route("member", "list_members", _list_members)
    add_route("member/get", "get_members", _get_members)
    add_route("member/delete", "delete_members", _delete_members)
    add_route("member/disassociate", "disassociate_members", _disassociate_members)
    add_route("member/invite", "invite_members", _invite_members)
    add_route("member/detector/get", "get_member_detectors", _get_member_detectors)
    add_route("member/detector/update", "update_member_detectors", _update_member_detectors)
