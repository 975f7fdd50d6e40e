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
  ``finding_types.RUNTIME_FINDING_TYPES`` and ``ATTACK_SEQUENCE_FINDING_TYPES``, what this
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

import copy
import json
import logging
import re
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from moto.guardduty.models import Detector, guardduty_backends
from moto.guardduty.responses import GuardDutyResponse
from moto.moto_api._internal import urls as moto_api_urls
from moto.moto_api._internal.models import MotoAPIBackend
from moto.utilities.utils import get_partition

from guardduty_ecs.events import (
    EcsTask,
    attack_sequence_finding,
    runtime_finding,
    sequence_resources,
)
from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.locking import LOCK
from guardduty_ecs_emulator.core.pagination import MAX_RESULTS, paginate
from guardduty_ecs_emulator.core.publishing import ADMINISTRATOR_OF, publish_findings
from guardduty_ecs_emulator.core.requests import detector_of, request_body
from guardduty_ecs_emulator.core.routing import add_route
from guardduty_ecs_emulator.core.state import state_of
from guardduty_ecs_emulator.services.guardduty.criteria import matches, sort_findings, values_at
from guardduty_ecs_emulator.services.guardduty.finding_types import (
    ATTACK_SEQUENCE_DEFAULTS,
    ATTACK_SEQUENCE_FINDING_TYPES,
    MEDIUM,
    RUNTIME_FINDING_DEFAULTS,
    RUNTIME_FINDING_TYPES,
)

_RUNTIME_TYPE = re.compile(r"^[A-Za-z]+:Runtime/[A-Za-z0-9._&!-]+$")


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
            if values_at(finding, "service.additionalInfo.sample") == [True]
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
