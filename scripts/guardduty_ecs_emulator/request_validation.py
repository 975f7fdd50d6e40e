"""Strict request validation for the emulator (a test backend): every request is checked against
botocore's service model before any extension or moto answers it, and what AWS's API would refuse
is refused with AWS's error.

Why: moto accepts nearly any input, so a module or an operator command could send a request that
AWS rejects (a name one character too long, an enum value AWS does not know, a missing member)
and still pass every test here. AWS documents the check for all its APIs (API references,
"Common Errors"): ``ValidationError`` "The input fails to satisfy the constraints specified by an
AWS service." (HTTP 400), ``MissingParameter`` "A required parameter for the specified action is
not supplied.", ``InvalidParameterValue`` "An invalid or out-of-range value was supplied for the
input parameter."; and each API reference page lists every member's "Required", "Length
Constraints", "Pattern" and "Valid Values", which botocore's model carries as ``required``,
``min``/``max``, ``pattern`` and ``enum``. GuardDuty's model declares ``BadRequestException``
("A bad request exception object.") on every operation.

What is checked (the walk is this module's own; botocore's ``ParamValidator`` checks only part of
it, client-side): members required by the input shape present and not null; strings against
their ``enum``, ``pattern`` and length; lists, maps and blobs against their length; numbers
against ``min``/``max``; nested structures, list items, map keys and values likewise. Types are
not checked (AWS answers a wrong type with a serialization error; moto parses leniently).

The message is the one AWS's validating services send, all errors at once, e.g. ``1 validation
error detected: Value 'x y' at 'name' failed to satisfy constraint: Member must satisfy regular
expression pattern: [\\.\\-_A-Za-z0-9]+`` (EventBridge, quoted in aws/aws-sdk-js-v3#2804), and
``Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null``
(serverless/serverless#2036); several are joined with ``; `` after ``N validation errors
detected:``, a member's pattern before its length (STS, quoted in mmmorris1975/aws-runas#80).
Patterns match the whole value, as AWS's do: a name with quotes around a valid name is refused
(aws/aws-cli#790). Values longer than 1,024 characters are cut in the message (**chosen**).

Depth, per protocol (``PROTOCOL_DEPTH``):

- ``json`` (EventBridge, KMS, ECS, CloudWatch Logs, SQS, Organizations) and ``rest-json``
  (GuardDuty): everything above, the body by its JSON keys (``locationName`` where the model has
  one), URI labels from the operation's ``requestUri``, query string and header members by their
  names. Error code: the first of ``ValidationException``, ``InvalidParameterException``,
  ``BadRequestException``, ``InvalidParameterValueException`` that the operation declares, else
  ``ValidationException`` (GuardDuty: ``BadRequestException``; ECS and Logs:
  ``InvalidParameterException``; EventBridge and KMS: ``ValidationException``).
- ``query`` (SNS, IAM, STS, CloudWatch): everything above, read with moto's own query parser
  (flattened lists and maps, ``Tags.member.1.Key``). Error code ``ValidationError``, as IAM and
  STS answer (``<Code>ValidationError</Code>``, quoted in NixOS/nixops#328 and
  mmmorris1975/aws-runas#80).
- ``ec2``: required members, lengths, patterns and number ranges; enums are not checked (EC2's
  lists, such as instance types, grow faster than a pinned botocore, and EC2 answers a bad value
  with an operation's own error). Error code ``MissingParameter`` for a missing member, else
  ``InvalidParameterValue`` (Common Errors).
- ``rest-xml`` (S3): URI labels, query string and header members (required, length, pattern),
  and a required payload (``MissingRequestBodyError``, S3's code for an empty body); the XML body
  itself is not read and enums are not checked (S3 answers bad header values with codes of its
  own, such as ``InvalidStorageClass``). Error code ``InvalidArgument``.
- Not validated: other protocols (``smithy-rpc-v2-cbor``), gzip-encoded bodies (moto inflates
  them itself, after this check), bodies that are not JSON where JSON is expected, requests moto
  cannot route to an operation, and services whose moto name is not a botocore service. Model
  patterns Python's ``re`` cannot read are skipped (``skipped_patterns()``, written to the log).

Exceptions where AWS accepts what the model forbids: ``NOT_ENFORCED``, each with its reason.

Visibility: each rejection is written to the emulator's log and kept;
``POST /moto-api/guardduty-ecs/rejections`` answers the rejections so far and forgets them
(``GET`` answers without forgetting). The test suite takes them after every test and fails a test
that caused one without expecting it (``emulator_rejects`` marker): Terraform retries some
errors and operator commands may swallow them, so a 400 alone could go unseen.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import sys
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import flask
from moto.core import routing
from moto.core import utils as moto_utils
from moto.core.exceptions import ServiceException
from moto.core.model import OperationModel, ServiceModel
from moto.core.parse import EC2QueryParser, QueryParser
from moto.core.request import Request, determine_request_protocol, normalize_request
from moto.core.responses import boto3_service_name
from moto.core.routing import get_service_router
from moto.core.serialize import get_serializer_class
from moto.moto_api._internal import urls as moto_api_urls

PROTOCOL_DEPTH: dict[str, str] = {
    "json": "full: required, enum, pattern, length, range, nested",
    "rest-json": "full: body, URI labels, query string and headers",
    "query": "full, via moto's query parser; enums included",
    "ec2": "required, pattern, length, range; no enums",
    "rest-xml": "URI labels, query string, headers and a required payload; no body, no enums",
}

# The error codes that AWS's validating JSON services answer with, in order of preference: the
# first that an operation declares is used.
JSON_VALIDATION_ERRORS = (
    "ValidationException",
    "InvalidParameterException",
    "BadRequestException",
    "InvalidParameterValueException",
)
QUERY_VALIDATION_ERROR = "ValidationError"
EC2_MISSING = "MissingParameter"
EC2_INVALID = "InvalidParameterValue"
S3_INVALID = "InvalidArgument"
S3_MISSING_BODY = "MissingRequestBodyError"

# Constraints of botocore's model that AWS does not enforce, by (service, shape name): the shape's
# check is skipped. Each entry says why.
NOT_ENFORCED: dict[tuple[str, str], str] = {}

# Enums are checked where AWS's validation layer checks them (see the module docstring).
ENUMS_CHECKED = frozenset({"json", "rest-json", "query"})
MESSAGE_VALUE_LIMIT = 1024

# A JSON value that stands for "absent" (null, or a member not sent).
_ABSENT: Any = None


class RequestRejected(ServiceException):
    """A request that AWS's validation would refuse, in the form moto serializes per protocol."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)


