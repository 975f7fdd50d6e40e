"""GuardDuty sample findings, ListFindings and GetFindings, for the emulator (a test backend).

moto 5.2.5 keeps GuardDuty detectors but has no findings at all. This extension adds, with the
REST paths, request and response shapes of botocore's GuardDuty model (JSON keys in camelCase,
``Finding.createdAt``/``updatedAt`` as ISO 8601 strings, as the model has them):

- ``CreateSampleFindings`` (``POST /detector/{detectorId}/findings/create``) stores one sample
  finding per requested type and puts a ``GuardDuty Finding`` event on the account's default
  event bus, whose ``detail`` is the finding as GetFindings returns it. Samples are marked as AWS
  marks them: ``service.additionalInfo.value`` is ``{"sample": true}``, and the title starts
  with ``[SAMPLE]`` (GuardDuty user guide, "Generating sample findings": "The title of sample
  findings always begins with [SAMPLE]").
- ``ListFindings`` (``POST /detector/{detectorId}/findings``) with ``FindingCriteria``,
  ``SortCriteria``, ``MaxResults`` (1-50) and ``NextToken``.
- ``GetFindings`` (``POST /detector/{detectorId}/findings/get``) by IDs; unknown IDs are left
  out, as AWS does.

Emulated semantics, where AWS leaves a choice or this emulator narrows it:

- Runtime types only. Without ``FindingTypes`` AWS creates one sample of *every* finding type;
  the emulator creates one of each type of ``guardduty_ecs.events.RUNTIME_FINDING_TYPES``, the
  Runtime Monitoring types this project alerts on. A requested type that is not a Runtime
  Monitoring type (``<Purpose>:Runtime/<Name>``) is rejected with ``BadRequestException``
  rather than given an ECS resource it would never have; a runtime-shaped type that is not in
  the list gets severity 5 and a generic title.
- Severity: each type's documented default severity (GuardDuty user guide, "GuardDuty Runtime
  Monitoring finding types"), as a number: High = 8, Medium = 5, Low = 2; the types whose
  severity the guide calls *Variable* (SuspiciousTool, the two SuspiciousCommand types) get 5.
  The title is the guide's one-line description of the type, after ``[SAMPLE] ``.
- Resource: an ECS Fargate task of the first active ECS cluster of moto's ECS backend (a
  running Fargate task of it if there is one, else a made-up task of its first Fargate service
  or task definition), or the placeholder cluster of ``guardduty_ecs.events.EcsTask`` when the
  account and region have no cluster.
- Repeating a sample type updates the detector's existing sample finding of that type (same ID,
  ``service.count`` + 1, new ``updatedAt`` and ``eventLastSeen``), as GuardDuty aggregates
  repeated findings; every CreateSampleFindings publishes its findings at once (the detector's
  finding publishing frequency is not emulated).
- ``FindingCriteria``: any dotted attribute path of the finding (``type``, ``severity``,
  ``resource.ecsClusterDetails.name``, ``service.archived``, ...); ``service.additionalInfo.X``
  reads ``X`` from the JSON in ``service.additionalInfo.value`` (so
  ``service.additionalInfo.sample`` Eq ``["true"]`` selects samples). ``Eq``/``Equals`` and
  ``Neq``/``NotEquals`` compare as strings (numbers numerically, booleans as ``true``/``false``);
  ``Gt``/``Gte``/``Lt``/``Lte`` and ``GreaterThan``/... compare numbers, and ISO timestamps
  (``createdAt``, ``updatedAt``, ``service.eventFirstSeen``, ...) as epoch milliseconds.
  Criteria are ANDed. Without ``SortCriteria`` findings come in creation order.

Findings live on moto's detector object, so they go with the detector and with a reset.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from moto.ecs.exceptions import TaskDefinitionNotFoundException
from moto.ecs.models import ecs_backends
from moto.events.models import events_backends
from moto.guardduty import urls
from moto.guardduty.models import Detector, guardduty_backends
from moto.guardduty.responses import GuardDutyResponse
from moto.utilities.utils import get_partition

from guardduty_ecs.emulator.guardduty import BadRequestException
from guardduty_ecs.events import (
    FINDING_DETAIL_TYPE,
    GUARDDUTY_SOURCE,
    RUNTIME_FINDING_TYPES,
    EcsTask,
    runtime_finding,
)

MAX_RESULTS = 50  # MaxResults of ListFindings and ListCoverage: 1-50 in the model
PUT_EVENTS_BATCH = 10  # PutEvents takes at most 10 entries

# The emulator's numbers for GuardDuty's severity levels (Low 1-3.9, Medium 4-6.9, High 7-8.9).
HIGH, MEDIUM, LOW = 8.0, 5.0, 2.0

# Default severity and one-line description of each Runtime Monitoring type, from the GuardDuty
# user guide (https://docs.aws.amazon.com/guardduty/latest/ug/findings-runtime-monitoring.html).
# "Variable" severities are MEDIUM here.
RUNTIME_FINDING_DEFAULTS: dict[str, tuple[float, str]] = {
    "CryptoCurrency:Runtime/BitcoinTool.B": (
        HIGH,
        "An Amazon EC2 instance or a container is querying an IP address that is associated "
        "with a cryptocurrency-related activity.",
    ),
    "Backdoor:Runtime/C&CActivity.B": (
        HIGH,
        "An Amazon EC2 instance or a container is querying an IP that is associated with a "
        "known command and control server.",
    ),
    "UnauthorizedAccess:Runtime/TorRelay": (
        HIGH,
        "Your Amazon EC2 instance or a container is making connections to a Tor network as a "
        "Tor relay.",
    ),
    "UnauthorizedAccess:Runtime/TorClient": (
        HIGH,
        "Your Amazon EC2 instance or a container is making connections to a Tor Guard or an "
        "Authority node.",
    ),
    "Trojan:Runtime/BlackholeTraffic": (
        MEDIUM,
        "An Amazon EC2 instance or a container is attempting to communicate with an IP address "
        "of a remote host that is a known black hole.",
    ),
    "Trojan:Runtime/DropPoint": (
        MEDIUM,
        "An Amazon EC2 instance or a container is attempting to communicate with an IP address "
        "of a remote host that is known to hold credentials and other stolen data captured by "
        "malware.",
    ),
    "CryptoCurrency:Runtime/BitcoinTool.B!DNS": (
        HIGH,
        "An Amazon EC2 instance or a container is querying a domain name that is associated "
        "with a cryptocurrency activity.",
    ),
    "Backdoor:Runtime/C&CActivity.B!DNS": (
        HIGH,
        "An Amazon EC2 instance or a container is querying a domain name that is associated "
        "with a known command and control server.",
    ),
    "Trojan:Runtime/BlackholeTraffic!DNS": (
        MEDIUM,
        "An Amazon EC2 instance or a container is querying a domain name that is being "
        "redirected to a black hole IP address.",
    ),
    "Trojan:Runtime/DropPoint!DNS": (
        MEDIUM,
        "An Amazon EC2 instance or a container is querying a domain name of a remote host that "
        "is known to hold credentials and other stolen data captured by malware.",
    ),
    "Trojan:Runtime/DGADomainRequest.C!DNS": (
        HIGH,
        "An Amazon EC2 instance or a container is querying algorithmically generated domains.",
    ),
    "Trojan:Runtime/DriveBySourceTraffic!DNS": (
        HIGH,
        "An Amazon EC2 instance or a container is querying a domain name of a remote host that "
        "is a known source of Drive-By download attacks.",
    ),
    "Trojan:Runtime/PhishingDomainRequest!DNS": (
        HIGH,
        "An Amazon EC2 instance or a container is querying domains involved in phishing attacks.",
    ),
    "Impact:Runtime/AbusedDomainRequest.Reputation": (
        MEDIUM,
        "An Amazon EC2 instance or a container is querying a low reputation domain name that "
        "is associated with known abused domains.",
    ),
    "Impact:Runtime/BitcoinDomainRequest.Reputation": (
        HIGH,
        "An Amazon EC2 instance or a container is querying a low reputation domain name that "
        "is associated with cryptocurrency-related activity.",
    ),
    "Impact:Runtime/MaliciousDomainRequest.Reputation": (
        HIGH,
        "An Amazon EC2 instance or a container is querying a low reputation domain that is "
        "associated with known malicious domains.",
    ),
    "Impact:Runtime/SuspiciousDomainRequest.Reputation": (
        LOW,
        "An Amazon EC2 instance or a container is querying a low reputation domain name that "
        "is suspicious in nature due to its age, or low popularity.",
    ),
    "UnauthorizedAccess:Runtime/MetadataDNSRebind": (
        HIGH,
        "An Amazon EC2 instance or a container is performing DNS lookups that resolve to the "
        "instance metadata service.",
    ),
    "Execution:Runtime/NewBinaryExecuted": (
        MEDIUM,
        "A newly created or recently modified binary file in a container has been executed.",
    ),
    "PrivilegeEscalation:Runtime/DockerSocketAccessed": (
        MEDIUM,
        "A process inside a container is communicating with Docker daemon using Docker socket.",
    ),
    "PrivilegeEscalation:Runtime/RuncContainerEscape": (
        HIGH,
        "A container escape attempt through runC was detected.",
    ),
    "PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified": (
        HIGH,
        "An attempt to modify a control group (cgroup) release agent file has been detected.",
    ),
    "DefenseEvasion:Runtime/ProcessInjection.Proc": (
        HIGH,
        "A process injection using proc filesystem was detected in a container or an Amazon "
        "EC2 instance.",
    ),
    "DefenseEvasion:Runtime/ProcessInjection.Ptrace": (
        MEDIUM,
        "A process injection using ptrace system call was detected in a container or an Amazon "
        "EC2 instance.",
    ),
    "DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite": (
        HIGH,
        "A process injection through a direct write to virtual memory was detected in a "
        "container or an Amazon EC2 instance.",
    ),
    "Execution:Runtime/ReverseShell": (
        HIGH,
        "A process in a container or an Amazon EC2 instance has created a reverse shell.",
    ),
    "DefenseEvasion:Runtime/FilelessExecution": (
        MEDIUM,
        "A process in a container or an Amazon EC2 instance is executing code from memory.",
    ),
    "Impact:Runtime/CryptoMinerExecuted": (
        HIGH,
        "A container or an Amazon EC2 instance is executing a binary file that is associated "
        "with a cryptocurrency mining activity.",
    ),
    "Execution:Runtime/NewLibraryLoaded": (
        MEDIUM,
        "A newly created or recently modified library was loaded by a process inside a container.",
    ),
    "PrivilegeEscalation:Runtime/ContainerMountsHostDirectory": (
        MEDIUM,
        "A process inside a container mounted a host filesystem at runtime.",
    ),
    "PrivilegeEscalation:Runtime/UserfaultfdUsage": (
        MEDIUM,
        "A process used userfaultfd system calls to handle page faults in user space.",
    ),
    "Execution:Runtime/SuspiciousTool": (
        MEDIUM,
        "A container or an Amazon EC2 instance is running a binary file or script that is "
        "frequently used in offensive security scenarios such as pentesting engagement.",
    ),
    "Execution:Runtime/SuspiciousCommand": (
        MEDIUM,
        "A suspicious command has been executed on an Amazon EC2 instance or a container that "
        "is indicative of a compromise.",
    ),
    "DefenseEvasion:Runtime/SuspiciousCommand": (
        MEDIUM,
        "A command has been executed on the listed Amazon EC2 instance or a container, it "
        "attempts to modify or disable a Linux defense mechanism, such as firewall or "
        "essential system services.",
    ),
    "DefenseEvasion:Runtime/PtraceAntiDebugging": (
        LOW,
        "A process in a container or an Amazon EC2 instance has executed an anti-debugging "
        "measure using the ptrace system call.",
    ),
    "Execution:Runtime/MaliciousFileExecuted": (
        HIGH,
        "A known malicious executable file has been executed on an Amazon EC2 instance or a "
        "container.",
    ),
}
SAMPLE_TITLE_PREFIX = "[SAMPLE] "
_RUNTIME_TYPE = re.compile(r"^[A-Za-z]+:Runtime/[A-Za-z0-9._&!-]+$")
_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

# One request at a time changes findings and coverage (moto's server is threaded).
LOCK = threading.RLock()


# --------------------------------------------------------------------------------------------
# REST plumbing shared with coverage.py
# --------------------------------------------------------------------------------------------


def add_route(suffix: str, name: str, handler: Callable[[GuardDutyResponse], str]) -> None:
    """Serve ``POST /detector/{detectorId}/<suffix>`` with ``handler`` as action ``name``.

    moto routes a GuardDuty request to the ``GuardDutyResponse`` method named after the
    operation that botocore's model finds for the path, so the handler becomes that method;
    the path must also be one of moto's URL patterns (read when the server app is created).
    """
    urls.url_paths[f"{{0}}/detector/(?P<detector_id>[^/]+)/{suffix}$"] = GuardDutyResponse.dispatch
    setattr(GuardDutyResponse, name, handler)


def request_body(response: GuardDutyResponse) -> dict[str, Any]:
    """The JSON body of the request (an empty body is an empty object)."""
    body = response.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    if not body:
        return {}
    try:
        parsed = json.loads(body)
    except ValueError as error:
        message = "The request is rejected because the body is not JSON."
        raise BadRequestException(message) from error
    if not isinstance(parsed, dict):
        raise BadRequestException("The request is rejected because the body is not an object.")
    return parsed


def detector_of(response: GuardDutyResponse) -> Detector:
    """The detector of the request path (moto's not-found error for an unknown one)."""
    match = re.search(r"/detector/([^/]+)/", response.path)
    detector_id = match.group(1) if match else ""
    return response.guardduty_backend.get_detector(detector_id)


def max_results(body: dict[str, Any]) -> int:
    """``maxResults`` of the request: 1-50, 50 when absent; anything else is rejected."""
    value = body.get("maxResults", MAX_RESULTS)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RESULTS:
        raise BadRequestException(
            f"The request is rejected because the input maxResults {value} is not valid: "
            f"it must be between 1 and {MAX_RESULTS}."
        )
    return value


def paginate(items: list[Any], body: dict[str, Any]) -> tuple[list[Any], str | None]:
    """One page of ``items`` for ``maxResults`` and ``nextToken``, and the next token."""
    limit = max_results(body)
    token = body.get("nextToken") or ""
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except (ValueError, binascii.Error) as error:
            raise BadRequestException(
                "The request is rejected because the input nextToken is not valid."
            ) from error
        if start < 0:
            raise BadRequestException(
                "The request is rejected because the input nextToken is not valid."
            )
    end = start + limit
    next_token = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], next_token


