"""Where the detection controls hook into moto: the routes of the sets, publishing destinations
and tags, the exporter of published findings (``core.publishing.FINDING_EXPORTERS``), and moto's
filter responses, wrapped to check the attributes and keep the tags.
"""

from __future__ import annotations

import json

from moto.guardduty import urls
from moto.guardduty.responses import GuardDutyResponse

from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.publishing import FINDING_EXPORTERS
from guardduty_ecs_emulator.core.requests import detector_of
from guardduty_ecs_emulator.core.routing import add_route
from guardduty_ecs_emulator.services.guardduty.detection_controls.api import (
    create_publishing_destination,
    create_set,
    delete_publishing_destination,
    delete_set,
    describe_publishing_destination,
    get_set,
    list_filters,
    list_publishing_destinations,
    list_sets,
    list_tags_for_resource,
    set_handler,
    tag_resource,
    untag_resource,
    update_publishing_destination,
    update_set,
)
from guardduty_ecs_emulator.services.guardduty.detection_controls.filters import (
    check_filter_attributes,
    filter_tags,
)
from guardduty_ecs_emulator.services.guardduty.detection_controls.lists import (
    IP_SETS,
    THREAT_INTEL_SETS,
)
from guardduty_ecs_emulator.services.guardduty.detection_controls.publishing_destinations import (
    export_findings,
)


def install() -> None:
    """Add IP sets, threat intel sets, publishing destinations and tagging to moto's GuardDuty."""
    for kind, names in (
        (IP_SETS, ("ip_set", "ip_sets")),
        (THREAT_INTEL_SETS, ("threat_intel_set", "threat_intel_sets")),
    ):
        one, many = names
        add_route(kind.path, f"create_{one}", set_handler(create_set, kind))
        add_route(kind.path, f"list_{many}", set_handler(list_sets, kind))
        item = f"{kind.path}/(?P<{one}_id>[^/]+)"
        add_route(item, f"get_{one}", set_handler(get_set, kind))
        add_route(item, f"update_{one}", set_handler(update_set, kind))
        add_route(item, f"delete_{one}", set_handler(delete_set, kind))
    destinations = "publishingDestination"
    add_route(destinations, "create_publishing_destination", create_publishing_destination)
    add_route(destinations, "list_publishing_destinations", list_publishing_destinations)
    item = "publishingDestination/(?P<destination_id>[^/]+)"
    add_route(item, "describe_publishing_destination", describe_publishing_destination)
    add_route(item, "update_publishing_destination", update_publishing_destination)
    add_route(item, "delete_publishing_destination", delete_publishing_destination)
    if export_findings not in FINDING_EXPORTERS:
        FINDING_EXPORTERS.append(export_findings)
    add_route("filter", "list_filters", list_filters)
    urls.url_paths["{0}/tags/(?P<resource_arn>.+)$"] = GuardDutyResponse.dispatch
    GuardDutyResponse.list_tags_for_resource = list_tags_for_resource  # type: ignore[attr-defined]
    GuardDutyResponse.tag_resource = tag_resource  # type: ignore[attr-defined]
    GuardDutyResponse.untag_resource = untag_resource  # type: ignore[attr-defined]

    original_create, original_get, original_delete, original_update = (
        GuardDutyResponse.create_filter,
        GuardDutyResponse.get_filter,
        GuardDutyResponse.delete_filter,
        GuardDutyResponse.update_filter,
    )

    def create_filter(self: GuardDutyResponse) -> str:
        check_filter_attributes(self)
        result = original_create(self)
        detector = detector_of(self)
        with LOCK:
            filter_tags(detector)[self._get_param("name")] = dict(self._get_param("tags") or {})
        return result

    def get_filter(self: GuardDutyResponse) -> str:
        result = json.loads(original_get(self))
        with LOCK:
            tags = filter_tags(detector_of(self)).get(result["name"])
        if tags:
            result["tags"] = dict(tags)
        return json.dumps(result)

    def delete_filter(self: GuardDutyResponse) -> str:
        result = original_delete(self)
        with LOCK:
            filter_tags(detector_of(self)).pop(self.path.rsplit("/", 1)[-1], None)
        return result

    def update_filter(self: GuardDutyResponse) -> str:
        check_filter_attributes(self)
        return str(original_update(self))

    GuardDutyResponse.create_filter = create_filter  # type: ignore[method-assign]
    GuardDutyResponse.update_filter = update_filter  # type: ignore[method-assign]
    GuardDutyResponse.get_filter = get_filter  # type: ignore[method-assign]
    GuardDutyResponse.delete_filter = delete_filter  # type: ignore[method-assign]