@dataclass(frozen=True)
class Rejection:
    service: str
    operation: str
    code: str
    message: str


# --------------------------------------------------------------------------------------------
# The model, compiled once per shape
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Spec:
    """What one shape of the model constrains, with its children."""

    name: str
    kind: str  # structure, list, map, string, number, blob or other
    members: tuple[_Member, ...] = ()
    item: _Spec | None = None  # a list's member, a map's value
    key: _Spec | None = None  # a map's key
    minimum: float | None = None
    maximum: float | None = None
    pattern: re.Pattern[str] | None = None
    pattern_text: str = ""
    enum: frozenset[str] | None = None
    enum_text: str = ""
    checked: bool = True  # anything to check here or below


@dataclass(frozen=True)
class _Member:
    name: str
    wire: str  # JSON key, URI label, query string or header name
    location: str  # "" (body), uri, querystring, header or headers
    path: str  # as AWS's messages name it: the member name, first letter lower case
    spec: _Spec
    required: bool


_SPECS: dict[tuple[str, str], _Spec] = {}
_SKIPPED_PATTERNS: dict[str, str] = {}
_COMPILE_LOCK = threading.RLock()

_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)
_UNICODE_CLASS = re.compile(r"\\p\{(L|N|Z)\}")
_CLASS_THEN_HYPHEN = re.compile(r"(\\[wWdDsS])-(?!\])")


