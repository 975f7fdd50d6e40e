"""GuardDuty's responses for organizations: DisableOrganizationAdminAccount,
Describe/UpdateOrganizationConfiguration, the member calls (Create, Get, List, Delete,
Disassociate, InviteMembers) and Get/UpdateMemberDetectors, on the rules of ``model`` (see the
package's docstring).
"""

from __future__ import annotations

import json
from typing import Any

from moto.guardduty.models import Detector, guardduty_backends
from moto.guardduty.responses import GuardDutyResponse

from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.pagination import paginate
from guardduty_ecs_emulator.core.requests import detector_of, request_body
from guardduty_ecs_emulator.services.guardduty.organization import model
from guardduty_ecs_emulator.services.guardduty.organization.model import (
    ALREADY_INVITED,
    ENABLED,
    INVITED,
    NOT_A_MEMBER,
    NOT_ADMIN,
    ORG_FEATURES,
    REMOVED,
    delegated_administrator,
    enabled_member,
    members_of,
    now_iso,
    unprocessed_account,
)

# --------------------------------------------------------------------------------------------
# Admin account
# --------------------------------------------------------------------------------------------


def disable_organization_admin_account(self: GuardDutyResponse) -> str:
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
            members = members_of(detector)
            for account_id in [a for a, m in members.items() if m.get("organization")]:
                del members[account_id]
    return "{}"


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


def describe_organization_configuration(self: GuardDutyResponse) -> str:
    return json.dumps(model.describe_organization_configuration(_admin_detector(self)))


def update_organization_configuration(self: GuardDutyResponse) -> str:
    model.update_organization_configuration(_admin_detector(self), request_body(self))
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


def _member_json(member: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in member.items()
        if key != "organization" and not key.startswith("_")
    }


def create_members(self: GuardDutyResponse) -> str:
    details = request_body(self).get("accountDetails")
    if not isinstance(details, list) or not details:
        raise BadRequestException("The request is rejected because accountDetails is empty.")
    unprocessed = model.create_members(
        detector_of(self), self.current_account, self.region, details
    )
    return json.dumps({"unprocessedAccounts": unprocessed})


def get_members(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    found, unprocessed = [], []
    with LOCK:
        members = members_of(detector)
        for account_id in _account_ids(request_body(self)):
            if account_id in members:
                found.append(_member_json(members[account_id]))
            else:
                unprocessed.append(unprocessed_account(account_id, NOT_A_MEMBER))
    return json.dumps({"members": found, "unprocessedAccounts": unprocessed})


def list_members(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    only_associated = (self.querystring.get("onlyAssociated") or ["true"])[0].lower() != "false"
    with LOCK:
        members = [
            _member_json(member)
            for member in members_of(detector).values()
            if not only_associated or member["relationshipStatus"] == ENABLED
        ]
    # Pages of at most 50 ("The default value is 50. The maximum value is 50.", maxResults).
    paging: dict[str, Any] = {"nextToken": (self.querystring.get("nextToken") or [""])[0]}
    if self.querystring.get("maxResults"):
        text = self.querystring["maxResults"][0]
        paging["maxResults"] = int(text) if text.isdigit() else text
    page, token = paginate(members, paging)
    result: dict[str, Any] = {"members": page}
    if token:
        result["nextToken"] = token
    return json.dumps(result)


def _change_members(self: GuardDutyResponse, change: str) -> str:
    detector = detector_of(self)
    unprocessed = []
    with LOCK:
        members = members_of(detector)
        for account_id in _account_ids(request_body(self)):
            member = members.get(account_id)
            if member is None:
                unprocessed.append(unprocessed_account(account_id, NOT_A_MEMBER))
            elif change == "delete":
                del members[account_id]
            elif change == "disassociate":
                member["relationshipStatus"] = REMOVED
                member["updatedAt"] = now_iso()
            elif member["relationshipStatus"] in (INVITED, ENABLED) or member["organization"]:
                unprocessed.append(unprocessed_account(account_id, ALREADY_INVITED))
            else:
                member["relationshipStatus"] = INVITED
                member["invitedAt"] = member["updatedAt"] = now_iso()
    return json.dumps({"unprocessedAccounts": unprocessed})


def delete_members(self: GuardDutyResponse) -> str:
    return _change_members(self, "delete")


def disassociate_members(self: GuardDutyResponse) -> str:
    return _change_members(self, "disassociate")


def invite_members(self: GuardDutyResponse) -> str:
    return _change_members(self, "invite")


def get_member_detectors(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    configurations, unprocessed = [], []
    for account_id in _account_ids(request_body(self)):
        with LOCK:
            member_detector, problem = enabled_member(detector, account_id, self.region)
        if member_detector is None:
            unprocessed.append(unprocessed_account(account_id, problem or NOT_A_MEMBER))
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


def update_member_detectors(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    body = request_body(self)
    features = body.get("features")
    unprocessed = []
    for account_id in _account_ids(body):
        with LOCK:
            member_detector, problem = enabled_member(detector, account_id, self.region)
        if member_detector is None:
            unprocessed.append(unprocessed_account(account_id, problem or NOT_A_MEMBER))
            continue
        guardduty_backends[account_id][self.region].update_detector(
            member_detector.id, None, None, None, features
        )
    return json.dumps({"unprocessedAccounts": unprocessed})
