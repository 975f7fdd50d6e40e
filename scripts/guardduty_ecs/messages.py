"""What each alert channel's message must be: read as a subscriber reads it (``drill``) and as a
target's input template will write it (``verify``).

- **chat**: an Amazon Q Developer in chat applications custom notification. "Amazon Q Developer
  custom notifications must use the following event format": ``version``, ``source``, ``id``,
  ``content`` (``textType``, ``title``, ``description``, ``nextSteps``, ``keywords``) and
  ``metadata`` (``threadId``, ``summary``, ``eventType``, ``relatedResources``,
  ``additionalContext``); Parameter details: ``version`` "Must be 1.0", ``source`` "Must be
  custom", ``textType`` "Only client-markdown textType is currently supported" (administrator
  guide, "Custom notifications"). That ``content`` and its ``description`` are required is read
  here from the format (a notification without them has nothing to show). The module threads a
  finding's notifications by its ID (``metadata.threadId``).
- **raw events**: the event as EventBridge matched it, with the top-level fields of every event
  ("version, id, detail-type, source, account, time, region, resources, detail", EventBridge user
  guide, "Amazon EventBridge events") and nothing else.
- **e-mail**: text; it names the finding (the module's console link carries its ID).

The emulator judges chat messages with a reader of its own: the two share no code, so that one
misread rule cannot make a check and its judge agree.
"""

from __future__ import annotations

import json
import re
from typing import Any

# EventBridge user guide, "Amazon EventBridge events": the top-level fields of an event.
EVENT_FIELDS = frozenset(
    ("version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")
)

_STRINGS = (
    ("id",),
    ("content", "textType"),
    ("content", "title"),
    ("content", "description"),
    ("metadata", "threadId"),
    ("metadata", "summary"),
    ("metadata", "eventType"),
)
_STRING_LISTS = (
    ("content", "nextSteps"),
    ("content", "keywords"),
    ("metadata", "relatedResources"),
)
_PLACEHOLDER = re.compile(r"<[A-Za-z0-9_.-]+>")


def _at(document: Any, *path: str) -> Any:
    for part in path:
        document = document.get(part) if isinstance(document, dict) else None
    return document


def custom_notification_errors(document: Any) -> list[str]:
    """Why ``document`` is not a custom notification of the documented format (empty if it is)."""
    if not isinstance(document, dict):
        return ["not a JSON object"]
    errors = []
    if document.get("version") != "1.0":
        errors.append(f'version is {document.get("version")!r}, not "1.0"')
    if document.get("source") != "custom":
        errors.append(f'source is {document.get("source")!r}, not "custom"')
    if not isinstance(document.get("content"), dict):
        errors.append("no content object")
    elif not _at(document, "content", "description"):
        errors.append("no content.description")
    if _at(document, "content", "textType") not in (None, "client-markdown"):
        errors.append("content.textType is not client-markdown")
    if "metadata" in document and not isinstance(document["metadata"], dict):
        errors.append("metadata is not an object")
    for path in _STRINGS:
        value = _at(document, *path)
        if value is not None and not isinstance(value, str):
            errors.append(f"{'.'.join(path)} is not a string")
    for path in _STRING_LISTS:
        value = _at(document, *path)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        ):
            errors.append(f"{'.'.join(path)} is not a list of strings")
    context = _at(document, "metadata", "additionalContext")
    if context is not None and not (
        isinstance(context, dict) and all(isinstance(v, str) for v in context.values())
    ):
        errors.append("metadata.additionalContext does not map names to strings")
    return errors


def template_document(template: str) -> Any:
    """The JSON an input template writes, each variable standing for a string: one inside a
    string stays as text, one standing alone becomes a JSON string (EventBridge writes a string
    value there quoted). ValueError if that is not JSON."""
    out, in_string, escaped, index = [], False, False, 0
    while index < len(template):
        char = template[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif match := _PLACEHOLDER.match(template, index):
            out.append(json.dumps(match.group()))
            index = match.end()
            continue
        out.append(char)
        index += 1
    return json.loads("".join(out))


def chat_errors(text: str, thread_id: str | None = None) -> list[str]:
    """Why a chat topic's message is not the custom notification it must be; with ``thread_id``,
    also that it threads under that ID (a finding's)."""
    try:
        document = json.loads(text)
    except ValueError:
        return ["not JSON"]
    errors = custom_notification_errors(document)
    thread = _at(document, "metadata", "threadId")
    if thread_id is not None and thread != thread_id:
        errors.append(f"metadata.threadId is {thread!r}, not {thread_id!r}")
    return errors


def raw_event_errors(text: str, detail_type: str, detail: dict[str, Any]) -> list[str]:
    """Why a raw-events topic's message is not the unmodified event: a ``detail_type`` event of
    GuardDuty with every top-level field and no other, whose detail has the values of
    ``detail`` (given as paths, ``{"resourceDetails.ecsClusterDetails.clusterName": ...}``)."""
    try:
        event = json.loads(text)
    except ValueError:
        return ["not JSON"]
    if not isinstance(event, dict):
        return ["not a JSON object"]
    errors = []
    if set(event) != EVENT_FIELDS:
        missing, extra = sorted(EVENT_FIELDS - set(event)), sorted(set(event) - EVENT_FIELDS)
        errors.append(
            "not an event's top-level fields"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; not an event's: {', '.join(extra)}" if extra else "")
        )
    if (event.get("source"), event.get("detail-type")) != ("aws.guardduty", detail_type):
        errors.append(
            f"source {event.get('source')!r} and detail-type {event.get('detail-type')!r}, not "
            f"'aws.guardduty' and {detail_type!r}"
        )
    for path, expected in detail.items():
        value = _at(event.get("detail"), *path.split("."))
        if value != expected:
            errors.append(f"detail.{path} is {value!r}, not {expected!r}")
    return errors