def python_pattern(java: str) -> str:
    """A Python ``re`` pattern that accepts at least what the model's (Java) pattern accepts.

    Java reads a UTF-16 surrogate pair as one code point; ``\\p{L}``, ``\\p{N}``, ``\\p{Z}``
    (letters, numbers, separators) become ``\\w`` and ``\\s``, which accept a little more (``_``,
    tabs); a hyphen after ``\\w`` in a class is a literal in Java; Java's ``\\z`` is ``\\Z``.
    Never narrower: a broader pattern can only let through what AWS would refuse, never refuse
    what AWS accepts.
    """
    converted = _SURROGATE_PAIR.sub(
        lambda pair: (
            "\\U%08X"
            % (0x10000 + ((int(pair[1], 16) - 0xD800) << 10) + (int(pair[2], 16) - 0xDC00))
        ),
        java,
    )
    converted = _UNICODE_CLASS.sub(lambda match: r"\s" if match[1] == "Z" else r"\w", converted)
    converted = converted.replace("\\z", "\\Z")  # Java's end of input is Python's \Z
    return _CLASS_THEN_HYPHEN.sub(r"\1\\-", converted)


def _compile_pattern(java: str) -> re.Pattern[str] | None:
    if "\\P{" in java or ("\\p{" in java and "[^" in java):
        # A negated Unicode class would become narrower than Java's: never refuse more than AWS.
        _skip_pattern(java, "negated Unicode class")
        return None
    try:
        with warnings.catch_warnings():
            # Python warns where Java's class syntax (nested classes, && intersections) would
            # read differently: such a pattern is not checked rather than checked wrongly.
            warnings.simplefilter("error", FutureWarning)
            return re.compile(python_pattern(java))
    except (re.error, FutureWarning) as error:
        _skip_pattern(java, f"Python re cannot read it as Java does: {error}")
        return None


def _skip_pattern(java: str, reason: str) -> None:
    if java not in _SKIPPED_PATTERNS:
        _SKIPPED_PATTERNS[java] = reason
        _log(f"pattern not checked ({reason}): {java}")


def skipped_patterns() -> dict[str, str]:
    """The model patterns compiled so far that are not checked, with the reason."""
    return dict(_SKIPPED_PATTERNS)


def _spec(service: str, shape: Any, protocol: str) -> _Spec:
    """The compiled spec of ``shape`` (cached per service and shape; recursive shapes share
    their spec)."""
    cache_key = (f"{service}/{protocol in ENUMS_CHECKED}", shape.name)
    cached = _SPECS.get(cache_key)
    if cached is not None:
        return cached
    metadata = shape.metadata
    type_name = shape.type_name
    kind = {
        "structure": "structure",
        "list": "list",
        "map": "map",
        "string": "string",
        "integer": "number",
        "long": "number",
        "float": "number",
        "double": "number",
        "blob": "blob",
    }.get(type_name, "other")
    if kind == "structure" and metadata.get("document"):
        kind = "other"
    spec = _Spec(name=shape.name, kind=kind)
    _SPECS[cache_key] = spec  # before the members: a recursive shape finds itself
    if (service, shape.name) in NOT_ENFORCED:
        spec.kind = "other"
        return spec
    spec.minimum = metadata.get("min")
    spec.maximum = metadata.get("max")
    if kind == "string":
        if "pattern" in metadata:
            spec.pattern = _compile_pattern(metadata["pattern"])
            spec.pattern_text = metadata["pattern"] if spec.pattern is not None else ""
        if "enum" in metadata and protocol in ENUMS_CHECKED:
            spec.enum = frozenset(metadata["enum"])
            spec.enum_text = ", ".join(metadata["enum"])
    elif kind == "structure":
        required = set(shape.required_members)
        spec.members = tuple(
            _Member(
                name=name,
                wire=member.serialization.get("name", name),
                location=member.serialization.get("location", ""),
                path=name[:1].lower() + name[1:],
                spec=_spec(service, member, protocol),
                required=name in required,
            )
            for name, member in shape.members.items()
        )
    elif kind == "list":
        spec.item = _spec(service, shape.member, protocol)
    elif kind == "map":
        spec.key = _spec(service, shape.key, protocol)
        spec.item = _spec(service, shape.value, protocol)
    return spec


