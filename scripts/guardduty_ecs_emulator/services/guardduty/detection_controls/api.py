"""GuardDuty's responses for the detection controls: IP sets and threat intel sets,
publishing destinations, resource tags and ListFilters, on the rules of the package's other modules
(see the package's docstring).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from moto.guardduty.responses import GuardDutyResponse
from moto.moto_api._internal import mock_random

from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.pagination import paginate
from guardduty_ecs_emulator.core.requests import detector_of, request_body
from guardduty_ecs_emulator.services.guardduty.detection_controls.lists import (
    ACTIVE,
    DELETED,
    FORMATS,
    INACTIVE,
    ListKind,
    live_set,
    object_exists,
    sets_of,
    settling,
    status_now,
)
from guardduty_ecs_emulator.services.guardduty.detection_controls.messages import (
    INVALID_PARAMETERS,
    NO_SUCH_RESOURCE,
)
from guardduty_ecs_emulator.services.guardduty.detection_controls.publishing_destinations import (
    check_destination_exists,
    destination_json,
    destinations_of,
)
from guardduty_ecs_emulator.services.guardduty.detection_controls.tags import tags_of
from guardduty_ecs_emulator.services.guardduty.organization import model as organization

# --------------------------------------------------------------------------------------------
# IP sets and threat intel sets
# --------------------------------------------------------------------------------------------


def _forbid_members(response: GuardDutyResponse) -> None:
    if organization.administrator_account_of(response.current_account, response.region):
        raise BadRequestException(
            "The request is rejected because a member account cannot manage trusted IP lists "
            "or threat lists; its administrator account does."
        )


def _set_id(response: GuardDutyResponse, kind: ListKind) -> str:
    match = re.search(rf"/{kind.path}/([^/]+)$", response.path)
    return match.group(1) if match else ""


def create_set(self: GuardDutyResponse, kind: ListKind) -> str:
    detector = detector_of(self)
    body = request_body(self)
    _forbid_members(self)
    name, list_format = body.get("name"), body.get("format")
    if not isinstance(name, str) or not 1 <= len(name) <= 300:
        raise BadRequestException("The request is rejected because the name is not valid.")
    if list_format not in FORMATS:
        raise BadRequestException(
            f"The request is rejected because the format {list_format} is not valid."
        )
    object_exists(self.current_account, body.get("location", ""))
    with LOCK:
        sets = sets_of(detector, kind)
        if sum(1 for s in sets.values() if s["status"] != DELETED) >= kind.quota:
            raise BadRequestException(
                f"The request is rejected because the detector already has {kind.quota} "
                f"{kind.path} resources, the quota per account and Region."
            )
        set_id = mock_random.get_random_hex(32)
        sets[set_id] = {
            "name": name,
            "format": list_format,
            "location": body["location"],
            "status": INACTIVE,
            "settles_at": CLOCK.now(),  # created inactive: INACTIVE at once (chosen)
            "tags": dict(body.get("tags") or {}),
        }
        if body.get("activate"):
            settling(sets[set_id], ACTIVE)
    return json.dumps({kind.id_key: set_id})


def get_set(self: GuardDutyResponse, kind: ListKind) -> str:
    detector = detector_of(self)
    with LOCK:
        record = sets_of(detector, kind).get(_set_id(self, kind))
        if record is None:
            raise BadRequestException(NO_SUCH_RESOURCE)
        result = {
            key: value
            for key, value in record.items()
            if key != "settles_at" and (key != "tags" or value)
        }
        result["status"] = status_now(record)
    return json.dumps(result)


def update_set(self: GuardDutyResponse, kind: ListKind) -> str:
    detector = detector_of(self)
    body = request_body(self)
    _forbid_members(self)
    if "location" in body:
        object_exists(self.current_account, body["location"])
    with LOCK:
        record = live_set(detector, kind, _set_id(self, kind))
        if "name" in body:
            record["name"] = body["name"]
        if "location" in body:
            record["location"] = body["location"]
        # Activating again (activate true, or a new location of an active set) reads the list
        # again; deactivating an active set takes time too (the package's docstring,
        # "Re-reading a list").
        activate = body.get("activate", record["status"] == ACTIVE)
        if activate and ("activate" in body or "location" in body):
            settling(record, ACTIVE)
        elif not activate and record["status"] == ACTIVE:
            settling(record, INACTIVE)
    return "{}"


def delete_set(self: GuardDutyResponse, kind: ListKind) -> str:
    detector = detector_of(self)
    with LOCK:
        live_set(detector, kind, _set_id(self, kind))["status"] = DELETED
    return "{}"


def _query_page(response: GuardDutyResponse) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if response.querystring.get("maxResults"):
        try:
            query["maxResults"] = int(response.querystring["maxResults"][0])
        except ValueError as error:
            message = "The request is rejected because maxResults is invalid."
            raise BadRequestException(message) from error
    if response.querystring.get("nextToken"):
        query["nextToken"] = response.querystring["nextToken"][0]
    return query


def list_sets(self: GuardDutyResponse, kind: ListKind) -> str:
    detector = detector_of(self)
    with LOCK:
        ids = [i for i, s in sets_of(detector, kind).items() if s["status"] != DELETED]
    page, token = paginate(ids, _query_page(self))
    return json.dumps({kind.ids_key: page, **({"nextToken": token} if token else {})})


def set_handler(action: Any, kind: ListKind) -> Any:
    return lambda self: action(self, kind)


# --------------------------------------------------------------------------------------------
# Publishing destinations
# --------------------------------------------------------------------------------------------


def _destination_id(response: GuardDutyResponse) -> str:
    match = re.search(r"/publishingDestination/([^/]+)$", response.path)
    return match.group(1) if match else ""


def _properties(body: dict[str, Any]) -> dict[str, Any]:
    properties = body.get("destinationProperties") or {}
    return {key: properties[key] for key in ("destinationArn", "kmsKeyArn") if properties.get(key)}


def create_publishing_destination(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    body = request_body(self)
    if body.get("destinationType") != "S3":
        raise BadRequestException(INVALID_PARAMETERS)
    properties = _properties(body)
    check_destination_exists(self.current_account, properties)
    destination_id = mock_random.get_random_hex(32)
    with LOCK:
        destinations_of(detector)[destination_id] = {
            "destinationType": "S3",
            "destinationProperties": properties,
            "status": "PENDING_VERIFICATION",
            "publishingFailureStartTimestamp": 0,
        }
    return json.dumps({"destinationId": destination_id})


def describe_publishing_destination(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    with LOCK:
        return json.dumps(destination_json(self.current_account, detector, _destination_id(self)))


def update_publishing_destination(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    with LOCK:
        record = destinations_of(detector).get(_destination_id(self))
        if record is None:
            raise BadRequestException(INVALID_PARAMETERS)
        properties = {**record["destinationProperties"], **_properties(request_body(self))}
    check_destination_exists(self.current_account, properties)
    with LOCK:
        record["destinationProperties"] = properties
    return "{}"


def delete_publishing_destination(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    with LOCK:
        if destinations_of(detector).pop(_destination_id(self), None) is None:
            raise BadRequestException(INVALID_PARAMETERS)
    return "{}"


def list_publishing_destinations(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    with LOCK:
        destinations = [
            {
                key: value
                for key, value in destination_json(self.current_account, detector, i).items()
                if key in ("destinationId", "destinationType", "status")
            }
            for i in list(destinations_of(detector))
        ]
    page, token = paginate(destinations, _query_page(self))
    return json.dumps({"destinations": page, **({"nextToken": token} if token else {})})


# --------------------------------------------------------------------------------------------
# Tags and filters
# --------------------------------------------------------------------------------------------


def _resource_arn(response: GuardDutyResponse) -> str:
    return unquote(response.path.split("/tags/", 1)[1])


def list_tags_for_resource(self: GuardDutyResponse) -> str:
    with LOCK:
        return json.dumps({"tags": dict(tags_of(self.current_account, _resource_arn(self)))})


def tag_resource(self: GuardDutyResponse) -> Any:
    tags = request_body(self).get("tags") or {}
    with LOCK:
        tags_of(self.current_account, _resource_arn(self)).update(tags)
    return "", {"status": 204}


def untag_resource(self: GuardDutyResponse) -> Any:
    keys = self.querystring.get("tagKeys") or []
    with LOCK:
        tags = tags_of(self.current_account, _resource_arn(self))
        for key in keys:
            tags.pop(key, None)
    return "", {"status": 204}


def list_filters(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    page, token = paginate(sorted(detector.filters), _query_page(self))
    return json.dumps({"filterNames": page, **({"nextToken": token} if token else {})})
