"""GuardDuty sample findings, ListFindings and GetFindings, for the emulator (a test backend).

moto 5.2.5 keeps GuardDuty detectors but has no findings at all. This extension adds, with the
REST paths, request and response shapes of botocore's GuardDuty model (JSON keys in camelCase,
``Finding.createdAt``/``updatedAt`` as ISO 8601 strings, as the model has them):

- ``CreateSampleFindings`` (``POST /detector/{detectorId}/findings/create``) stores one sample
  finding per requested type and puts a ``GuardDuty Finding`` event on the account's default
  event bus, whose ``detail`` is the finding as GetFindings returns it. Samples are what AWS
  makes them: "approximations populated with placeholder values" (GuardDuty user guide, "Sample
  findings"). ``service.additionalInfo.value`` is ``{"sample": true}``; the resource is
  GuardDuty's placeholder ECS cluster and task (``GeneratedFindingECSClusterName``,
  ``GeneratedFindingContainerImage``, ARNs with a literal ``region`` and account
  ``123456789000``), as real ECS runtime samples carry them (published sample findings in public
  test fixtures; the guide lists no values), never a cluster of the account.
- ``ListFindings`` (``POST /detector/{detectorId}/findings``) with ``FindingCriteria``,
  ``SortCriteria``, ``MaxResults`` (1-50) and ``NextToken``.
- ``GetFindings`` (``POST /detector/{detectorId}/findings/get``) by IDs; unknown IDs are left
  out, as AWS does.

Emulated semantics, where AWS leaves a choice or this emulator narrows it:

- Runtime and attack sequence types only. Without ``FindingTypes`` AWS creates one sample of
  *every* finding type, "including attack sequence finding types" (user guide, "Generating
  sample findings"); the emulator creates one of each type of
  ``guardduty_ecs.events.RUNTIME_FINDING_TYPES`` and ``ATTACK_SEQUENCE_FINDING_TYPES``, what this
  project alerts on. Any other requested type is rejected with ``BadRequestException`` rather
  than given a resource it would never have (**chosen**); a runtime-shaped type
  (``<Purpose>:Runtime/<Name>``) that is not in the list gets severity 5 and a generic title.
- Attack sequences (user guide, "GuardDuty attack sequence finding types": each type's "Default
  severity: Critical") are shaped as botocore's model and public sample events have them:
  ``resource`` is ``{"resourceType": "AttackSequence"}``, the feature ``Correlation``, and
  ``service.detection.sequence`` holds the signals and, for the ECS sequence, GuardDuty's
  placeholder cluster and task as ``ECS_CLUSTER`` and ``ECS_TASK`` resources. Critical is 9.0
  (**chosen** within the band 9.0-10.0).
- Severity: each type's documented default severity (GuardDuty user guide, "GuardDuty Runtime
  Monitoring finding types"), as a number: High = 8, Medium = 5, Low = 2; the types whose
  severity the guide calls *Variable* (SuspiciousTool, the two SuspiciousCommand types) get 5.
- Title: the guide's one-line description of the type, without a ``[SAMPLE]`` prefix. The guide
  says "The title of sample findings always begins with [SAMPLE]"; sample findings read through
  the API in public fixtures have no prefix (it is the console's), so the emulator follows the
  API. Chosen where the two sources disagree.
- Publication (GuardDuty user guide, "Exporting findings"): "New Active findings that GuardDuty
  generates are automatically exported within about 5 minutes"; "The frequency that you select
  applies to the exporting of new occurrences of existing findings to CloudWatch Events". A new
  sample is published at once (chosen: the low end of "within about 5 minutes"). Repeating a
  sample type updates the detector's existing sample of that type (same ID, ``service.count``
  + 1, new ``updatedAt`` and ``eventLastSeen``; the guide does not say so, samples read from
  accounts do), and that update is published only when the detector's finding publishing
  frequency has passed since the finding was last published. The emulator's clock
  (``POST /moto-api/guardduty-ecs/clock``, ``{"advance_seconds": N}``) moves that time forward
  for tests instead of sleeping; due updates are published when the clock moves and at every
  findings request.
- ``FindingCriteria``: any dotted attribute path of the finding (``type``, ``severity``,
  ``resource.ecsClusterDetails.name``, ``service.archived``, ...); ``service.additionalInfo.X``
  reads ``X`` from the JSON in ``service.additionalInfo.value`` (so
  ``service.additionalInfo.sample`` Eq ``["true"]`` selects samples). ``Eq``/``Equals`` and
  ``Neq``/``NotEquals`` compare as strings (numbers numerically, booleans as ``true``/``false``);
  ``Gt``/``Gte``/``Lt``/``Lte`` and ``GreaterThan``/... compare numbers, and ISO timestamps
  (``createdAt``, ``updatedAt``, ``service.eventFirstSeen``, ...) as epoch milliseconds.
  Criteria are ANDed. Without ``SortCriteria`` findings come in creation order.

- Suppression (ARCHIVE) filters: a new or repeated sample that matches the criteria of an
  ARCHIVE filter of the detector (moto's Filter, ``findingCriteria.criterion``, read with
  ``matches``; filters taken by ``rank``, the highest-ranked matching one suppresses) is stored
  with ``service.archived`` true and not published; neither are its later occurrences. GuardDuty
  user guide, "Suppression rules": "Suppressed findings are not sent to AWS Security Hub, Amazon
  S3 or CloudWatch Events"; "Monitoring archived GuardDuty findings with CloudWatch Events": "For
  the auto-archived findings, the initial and all subsequent occurrences of these findings
  (generated after the archiving is complete) are *not* sent to CloudWatch Events." NOOP filters
  change nothing.
- ``ArchiveFindings`` / ``UnarchiveFindings`` (``POST /detector/{detectorId}/findings/archive``,
  ``.../unarchive``, 0-50 IDs) set ``service.archived``. A manually archived finding still
  publishes its later occurrences: "For the manually archived findings, the initial and all
  subsequent occurrences of these findings (generated after the archiving is complete) are sent
  to CloudWatch Events per frequency described above" (same page). It stays archived
  (**chosen**: the page does not say). A member account may not archive: "Only the
  administrator account can archive findings. Member accounts don't have permission to archive
  findings from their accounts." (API reference, ArchiveFindings); the error code,
  ``BadRequestException``, is **chosen**.
- A member account's finding is also held against its administrator's ARCHIVE
  filters in the same Region: the administrator customizes "findings within the GuardDuty
  network through the creation and management of suppression rules, trusted IP lists, and threat
  lists. Member accounts lose access to these features" (user guide, "Understanding the
  relationship between GuardDuty administrator account and member accounts"); that the
  administrator's rules archive a member's findings is read from that sentence (**chosen**: no
  page says it in so many words).
- Administrator: a finding of a member account (relationship Enabled, see ``organization``) is
  also put on the default bus of its administrator account in the same Region. User guide,
  "Processing GuardDuty findings with Amazon EventBridge", "EventBridge rule for GuardDuty
  multi-account environments": "EventBridge rules in your administrator account will trigger
  based on applicable findings from your member accounts. If you set up finding notifications
  through EventBridge in your administrator account, you will receive notifications of findings
  from both your account and member accounts." The event on the administrator's bus is the
  administrator's: its ``account`` is the administrator account, and the member is named by the
  finding ("You can identify the member account where the GuardDuty finding originated using the
  ``accountId`` field of the finding's JSON details", same section). That ``account`` is the
  administrator's is what consumers saw on AWS: aws-samples/amazon-guardduty-to-slack#6 ("This
  will show the real AccountID instead of the Parent Account AccountID. ... The Slack message
  always showing AccountID01 even the guard duty alerts belongs to AccountID02") and #7 (read
  ``message.detail.accountId``). Coverage events stay on the member's bus.
- A member's updates follow its administrator's finding publishing frequency, not the member
  detector's own: "Only an administrator account can update the EventBridge notification
  frequency for subsequent finding occurrences. A member account can't update this frequency for
  their own account. For example, if the delegated GuardDuty administrator account updates the
  frequency to one hour, all member accounts will also have one hour notification frequency
  about the subsequent finding occurrences sent to EventBridge." (same page, "Understanding
  EventBridge notification frequency in GuardDuty"). The emulator reads the administrator
  detector's frequency when an update is scheduled (**chosen**: when AWS copies it is not said).

Findings live on moto's detector object, so they go with the detector and with a reset.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.events.models import events_backends
from moto.guardduty import urls
from moto.guardduty.models import Detector, guardduty_backends
from moto.guardduty.responses import GuardDutyResponse
from moto.moto_api._internal import urls as moto_api_urls
from moto.moto_api._internal.models import MotoAPIBackend
from moto.utilities.utils import get_partition

from guardduty_ecs.emulator.guardduty import BadRequestException
from guardduty_ecs.events import (
    ATTACK_SEQUENCE_FINDING_TYPES,
    FINDING_DETAIL_TYPE,
    GUARDDUTY_SOURCE,
    RUNTIME_FINDING_TYPES,
    EcsTask,
    attack_sequence_finding,
    runtime_finding,
    sequence_resources,
)

MAX_RESULTS = 50  # MaxResults of ListFindings and ListCoverage: 1-50 in the model
PUT_EVENTS_BATCH = 10  # PutEvents takes at most 10 entries

# The emulator's numbers for GuardDuty's severity levels (Low 1-3.9, Medium 4-6.9, High 7-8.9,
# Critical 9-10).
CRITICAL, HIGH, MEDIUM, LOW = 9.0, 8.0, 5.0, 2.0

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
# Default severity and description of each attack sequence type, from the GuardDuty user guide
# ("GuardDuty attack sequence finding types"). The ECS text is the guide's; the others follow its
# wording for their resource (chosen).
ATTACK_SEQUENCE_DEFAULTS: dict[str, tuple[float, str]] = {
    "AttackSequence:ECS/CompromisedCluster": (
        CRITICAL,
        "A sequence of suspicious actions performed by potentially compromised Amazon ECS cluster.",
    ),
    "AttackSequence:EC2/CompromisedInstanceGroup": (
        CRITICAL,
        "A sequence of suspicious actions indicates a potentially compromised group of Amazon "
        "EC2 instances.",
    ),
    "AttackSequence:EKS/CompromisedCluster": (
        CRITICAL,
        "A sequence of suspicious actions performed by potentially compromised Amazon EKS cluster.",
    ),
    "AttackSequence:IAM/CompromisedCredentials": (
        CRITICAL,
        "A sequence of API requests invoked by using potentially compromised AWS credentials.",
    ),
    "AttackSequence:S3/CompromisedData": (
        CRITICAL,
        "A sequence of suspicious actions indicates a potential data compromise in Amazon S3.",
    ),
}
assert set(ATTACK_SEQUENCE_DEFAULTS) == set(ATTACK_SEQUENCE_FINDING_TYPES)
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


# Who administers a member account's GuardDuty in a Region; organization.install() sets it.
ADMINISTRATOR_OF: list[Callable[[str, str], str | None]] = [lambda account_id, region: None]

# Writers of published findings to S3 publishing destinations; detection_controls.install() adds
# its own. Called with the account whose detector exports, the Region and the findings.
FINDING_EXPORTERS: list[Callable[[str, str, list[dict[str, Any]]], None]] = []


def _export(account_id: str, region: str, details: list[dict[str, Any]]) -> None:
    """Hand published findings to the exporters: for the account's own detector and, for a
    member account, its administrator's ("all findings from associated member accounts ... are
    also exported to the same location that you configured for the administrator account", user
    guide, "Exporting findings")."""
    administrator = ADMINISTRATOR_OF[0](account_id, region)
    for exporter in FINDING_EXPORTERS:
        exporter(account_id, region, details)
        if administrator is not None:
            exporter(administrator, region, details)


def publish_findings(account_id: str, region: str, details: list[dict[str, Any]]) -> None:
    """Publish finding events on the account's default bus and, for a member account, also on
    its administrator's default bus in the same Region (see ``organization``): there the event's
    ``account`` is the administrator's and ``detail.accountId`` the member's (see the module's
    docstring, "Administrator")."""
    if not details:
        return
    _export(account_id, region, details)
    publish(account_id, region, FINDING_DETAIL_TYPE, details)
    administrator = ADMINISTRATOR_OF[0](account_id, region)
    if administrator is None:
        return
    publish(administrator, region, FINDING_DETAIL_TYPE, details)


def administrator_detector(account_id: str, region: str) -> Detector | None:
    """The detector of the account's GuardDuty administrator in the Region, if it has one."""
    administrator = ADMINISTRATOR_OF[0](account_id, region)
    if administrator is None:
        return None
    return next(iter(guardduty_backends[administrator][region].detectors.values()), None)