def _mark_checked(spec: _Spec, visiting: set[int] | None = None) -> bool:
    """Whether anything is checked at or below ``spec`` (a recursion counts as yes)."""
    visiting = set() if visiting is None else visiting
    if id(spec) in visiting:
        return True
    visiting.add(id(spec))
    own = (
        spec.minimum is not None
        or spec.maximum is not None
        or spec.pattern is not None
        or spec.enum is not None
    )
    children = [member.spec for member in spec.members] + [
        child for child in (spec.item, spec.key) if child is not None
    ]
    below = [_mark_checked(child, visiting) for child in children]
    spec.checked = spec.kind in ("structure", "list", "map", "string", "number", "blob") and (
        own or any(below) or any(member.required for member in spec.members)
    )
    return spec.checked


# --------------------------------------------------------------------------------------------
# The walk
# --------------------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    """A value as AWS's (Java) messages print it."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = "[" + ", ".join(_shown(item) for item in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{_shown(k)}={_shown(v)}" for k, v in value.items()) + "}"
    elif isinstance(value, bytes):
        text = f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    else:
        text = str(value)
    return text if len(text) <= MESSAGE_VALUE_LIMIT else text[:MESSAGE_VALUE_LIMIT] + "..."


def _sizes(spec: _Spec, size: float) -> list[str]:
    failed = []
    if spec.minimum is not None and size < spec.minimum:
        failed.append(f"Member must have length greater than or equal to {spec.minimum}")
    if spec.maximum is not None and size > spec.maximum:
        failed.append(f"Member must have length less than or equal to {spec.maximum}")
    return failed


def _string_constraints(spec: _Spec, value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    failed = []
    if spec.enum is not None and value not in spec.enum:
        failed.append(f"Member must satisfy enum value set: [{spec.enum_text}]")
    if spec.pattern is not None and spec.pattern.fullmatch(value) is None:
        failed.append(f"Member must satisfy regular expression pattern: {spec.pattern_text}")
    return failed + _sizes(spec, len(value))


def _collection_constraints(spec: _Spec, value: Any) -> list[str]:
    return _sizes(spec, len(value)) if isinstance(value, list | dict) else []


def _blob_constraints(spec: _Spec, value: Any) -> list[str]:
    size = _blob_size(value)
    return _sizes(spec, size) if size >= 0 else []


def _number_constraints(spec: _Spec, value: Any) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return []
    failed = []
    if spec.minimum is not None and value < spec.minimum:
        failed.append(f"Member must have value greater than or equal to {spec.minimum}")
    if spec.maximum is not None and value > spec.maximum:
        failed.append(f"Member must have value less than or equal to {spec.maximum}")
    return failed


_CONSTRAINTS: dict[str, Callable[[_Spec, Any], list[str]]] = {
    "string": _string_constraints,
    "list": _collection_constraints,
    "map": _collection_constraints,
    "blob": _blob_constraints,
    "number": _number_constraints,
}


def _constraints(spec: _Spec, value: Any) -> list[str]:
    """The constraints a scalar, list or map value fails, in AWS's words (not its children)."""
    check_kind = _CONSTRAINTS.get(spec.kind)
    return check_kind(spec, value) if check_kind is not None else []


def _blob_size(value: Any) -> int:
    """A blob's length in bytes (a JSON blob is base64 text); -1 when it cannot be read."""
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, str):
        try:
            return len(base64.b64decode(value, validate=False))
        except ValueError:
            return -1
    return -1