def publish(account_id: str, region: str, detail_type: str, details: list[dict[str, Any]]) -> None:
    """Put GuardDuty events on the default bus of the account and region, as GuardDuty does."""
    backend = events_backends[account_id][region]
    entries = [
        {
            "Source": GUARDDUTY_SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(detail),
            "Resources": [],
        }
        for detail in details
    ]
    for start in range(0, len(entries), PUT_EVENTS_BATCH):
        backend.put_events(entries[start : start + PUT_EVENTS_BATCH])


def state_of(detector: Detector, name: str, factory: Callable[[], Any]) -> Any:
    """Emulator state kept on moto's detector (so it goes with the detector and a reset)."""
    return detector.__dict__.setdefault(f"_guardduty_ecs_{name}", factory())


# --------------------------------------------------------------------------------------------
# Sample findings
# --------------------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _task_definition(backend: Any, reference: str | None) -> Any:
    if not reference:
        return None
    try:
        return backend.describe_task_definition(reference)
    except TaskDefinitionNotFoundException:
        return None


def is_fargate_task(task: Any) -> bool:
    return getattr(task, "launch_type", "") == "FARGATE" or getattr(
        task, "capacity_provider_name", None
    ) in ("FARGATE", "FARGATE_SPOT")


def _sample_resource(account_id: str, region: str) -> tuple[EcsTask, str, Any]:
    """The task a sample finding is about: (task, task ARN, moto task definition or None)."""
    backend = ecs_backends[account_id][region]
    cluster = next((c for c in backend.clusters.values() if c.status == "ACTIVE"), None)
    if cluster is None:
        task = EcsTask(account_id=account_id, region=region)
        return task, task.task_arn, None
    running = [
        task
        for task in backend.tasks.get(cluster.name, {}).values()
        if is_fargate_task(task) and task.desired_status == "RUNNING"
    ]
    if running:
        definition = _task_definition(backend, running[0].task_definition_arn)
        task_id, task_arn = running[0].id, running[0].task_arn
    else:
        services = [
            service
            for service in backend.services.values()
            if service.cluster_name == cluster.name and service.status == "ACTIVE"
        ]
        services.sort(key=lambda service: service.launch_type != "FARGATE")
        definition = _task_definition(
            backend, services[0].task_definition if services else None
        ) or next(
            (revisions[max(revisions)] for revisions in backend.task_definitions.values()),
            None,
        )
        task_id = uuid.uuid4().hex
        task_arn = (
            f"arn:{get_partition(region)}:ecs:{region}:{account_id}:task/{cluster.name}/{task_id}"
        )
    containers = definition.container_definitions if definition else []
    image = (containers[0].get("image") if containers else None) or EcsTask.image
    task = EcsTask(
        account_id=account_id, region=region, cluster=cluster.name, task_id=task_id, image=image
    )
    return task, task_arn, definition