def suppressing_filter(detector: Detector, finding: dict[str, Any]) -> str | None:
    """The name of the highest-ranked ARCHIVE filter (suppression rule) of the detector that
    matches the finding, if any; a filter whose criteria cannot be evaluated matches nothing."""
    for rule in sorted(detector.filters.values(), key=lambda f: (f.rank or 0, f.name)):
        if rule.action != "ARCHIVE":
            continue
        criterion = (rule.finding_criteria or {}).get("criterion") or {}
        try:
            if criterion and matches(finding, criterion):
                return str(rule.name)
        except BadRequestException:
            continue
    return None


# --------------------------------------------------------------------------------------------
# Sample findings
# --------------------------------------------------------------------------------------------


class Clock:
    """The emulator's time for findings: the real time, plus what tests have advanced it by."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        self._offset = timedelta()


CLOCK = Clock()

# The detector's finding publishing frequency (botocore's FindingPublishingFrequency enum).
PUBLISHING_FREQUENCIES = {
    "FIFTEEN_MINUTES": timedelta(minutes=15),
    "ONE_HOUR": timedelta(hours=1),
    "SIX_HOURS": timedelta(hours=6),
}

# GuardDuty's placeholders in an ECS runtime sample finding, as real samples carry them.
SAMPLE_PLACEHOLDER_ACCOUNT = "123456789000"
SAMPLE_ECS_CLUSTER = "GeneratedFindingECSClusterName"
SAMPLE_CONTAINER_NAME = "GeneratedFindingContainerName"
SAMPLE_CONTAINER_IMAGE = "GeneratedFindingContainerImage"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _sample_finding(
    detector: Detector,
    account_id: str,
    region: str,
    finding_type: str,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    if finding_type in ATTACK_SEQUENCE_DEFAULTS:
        finding = _sample_sequence(detector, account_id, region, finding_type, previous)
    else:
        finding = _sample_runtime_finding(detector, account_id, region, finding_type, previous)
    partition = get_partition(region)
    finding["partition"] = partition
    finding["arn"] = finding["arn"].replace("arn:aws:", f"arn:{partition}:", 1)
    now = _iso(CLOCK.now())
    finding["updatedAt"] = now
    finding["service"]["eventLastSeen"] = now
    if previous:
        finding["createdAt"] = previous["createdAt"]
        finding["service"]["eventFirstSeen"] = previous["service"]["eventFirstSeen"]
        finding["service"]["count"] = previous["service"]["count"] + 1
    else:
        finding["createdAt"] = now
        finding["service"]["eventFirstSeen"] = now
    return finding


def _sample_sequence(
    detector: Detector,
    account_id: str,
    region: str,
    finding_type: str,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    severity, description = ATTACK_SEQUENCE_DEFAULTS[finding_type]
    placeholder_task = EcsTask(
        account_id=SAMPLE_PLACEHOLDER_ACCOUNT,
        region="region",
        cluster=SAMPLE_ECS_CLUSTER,
        task_id="043de9ab3",
    )
    # Only the ECS sequence's resources are emulated; the others carry none (the model allows it).
    ecs = finding_type == "AttackSequence:ECS/CompromisedCluster"
    resources = sequence_resources(placeholder_task) if ecs else None
    return attack_sequence_finding(
        finding_type,
        severity,
        description,
        resources=resources,
        account_id=account_id,
        region=region,
        sample=True,
        finding_id=previous["id"] if previous else None,
        detector_id=detector.id,
    )


def _sample_runtime_finding(
    detector: Detector,
    account_id: str,
    region: str,
    finding_type: str,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    severity, description = RUNTIME_FINDING_DEFAULTS.get(
        finding_type, (MEDIUM, f"Sample Runtime Monitoring finding {finding_type}.")
    )
    placeholder = f"arn:aws:ecs:region:{SAMPLE_PLACEHOLDER_ACCOUNT}"
    finding = runtime_finding(
        finding_type,
        severity,
        description,
        task=EcsTask(
            account_id=account_id,
            region=region,
            cluster=SAMPLE_ECS_CLUSTER,
            image=SAMPLE_CONTAINER_IMAGE,
        ),
        sample=True,
        finding_id=previous["id"] if previous else None,
        detector_id=detector.id,
    )
    ecs = finding["resource"]["ecsClusterDetails"]
    ecs["arn"] = f"{placeholder}:cluster/clusterName"
    ecs["tags"] = [
        {"key": "GeneratedFindingECSClusterTag1", "value": "GeneratedFindingECSClusterTagValue1"}
    ]
    details = ecs["taskDetails"]
    details["arn"] = f"{placeholder}:task/mycluster/043de9ab3"
    details["definitionArn"] = f"{placeholder}:task-definition/mycluster/76f1f1asdf"
    details["startedBy"] = "GeneratedFindingECSTaskStartedBy"
    details["launchType"] = "FARGATE"
    details["containers"][0]["name"] = SAMPLE_CONTAINER_NAME
    return finding


def requested_types(body: dict[str, Any]) -> list[str]:
    """The finding types to sample: the requested ones, or every Runtime Monitoring and attack
    sequence type."""
    types = body.get("findingTypes") or [*RUNTIME_FINDING_TYPES, *ATTACK_SEQUENCE_FINDING_TYPES]
    if not isinstance(types, list) or len(types) > MAX_RESULTS:
        raise BadRequestException(
            "The request is rejected because findingTypes must be a list of at most 50 types."
        )
    for finding_type in types:
        if not isinstance(finding_type, str) or not (
            _RUNTIME_TYPE.match(finding_type) or finding_type in ATTACK_SEQUENCE_DEFAULTS
        ):
            raise BadRequestException(
                f"The request is rejected because the finding type {finding_type} is not a "
                "Runtime Monitoring or attack sequence finding type (the emulator samples only "
                "those)."
            )
    return list(dict.fromkeys(types))


def publish_due_updates(detector: Detector, account_id: str, region: str) -> None:
    """Publish the updated findings whose publishing frequency has passed."""
    with LOCK:
        findings: dict[str, dict[str, Any]] = state_of(detector, "findings", dict)
        due_at: dict[str, datetime] = state_of(detector, "updates_due", dict)
        published: dict[str, datetime] = state_of(detector, "published_at", dict)
        now = CLOCK.now()
        due = [finding_id for finding_id, moment in due_at.items() if moment <= now]
        for finding_id in due:
            del due_at[finding_id]
            published[finding_id] = now
        details = [copy.deepcopy(findings[finding_id]) for finding_id in due]
    # Delivery (rules, topics, queues) runs outside the lock, as GuardDuty's publishing would.
    if details:
        publish_findings(account_id, region, details)


def publish_all_due_updates() -> None:
    """Publish the due updates of every detector in every account and region."""
    for account_id, regions in list(guardduty_backends.items()):
        for region, backend in list(regions.items()):
            for detector in list(backend.detectors.values()):
                publish_due_updates(detector, account_id, region)


def _publish_as_time_passes(every_seconds: float = 5.0) -> None:
    """On AWS updates go out when the frequency has passed, whoever asks: so here, too."""
    while True:
        time.sleep(every_seconds)
        try:
            publish_all_due_updates()
        except Exception:
            logging.getLogger(__name__).exception("publishing due finding updates failed")


def create_sample_findings(
    detector: Detector, account_id: str, region: str, finding_types: list[str]
) -> list[dict[str, Any]]:
    """Store (or update) one sample finding per type; publish the new ones now, the updates at
    the finding publishing frequency (the administrator's for a member account: see the module's
    docstring); return them all."""
    with LOCK:
        findings: dict[str, dict[str, Any]] = state_of(detector, "findings", dict)
        due_at: dict[str, datetime] = state_of(detector, "updates_due", dict)
        published: dict[str, datetime] = state_of(detector, "published_at", dict)
        suppressed: set[str] = state_of(detector, "suppressed", set)
        administrator = administrator_detector(account_id, region)
        frequency = PUBLISHING_FREQUENCIES.get(
            getattr(
                detector if administrator is None else administrator, "finding_publish_freq", ""
            ),
            PUBLISHING_FREQUENCIES["SIX_HOURS"],
        )
        samples = {
            finding["type"]: finding
            for finding in findings.values()
            if _value(finding, "service.additionalInfo.sample") == [True]
        }
        created, new = [], []
        for finding_type in finding_types:
            previous = samples.get(finding_type)
            finding = _sample_finding(detector, account_id, region, finding_type, previous)
            findings[finding["id"]] = finding
            created.append(finding)
            if (
                finding["id"] in suppressed
                or suppressing_filter(detector, finding)
                or (administrator is not None and suppressing_filter(administrator, finding))
            ):
                # Auto-archived: neither this occurrence nor later ones are published.
                finding["service"]["archived"] = True
                suppressed.add(finding["id"])
                due_at.pop(finding["id"], None)
                continue
            if previous and previous["service"].get("archived"):
                finding["service"]["archived"] = True  # archived by hand: it stays archived
            if previous is None:
                new.append(finding)
                published[finding["id"]] = CLOCK.now()
            elif finding["id"] not in due_at:
                due_at[finding["id"]] = published.get(finding["id"], CLOCK.now()) + frequency
        details = copy.deepcopy(new)
    publish_findings(account_id, region, details)
    publish_due_updates(detector, account_id, region)
    return created


def _advance_clock(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``POST /moto-api/guardduty-ecs/clock`` with ``{"advance_seconds": N}``: move the
    emulator's time forward and publish every update that became due; answers the new time."""
    body = request.get_data() if hasattr(request, "get_data") else request.body
    seconds = json.loads(body or b"{}").get("advance_seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        return 400, {}, json.dumps({"message": "advance_seconds must be a number >= 0"})
    CLOCK.advance(seconds)
    publish_all_due_updates()
    return 200, {"Content-Type": "application/json"}, json.dumps({"now": _iso(CLOCK.now())})


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
    """Whether the finding meets every condition of ``FindingCriteria.criterion``.

    ``severity`` with ``Eq``/``Equals`` or ``Neq``/``NotEquals`` takes band values: botocore's
    model, CreateFilter ``FindingCriteria``: "To filter on the basis of severity, the API and CLI
    use the following input list for the FindingCriteria condition: Low: ["1", "2", "3"] Medium:
    ["4", "5", "6"] High: ["7", "8"] Critical: ["9", "10"]". So a whole number N stands for the
    severities from N.0 to below N+1 (``Eq ["8"]`` covers 8.0 to 8.9, ``["10"]`` is 10.0); that
    each number covers its unit interval is the emulator's reading of the list (**chosen**). Any
    other operand, and every other attribute, compares exactly. The same ``FindingCriteria`` shape
    serves ListFindings, so it reads severity the same way.
    """

    def equal(path: str, value: Any, wanted: Any) -> bool:
        if path == "severity" and isinstance(wanted, str) and wanted.strip().isdigit():
            number = _number(value)
            if number is not None:
                return int(number) == int(wanted)
        return _equal(value, wanted)

    for path, condition in criterion.items():
        values = _value(finding, path)
        for name, operands in (condition or {}).items():
            if name in ("eq", "equals"):
                if not any(equal(path, value, wanted) for value in values for wanted in operands):
                    return False
            elif name in ("neq", "notEquals"):
                if any(equal(path, value, wanted) for value in values for wanted in operands):
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
    detector = detector_of(self)
    publish_due_updates(detector, self.current_account, self.region)
    return json.dumps(list_findings(detector, request_body(self)))


def _get_findings(self: GuardDutyResponse) -> str:
    detector = detector_of(self)
    publish_due_updates(detector, self.current_account, self.region)
    return json.dumps(get_findings(detector, request_body(self)))


def set_archived(
    detector: Detector, account_id: str, region: str, body: dict[str, Any], archived: bool
) -> None:
    """ArchiveFindings (``archived`` true) or UnarchiveFindings of the body's ``findingIds``."""
    ids = body.get("findingIds")
    if not isinstance(ids, list) or len(ids) > MAX_RESULTS:
        raise BadRequestException(
            "The request is rejected because findingIds must be a list of at most 50 IDs."
        )
    if ADMINISTRATOR_OF[0](account_id, region) is not None:
        raise BadRequestException(
            "The request is rejected because only the administrator account can archive or "
            "unarchive findings; member accounts don't have permission."
        )
    with LOCK:
        stored = state_of(detector, "findings", dict)
        for finding_id in ids:
            if finding_id in stored:
                stored[finding_id]["service"]["archived"] = archived


def _archive_findings(self: GuardDutyResponse) -> str:
    set_archived(detector_of(self), self.current_account, self.region, request_body(self), True)
    return "{}"


def _unarchive_findings(self: GuardDutyResponse) -> str:
    set_archived(detector_of(self), self.current_account, self.region, request_body(self), False)
    return "{}"


def install() -> None:
    """Add CreateSampleFindings, ListFindings, GetFindings, ArchiveFindings and
    UnarchiveFindings to moto's GuardDuty, and the emulator's clock to moto's control API."""
    add_route("findings/create", "create_sample_findings", _create_sample_findings)
    add_route("findings/archive", "archive_findings", _archive_findings)
    add_route("findings/unarchive", "unarchive_findings", _unarchive_findings)
    add_route("findings/get", "get_findings", _get_findings)
    add_route("findings", "list_findings", _list_findings)
    moto_api_urls.url_paths["{0}/moto-api/guardduty-ecs/clock"] = _advance_clock
    # A reset of the emulator (moto's /moto-api/reset) also brings its clock back to real time.
    original_reset = MotoAPIBackend.reset

    def reset(self: MotoAPIBackend) -> None:
        original_reset(self)
        CLOCK.reset()

    MotoAPIBackend.reset = reset  # type: ignore[method-assign]
    threading.Thread(target=_publish_as_time_passes, daemon=True, name="finding-updates").start()


def detectors(account_id: str, region: str) -> list[Detector]:
    """The GuardDuty detectors of an account and region."""
    return list(guardduty_backends[account_id][region].detectors.values())