def _walk(spec: _Spec, value: Any, path: str, wire: bool, errors: list[str]) -> None:
    """Append to ``errors`` what ``value`` fails of ``spec``, and of its members and items.

    ``wire``: structures are keyed by their JSON names (a JSON body) rather than member names
    (what moto's query parser gives)."""
    kind = spec.kind
    if kind == "structure":
        if isinstance(value, dict):
            _walk_members(spec.members, value.get, path, errors, wire=wire)
        return
    for failed in _constraints(spec, value):
        errors.append(f"Value '{_shown(value)}' at '{path}' failed to satisfy constraint: {failed}")
    if kind == "list" and isinstance(value, list):
        item = spec.item
        if item is not None and item.checked:
            for index, element in enumerate(value, 1):
                if element is not None:
                    _walk(item, element, f"{path}.{index}.member", wire, errors)
    elif kind == "map" and isinstance(value, dict):
        _walk_map(spec, value, path, wire, errors)


def _walk_map(spec: _Spec, value: dict[Any, Any], path: str, wire: bool, errors: list[str]) -> None:
    key_spec, value_spec = spec.key, spec.item
    for key, element in value.items():
        if key_spec is not None and key_spec.checked:
            failed = _constraints(key_spec, key)
            if failed:
                errors.append(
                    f"Value '{_shown(value)}' at '{path}' failed to satisfy constraint: "
                    f"Map keys must satisfy constraint: [{', '.join(failed)}]"
                )
        if value_spec is None or not value_spec.checked or element is None:
            continue
        if value_spec.kind in ("structure", "list", "map"):
            _walk(value_spec, element, f"{path}.{key}", wire, errors)
            continue
        failed = _constraints(value_spec, element)
        if failed:
            errors.append(
                f"Value '{_shown(value)}' at '{path}' failed to satisfy constraint: "
                f"Map value must satisfy constraint: [{', '.join(failed)}]"
            )


def _walk_members(
    members: tuple[_Member, ...],
    lookup: Callable[[str], Any],
    path: str,
    errors: list[str],
    *,
    wire: bool,
    by_name: bool = False,
) -> None:
    """Walk a structure's members. ``wire``: JSON keys below (and here unless ``by_name``: the
    top of a REST request, whose values are gathered by member name)."""
    for member in members:
        value = lookup(member.name if by_name or not wire else member.wire)
        member_path = f"{path}.{member.path}" if path else member.path
        if value is _ABSENT:
            if member.required:
                errors.append(
                    f"Value null at '{member_path}' failed to satisfy constraint: "
                    "Member must not be null"
                )
            continue
        if member.spec.checked:
            _walk(member.spec, value, member_path, wire, errors)


def validate(spec: _Spec, value: Mapping[str, Any], wire: bool) -> list[str]:
    """The validation errors of ``value`` (an input structure) against ``spec``, in AWS's words."""
    errors: list[str] = []
    _walk_members(spec.members, value.get, "", errors, wire=wire)
    return errors


# --------------------------------------------------------------------------------------------
# Requests, per protocol
# --------------------------------------------------------------------------------------------


@dataclass
class _Operation:
    """An operation's compiled input and the error code its service answers validation with."""

    service_model: ServiceModel
    operation_model: OperationModel
    protocol: str
    spec: _Spec
    code: str
    payload: _Member | None = None
    located: tuple[_Member, ...] = field(default_factory=tuple)  # URI, query string, header
    body: tuple[_Member, ...] = field(default_factory=tuple)  # JSON keys of a REST body


_OPERATIONS: dict[tuple[str, str, str], _Operation | None] = {}


@functools.cache
def _service_model(moto_name: str) -> ServiceModel | None:
    name = boto3_service_name.get(moto_name, moto_name)
    try:
        return moto_utils.get_service_model(name)
    except Exception:  # botocore has no model of this name: not validated
        return None