def _sample_finding(
    detector: Detector,
    resource: tuple[EcsTask, str, Any],
    finding_type: str,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    severity, description = RUNTIME_FINDING_DEFAULTS.get(
        finding_type, (MEDIUM, f"Sample Runtime Monitoring finding {finding_type}.")
    )
    task, task_arn, definition = resource
    region = task.region
    finding = runtime_finding(
        finding_type,
        severity,
        SAMPLE_TITLE_PREFIX + description,
        task=task,
        sample=True,
        finding_id=previous["id"] if previous else None,
        detector_id=detector.id,
    )
    partition = get_partition(region)
    finding["partition"] = partition
    finding["arn"] = finding["arn"].replace("arn:aws:", f"arn:{partition}:", 1)
    finding["description"] = description
    ecs = finding["resource"]["ecsClusterDetails"]
    ecs["arn"] = ecs["arn"].replace("arn:aws:", f"arn:{partition}:", 1)
    details = ecs["taskDetails"]
    details["arn"] = task_arn.replace("arn:aws:", f"arn:{partition}:", 1)
    details["launchType"] = "FARGATE"
    if definition is not None:
        details["definitionArn"] = definition.arn
        details["version"] = str(definition.revision)
        first = (definition.container_definitions or [{}])[0]
        details["containers"][0]["name"] = first.get("name") or "app"
    else:
        details["definitionArn"] = details["definitionArn"].replace(
            "arn:aws:", f"arn:{partition}:", 1
        )
    if previous:
        finding["createdAt"] = previous["createdAt"]
        finding["service"]["eventFirstSeen"] = previous["service"]["eventFirstSeen"]
        finding["service"]["count"] = previous["service"]["count"] + 1
    return finding


def requested_types(body: dict[str, Any]) -> list[str]:
    """The finding types to sample: the requested ones, or every Runtime Monitoring type."""
    types = body.get("findingTypes") or list(RUNTIME_FINDING_TYPES)
    if not isinstance(types, list) or len(types) > MAX_RESULTS:
        raise BadRequestException(
            "The request is rejected because findingTypes must be a list of at most 50 types."
        )
    for finding_type in types:
        if not isinstance(finding_type, str) or not _RUNTIME_TYPE.match(finding_type):
            raise BadRequestException(
                f"The request is rejected because the finding type {finding_type} is not a "
                "Runtime Monitoring finding type (the emulator samples only those)."
            )
    return list(dict.fromkeys(types))


def create_sample_findings(
    detector: Detector, account_id: str, region: str, finding_types: list[str]
) -> list[dict[str, Any]]:
    """Store (or update) one sample finding per type, publish them, and return them."""
    with LOCK:
        findings: dict[str, dict[str, Any]] = state_of(detector, "findings", dict)
        samples = {
            finding["type"]: finding
            for finding in findings.values()
            if _value(finding, "service.additionalInfo.sample") == [True]
        }
        resource = _sample_resource(account_id, region)  # one task for all of this call
        created = []
        for finding_type in finding_types:
            finding = _sample_finding(detector, resource, finding_type, samples.get(finding_type))
            findings[finding["id"]] = finding
            created.append(finding)
        publish(account_id, region, FINDING_DETAIL_TYPE, copy.deepcopy(created))
        return created


# --------------------------------------------------------------------------------------------
# ListFindings / GetFindings
# --------------------------------------------------------------------------------------------


def _children(value: Any, key: str) -> list[Any]:
    if isinstance(value, list):
        return [child for item in value for child in _children(item, key)]
    if not isinstance(value, dict):
        return []
    if key in value:
        return [value[key]]
    embedded = value.get("value")
    if isinstance(embedded, str):  # service.additionalInfo.value holds JSON
        try:
            parsed = json.loads(embedded)
        except ValueError:
            return []
        if isinstance(parsed, dict) and key in parsed:
            return [parsed[key]]
    return []


def _value(finding: dict[str, Any], path: str) -> list[Any]:
    """Every value at the dotted ``path`` of the finding (lists are looked through)."""
    values: list[Any] = [finding]
    for key in path.split("."):
        values = [child for value in values for child in _children(value, key)]
    return [
        item
        for value in values
        for item in (value if isinstance(value, list) else [value])
        if item is not None
    ]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _ISO_TIMESTAMP.match(value):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment.timestamp() * 1000  # epoch milliseconds, as the criteria give them
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _equal(value: Any, wanted: Any) -> bool:
    if isinstance(value, bool):
        return str(wanted).lower() == ("true" if value else "false")
    left, right = _number(value), _number(wanted)
    if left is not None and right is not None and not isinstance(value, str):
        return left == right
    return str(value) == str(wanted)


_RANGES: dict[str, Callable[[float, float], bool]] = {
    "gt": lambda value, bound: value > bound,
    "greaterThan": lambda value, bound: value > bound,
    "gte": lambda value, bound: value >= bound,
    "greaterThanOrEqual": lambda value, bound: value >= bound,
    "lt": lambda value, bound: value < bound,
    "lessThan": lambda value, bound: value < bound,
    "lte": lambda value, bound: value <= bound,
    "lessThanOrEqual": lambda value, bound: value <= bound,
}


def matches(finding: dict[str, Any], criterion: dict[str, dict[str, Any]]) -> bool:
    """Whether the finding meets every condition of ``FindingCriteria.criterion``."""
    for path, condition in criterion.items():
        values = _value(finding, path)
        for name, operands in (condition or {}).items():
            if name in ("eq", "equals"):
                if not any(_equal(value, wanted) for value in values for wanted in operands):
                    return False
            elif name in ("neq", "notEquals"):
                if any(_equal(value, wanted) for value in values for wanted in operands):
                    return False
            elif name in _RANGES:
                bound = _number(operands)
                if bound is None:
                    raise BadRequestException(
                        f"The request is rejected because {name} of {path} is not a number."
                    )
                numbers = [number for number in map(_number, values) if number is not None]
                if not any(_RANGES[name](number, bound) for number in numbers):
                    return False
            else:
                raise BadRequestException(
                    f"The request is rejected because the condition {name} is not valid."
                )
    return True


def sort_findings(
    findings: Iterable[dict[str, Any]], sort: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """``findings`` ordered by ``SortCriteria`` (missing values last), else as they are."""
    ordered = list(findings)
    if not sort or not sort.get("attributeName"):
        return ordered
    descending = sort.get("orderBy", "ASC") == "DESC"

    def key(finding: dict[str, Any]) -> tuple[int, float, str]:
        values = _value(finding, sort["attributeName"])
        if not values:
            return (1, 0.0, "")
        number = _number(values[0])
        return (0, number, "") if number is not None else (0, 0.0, str(values[0]))

    present = [finding for finding in ordered if _value(finding, sort["attributeName"])]
    missing = [finding for finding in ordered if not _value(finding, sort["attributeName"])]
    return sorted(present, key=key, reverse=descending) + missing


def list_findings(detector: Detector, body: dict[str, Any]) -> dict[str, Any]:
    criterion = (body.get("findingCriteria") or {}).get("criterion") or {}
    with LOCK:
        findings = list(state_of(detector, "findings", dict).values())
    selected = sort_findings(
        (finding for finding in findings if matches(finding, criterion)), body.get("sortCriteria")
    )
    page, next_token = paginate(selected, body)
    result: dict[str, Any] = {"findingIds": [finding["id"] for finding in page]}
    if next_token:
        result["nextToken"] = next_token
    return result


def get_findings(detector: Detector, body: dict[str, Any]) -> dict[str, Any]:
    ids = body.get("findingIds") or []
    if not isinstance(ids, list) or len(ids) > MAX_RESULTS:
        raise BadRequestException(
            "The request is rejected because findingIds must be a list of at most 50 IDs."
        )
    with LOCK:
        stored = state_of(detector, "findings", dict)
        found = [copy.deepcopy(stored[i]) for i in dict.fromkeys(ids) if i in stored]
    return {"findings": sort_findings(found, body.get("sortCriteria"))}


# --------------------------------------------------------------------------------------------
# Handlers
# --------------------------------------------------------------------------------------------


def _create_sample_findings(self: GuardDutyResponse) -> str:
    body = request_body(self)
    detector = detector_of(self)
    create_sample_findings(detector, self.current_account, self.region, requested_types(body))
    return "{}"


def _list_findings(self: GuardDutyResponse) -> str:
    return json.dumps(list_findings(detector_of(self), request_body(self)))


def _get_findings(self: GuardDutyResponse) -> str:
    return json.dumps(get_findings(detector_of(self), request_body(self)))


def install() -> None:
    """Add CreateSampleFindings, ListFindings and GetFindings to moto's GuardDuty."""
    add_route("findings/create", "create_sample_findings", _create_sample_findings)
    add_route("findings/get", "get_findings", _get_findings)
    add_route("findings", "list_findings", _list_findings)


def detectors(account_id: str, region: str) -> list[Detector]:
    """The GuardDuty detectors of an account and region."""
    return list(guardduty_backends[account_id][region].detectors.values())
