"""Where organizations hook into moto: GuardDuty's backend methods for the admin account, the
routes of the organization configuration and member calls, and who administers a member for the
core's publishing (``core.publishing.ADMINISTRATOR_OF``).
"""

from __future__ import annotations

import os

from moto.guardduty import urls
from moto.guardduty.models import GuardDutyBackend
from moto.guardduty.responses import GuardDutyResponse

from guardduty_ecs_emulator.core.publishing import ADMINISTRATOR_OF
from guardduty_ecs_emulator.core.routing import add_route
from guardduty_ecs_emulator.services.guardduty.organization.api import (
    create_members,
    delete_members,
    describe_organization_configuration,
    disable_organization_admin_account,
    disassociate_members,
    get_member_detectors,
    get_members,
    invite_members,
    list_members,
    update_member_detectors,
    update_organization_configuration,
)
from guardduty_ecs_emulator.services.guardduty.organization.model import (
    MEMBER_ASSOCIATION_DELAY,
    administrator_account_of,
    enable_organization_admin_account,
    get_administrator_account,
    member_association_delay,
)


def install() -> None:
    """Add the organization admin account, organization configuration and members to moto."""
    MEMBER_ASSOCIATION_DELAY[0] = member_association_delay(os.environ)
    ADMINISTRATOR_OF[0] = administrator_account_of
    GuardDutyBackend.enable_organization_admin_account = enable_organization_admin_account  # type: ignore[method-assign]
    GuardDutyBackend.get_administrator_account = get_administrator_account  # type: ignore[method-assign]
    urls.url_paths["{0}/admin/disable$"] = GuardDutyResponse.dispatch
    GuardDutyResponse.disable_organization_admin_account = disable_organization_admin_account  # type: ignore[attr-defined]
    add_route("admin", "describe_organization_configuration", describe_organization_configuration)
    add_route("admin", "update_organization_configuration", update_organization_configuration)
    add_route("member", "create_members", create_members)
    add_route("member", "list_members", list_members)
    add_route("member/get", "get_members", get_members)
    add_route("member/delete", "delete_members", delete_members)
    add_route("member/disassociate", "disassociate_members", disassociate_members)
    add_route("member/invite", "invite_members", invite_members)
    add_route("member/detector/get", "get_member_detectors", get_member_detectors)
    add_route("member/detector/update", "update_member_detectors", update_member_detectors)