def _error_code(operation: OperationModel, protocol: str) -> str:
    if protocol == "query":
        return QUERY_VALIDATION_ERROR
    if protocol == "ec2":
        return EC2_INVALID
    if protocol == "rest-xml":
        return S3_INVALID
    declared = {shape.name for shape in operation.error_shapes}
    return next(
        (code for code in JSON_VALIDATION_ERRORS if code in declared), JSON_VALIDATION_ERRORS[0]
    )


def _operation(
    service: str, model: ServiceModel, operation: OperationModel, protocol: str
) -> _Operation:
    key = (service, operation.name, protocol)
    compiled = _OPERATIONS.get(key)
    if compiled is None:
        with _COMPILE_LOCK:
            compiled = _OPERATIONS.get(key)
            if compiled is None:
                compiled = _compile_operation(service, model, operation, protocol)
                _OPERATIONS[key] = compiled
    return compiled


def _compile_operation(
    service: str, model: ServiceModel, operation: OperationModel, protocol: str
) -> _Operation:
    shape = operation.input_shape
    spec = _spec(service, shape, protocol) if shape is not None else _Spec(name="", kind="other")
    _mark_checked(spec)
    payload_name = shape.serialization.get("payload") if shape is not None else None
    payload = next((m for m in spec.members if m.name == payload_name), None)
    located = tuple(m for m in spec.members if m.location in ("uri", "querystring", "header"))
    body = tuple(m for m in spec.members if m.location == "" and m is not payload)
    code = _error_code(operation, protocol)
    return _Operation(model, operation, protocol, spec, code, payload, located, body)


def _scalar(spec: _Spec, text: str) -> Any:
    """A URI, query string or header value as the member's type (numbers; text otherwise)."""
    if spec.kind == "number":
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return _ABSENT
    return text


def _located_values(
    compiled: _Operation, request: Request, labels: Mapping[str, str]
) -> dict[str, Any]:
    """The URI label, query string and header members of a REST request, by member name."""
    values: dict[str, Any] = {}
    for member in compiled.located:
        spec = member.spec
        if member.location == "uri":
            raw = labels.get(member.wire)
            values[member.name] = None if raw is None else _scalar(spec, raw)
        elif member.location == "querystring":
            if spec.kind == "list" and spec.item is not None:
                found = request.args.getlist(member.wire)
                values[member.name] = [_scalar(spec.item, text) for text in found] or None
            elif spec.kind != "map":
                raw = request.args.get(member.wire)
                values[member.name] = None if raw is None else _scalar(spec, raw)
        else:
            raw = request.headers.get(member.wire)
            if raw is not None and spec.kind == "list" and spec.item is not None:
                values[member.name] = [_scalar(spec.item, part.strip()) for part in raw.split(",")]
            else:
                values[member.name] = None if raw is None else _scalar(spec, raw)
    return values


def _json_body(body: bytes) -> Any:
    if not body.strip():
        return {}
    return json.loads(body)


# Each reader answers the validation errors of a request of its protocol (or S3's missing body),
# or None when the request cannot be read: moto answers it then.
_Found = list[str] | RequestRejected | None


def _json_errors(compiled: _Operation, request: Request, labels: Mapping[str, str]) -> _Found:
    try:
        body = _json_body(request.get_data())
    except ValueError:
        return None
    return validate(compiled.spec, body, wire=True) if isinstance(body, dict) else None


def _query_errors(compiled: _Operation, request: Request, labels: Mapping[str, str]) -> _Found:
    parser_class = EC2QueryParser if compiled.protocol == "ec2" else QueryParser
    try:
        parsed = parser_class(compiled.operation_model).parse(
            {
                "values": request.values,
                "method": request.method,
                "headers": request.headers,
                "body": request.get_data(),
                "url_path": request.path,
                "url_params": dict(labels),
            }
        )
    except Exception:  # moto's parser cannot read it: moto answers
        return None
    return validate(compiled.spec, parsed, wire=False)


