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

The package: ``samples`` (what a sample finding is), ``model`` (storing, suppressing,
publishing, selecting and archiving findings), ``api`` (GuardDuty's responses and the
clock endpoint) and ``hooks`` (``install``).
"""