def _rest_json_errors(compiled: _Operation, request: Request, labels: Mapping[str, str]) -> _Found:
    values = _located_values(compiled, request, labels)
    payload = compiled.payload
    if compiled.body or payload is not None:
        try:
            body = _json_body(request.get_data())
        except ValueError:
            return None
        if not isinstance(body, dict):
            return None
        for member in compiled.body:
            values[member.name] = body.get(member.wire)
        if payload is not None:
            structured = payload.spec.kind == "structure"
            values[payload.name] = (body if structured else request.get_data()) or None
    errors: list[str] = []
    _walk_members(compiled.spec.members, values.get, "", errors, wire=True, by_name=True)
    return errors


def _rest_xml_errors(compiled: _Operation, request: Request, labels: Mapping[str, str]) -> _Found:
    payload = compiled.payload
    if payload is not None and payload.required and not request.get_data():
        return RequestRejected(S3_MISSING_BODY, "Request Body is empty")
    values = _located_values(compiled, request, labels)
    errors: list[str] = []
    _walk_members(compiled.located, values.get, "", errors, wire=True, by_name=True)
    return errors


_READERS: dict[str, Callable[[_Operation, Request, Mapping[str, str]], _Found]] = {
    "json": _json_errors,
    "query": _query_errors,
    "ec2": _query_errors,
    "rest-json": _rest_json_errors,
    "rest-xml": _rest_xml_errors,
}


# --------------------------------------------------------------------------------------------
# The hook
# --------------------------------------------------------------------------------------------

_REJECTIONS: list[Rejection] = []
_REJECTIONS_LOCK = threading.Lock()


def _log(line: str) -> None:
    sys.stderr.write(f"guardduty-ecs request validation: {line}\n")
    sys.stderr.flush()


def _record(rejection: Rejection) -> None:
    with _REJECTIONS_LOCK:
        _REJECTIONS.append(rejection)
    _log(
        f"rejected {rejection.service} {rejection.operation} ({rejection.code}): "
        f"{rejection.message}"
    )


_UNCHECKED: set[tuple[str, str]] = set()


def _unchecked(service: str, reason: str) -> None:
    """Note, once per service and reason, a request this module could not check."""
    if (service, reason) not in _UNCHECKED:
        _UNCHECKED.add((service, reason))
        _log(f"not checked: {service} requests ({reason}); moto answers them as they are")


def _route(service: str, request: Request) -> tuple[_Operation, Mapping[str, str]] | None:
    """The compiled operation of ``request`` and its URI labels; None when it cannot be read."""
    model = _service_model(service)
    if model is None:
        return None  # no botocore model (moto's control API): not an AWS request
    if "gzip" in (request.headers.get("Content-Encoding") or ""):
        _unchecked(service, "gzip body, which moto inflates after this check")
        return None
    request.get_data()  # cached before any form parsing, so that moto still reads the body
    try:
        operation, labels = get_service_router(model.service_name).match(request)
        protocol = determine_request_protocol(model, request)
    except Exception:  # moto cannot route it: moto answers, not this check
        _unchecked(service, f"{request.method} {request.path} routes to no operation")
        return None
    if protocol not in _READERS:
        _unchecked(service, f"protocol {protocol}")
        return None
    return _operation(service, model, operation, protocol), labels


def check(service: str, request: Request) -> tuple[_Operation, RequestRejected] | None:
    """The rejection of ``request`` to moto's backend ``service``, or None if AWS accepts it (or
    this module cannot tell: see the module docstring)."""
    routed = _route(service, request)
    if routed is None or not routed[0].spec.checked:
        return None
    compiled, labels = routed
    found = _READERS[compiled.protocol](compiled, request, labels)
    if found is None:
        _unchecked(service, f"{compiled.operation_model.name} body not readable")
    if isinstance(found, RequestRejected):
        return compiled, found
    if not found:
        return None
    code = compiled.code
    if compiled.protocol == "ec2" and found[0].startswith("Value null at "):
        code = EC2_MISSING
    plural = "error" if len(found) == 1 else "errors"
    message = f"{len(found)} validation {plural} detected: " + "; ".join(found)
    return compiled, RequestRejected(code, message)


def _response(compiled: _Operation, rejection: RequestRejected) -> flask.Response:
    """The rejection as moto serializes an error for the protocol (status, headers, body); a JSON
    body names the message ``message``, as GuardDuty's, KMS's and ECS's error shapes do."""
    serializer_class = get_serializer_class(compiled.service_model.service_name, compiled.protocol)
    serialized = serializer_class(operation_model=compiled.operation_model).serialize(rejection)
    body = serialized["body"]
    if compiled.protocol in ("json", "rest-json") and isinstance(body, str):
        document = json.loads(body)
        document["message"] = document.pop("Message", rejection.message)
        body = json.dumps(document)
    return flask.Response(
        response=body, status=serialized["status_code"], headers=serialized["headers"]
    )


def _rejections_endpoint(
    request: Any, full_url: str, headers: Any
) -> tuple[int, dict[str, str], str]:
    """``GET /moto-api/guardduty-ecs/rejections``: the rejections so far; ``POST``: the same, and
    forget them (what a test harness takes after each test)."""
    with _REJECTIONS_LOCK:
        taken = [rejection.__dict__ for rejection in _REJECTIONS]
        if request.method == "POST":
            _REJECTIONS.clear()
    return 200, {"Content-Type": "application/json"}, json.dumps({"rejections": taken})


_ROUTE_KEY = "guardduty_ecs.routes"


def route_each_request_once() -> None:
    """Remember, on the request, which operation moto's router found for it: this check routes
    every request, and moto routes it again (``BaseResponse._get_action``, once or more per
    request). A request does not change while it is answered, so the answer is the same; the
    check's routing then costs moto nothing. This changes how fast the emulator answers, not
    what it answers."""
    original = routing.ServiceOperationRouter.match

    @functools.wraps(original)
    def match(self: routing.ServiceOperationRouter, request: Request) -> tuple[Any, dict[str, Any]]:
        routes = request.environ.setdefault(_ROUTE_KEY, {})
        found = routes.get(id(self))
        if found is None:
            try:
                found = original(self, request)
            except Exception as error:  # the same failure for every caller
                found = error
            routes[id(self)] = found
        if isinstance(found, Exception):
            raise found
        operation, params = found
        return operation, dict(params)  # callers may change theirs

    routing.ServiceOperationRouter.match = match  # type: ignore[method-assign]


def install() -> None:
    """Check every request to a moto backend before the backend (moto or an extension) sees it.

    The hook is moto's Flask view wrapper (``convert_to_flask_response``), the one place every
    server request passes with its service (the backend app's) and raw request, whatever handler
    follows: ``BaseResponse.dispatch`` for most services, S3's own ``bucket_dispatch`` and
    ``key_dispatch`` (which skip ``call_action``), and the routes the extensions add."""
    original = moto_utils.convert_to_flask_response.__call__

    @functools.wraps(original)
    def checked_call(self: Any, args: Any = None, **kwargs: Any) -> Any:
        service = getattr(flask.current_app, "service", None)
        if isinstance(service, str):
            request = normalize_request(flask.request)
            outcome = check(service, request)
            if outcome is not None:
                compiled, rejection = outcome
                _record(
                    Rejection(
                        service, compiled.operation_model.name, rejection.code, rejection.message
                    )
                )
                return _response(compiled, rejection)
        return original(self, args, **kwargs)

    moto_utils.convert_to_flask_response.__call__ = checked_call  # type: ignore[method-assign]
    route_each_request_once()
    moto_api_urls.url_paths["{0}/moto-api/guardduty-ecs/rejections"] = _rejections_endpoint
