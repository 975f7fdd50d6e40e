"""Trusted IP sets, threat intel sets, publishing destinations, filter tags and resource tags of
GuardDuty, for the emulator (a test backend).

moto 5.2.5 has none of these but filters, and drops the tags of a filter. With botocore's shapes:

- IP sets and threat intel sets (Create/Get/Update/Delete/List): ``format`` is botocore's enum
  (TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT, FIRE_EYE); ``location`` is an S3 URL
  (``https://s3.amazonaws.com/bucket/key``, ``https://bucket.s3[.region].amazonaws.com/key``,
  ``s3://bucket/key``) whose object must exist in the emulator's S3, because GuardDuty reads it
  (the message of the rejection is the emulator's: no AWS text was found). A deleted set answers
  GetIPSet with status DELETED at once (the provider's finder reads DELETED as gone; DELETE_PENDING
  is not emulated: chosen) and leaves the lists. Quotas (GuardDuty user guide, "Quotas for Amazon
  GuardDuty"): "Trusted IP sets | 1 | The maximum number of trusted IP sets that can be uploaded
  and activated per AWS account per Region" and "Threat intel sets | 6 | The maximum number of
  Threat intel sets that you can add per AWS account per Region". A member account may not manage
  them ("Member accounts lose access to these features in a multiple-account environment", user
  guide, relationship between administrator and member accounts).
- Activation takes time. User guide, "Customizing threat detection with entity lists and IP
  address lists": "After you activate, deactivate, or delete an entity list or IP address list,
  the process is estimated to complete within 15 minutes. In certain scenarios, it may take up to
  40 minutes"; botocore's IpSetStatus and ThreatIntelSetStatus enums have ACTIVATING and
  DEACTIVATING. A set created or updated with ``activate`` true reads ACTIVATING, one updated
  with ``activate`` false from active reads DEACTIVATING, until ``LIST_SETTLE_SECONDS`` have
  passed on the emulator's clock (``core.clock.CLOCK``: real time plus what
  ``POST /moto-api/guardduty-ecs/clock`` advanced), then ACTIVE or INACTIVE. A set created
  inactive is INACTIVE at once (nothing to deactivate: chosen). The delay is the emulator's
  (``GUARDDUTY_ECS_EMULATOR_LIST_SETTLE_SECONDS``, default 1 s), not AWS's minutes, so that the
  provider's waiter passes quickly: hashicorp/aws (5.100, and 6.x, ``internal/service/guardduty/
  ipset.go`` and ``threatintelset.go``) waits after a create while the status is ACTIVATING or
  DEACTIVATING for ACTIVE or INACTIVE, reading at once and then after 3 s (``MinTimeout``), for
  at most 5 minutes; it does not wait after an update, and reads ``activate`` as ``status ==
  ACTIVE``.
- Re-reading a list. Same page: "Whenever you add or update an entry in the list's S3 bucket
  location, you must activate the list again". UpdateIPSet / UpdateThreatIntelSet with a
  ``location`` checks the new object as CreateIPSet does, and, on a set that is (or is being
  made) active, activates it again: ACTIVATING, then ACTIVE. That a new location alone, without
  ``activate``, makes GuardDuty read the list is **chosen** (the API reference says only "The
  updated URI of the file that contains the IPSet"); it is what the provider sends when
  ``location`` changes, and what ``modules/detection-controls`` relies on.
- Publishing destinations (Create/Describe/Update/Delete/List), ``destinationType`` S3 only:
  "Before you start exporting the findings, the destination resource must exist" (API reference,
  CreatePublishingDestination), so an unknown bucket is rejected.
- The prefix's folder: a ``destinationArn`` with a prefix (``arn:aws:s3:::bucket/prefix``) needs the
  object ``prefix/`` in the bucket, at CreatePublishingDestination and at every
  UpdatePublishingDestination, whatever the update changes. aws/aws-cli#10483 ("GuardDuty
  CreatePublishingDestination/UpdatePublishingDestination fails with misleading "resource folder
  does not exist" when the S3 folder-marker object has been expired by a bucket lifecycle rule"):
  "GuardDuty validates that the prefix exists as a folder - specifically, an S3 object with the key
  ``guardduty/``", and "UpdatePublishingDestination with unchanged properties should succeed as a
  no-op" is that issue's *expected* behaviour, so today it does not;
  hashicorp/terraform-provider-aws#19684: "the only way to have a prefix created is to use the
  aws_s3_bucket_object resource to create the prefix before creating the
  aws_guardduty_publishing_destination"; #16750 ("add prefix to destination_arn fails") reports the
  failure as ``BadRequestException``. The message is **chosen**: the issue's phrase in the wording
  GuardDuty uses for another destination check ("The request failed because you do not have the
  required permissions for the s3:GetObject or s3:ListBucket actions",
  awslabs/landing-zone-accelerator-on-aws#255). Only the full prefix's folder is checked (chosen:
  the sources show one-segment prefixes), and only at Create/Update: findings "keep flowing" once
  the marker is gone (same aws-cli issue), so the status does not look at it.
- Status: evaluated at every read with the emulator's policy evaluator (``services/iam.py``),
  following "Exporting findings" in the user guide: the key policy must grant GuardDuty's service
  principal (below) "kms:GenerateDataKey" ("Allow GuardDuty to use the key"), the bucket policy
  ``s3:GetBucketLocation`` on the bucket ("Allow GuardDuty to use the getBucketLocation operation")
  and ``s3:PutObject`` under the prefix ("Allow GuardDuty to upload objects to the bucket"), and
  "The bucket and KMS key that you use must be in the same Region". GuardDuty's requests carry
  ``aws:SourceAccount`` (the detector's account) and ``aws:SourceArn`` (the detector's ARN), which
  the guide's current statements use as conditions, plus ``s3:x-amz-server-side-encryption`` =
  ``aws:kms`` and ``s3:x-amz-server-side-encryption-aws-kms-key-id`` = the key ARN (the guide's
  optional Deny statements test them) and ``aws:SecureTransport`` = ``true``. Allowed: PUBLISHING;
  otherwise UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY with ``publishingFailureStartTimestamp``
  (epoch ms) of the first failure (botocore's PublishingStatus enum). A missing destination answers
  the text the provider looks for: "The request is rejected because the one or more input parameters
  have invalid values."
- GuardDuty's service principal is ``guardduty.amazonaws.com``, and
  ``guardduty.<region>.amazonaws.com`` for a detector in an opt-in Region. User guide, "Exporting
  findings" (for the key policy and again for the bucket policy): "If you're using GuardDuty in an
  manually-enabled Region, replace the value for the "Service" with the Regional endpoint for that
  Region. For example, if you're using GuardDuty in the Middle East (Bahrain) (me-south-1) Region,
  replace "Service": "guardduty.amazonaws.com" with "Service":
  "guardduty.me-south-1.amazonaws.com"". So in an opt-in Region a policy that names only the global
  principal does not let GuardDuty write, and the destination reads
  UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY (the provider's create then fails waiting for
  PUBLISHING); that it is this status rather than an error of CreatePublishingDestination is
  **chosen**, as for every other policy the emulator judges. Which Regions are opt-in
  (``DEFAULT_REGIONS``): AWS Account Management reference, "Enable or disable AWS Regions in your
  account": "Default Regions - Regions launched before March 20, 2019 are enabled by default" and
  "Opt-in Regions - Regions launched after March 20, 2019 are disabled by default"; every Region of
  the aws partition outside the closed list of default ones is opt-in (moto's DescribeRegions is not
  used: it marks af-south-1, ap-southeast-3 and eu-south-1 ``opt-in-not-required``).
- Export. When a finding is published (a new one at once, updates at the publishing frequency,
  suppressed ones never: ``services/guardduty/findings/``), it is also written to every PUBLISHING
  destination of the detector, and a member's finding to those of its administrator too ("If you
  enable findings export in a GuardDuty administrator account all findings from associated member
  accounts that are generated in the current Region are also exported to the same location that you
  configured for the administrator account", user guide, "Exporting findings"). Where: "The prefix
  will prepend the default folder structure created by GuardDuty, which is
  ``/AWSLogs/111122223333/GuardDuty/Region``" (same page), here ``<prefix>/AWSLogs/<finding's
  account>/GuardDuty/<region>/<yyyy>/<mm>/<dd>/<uuid>.jsonl.gz``, the date folders and the file name
  as exported objects are listed in wazuh/wazuh#15226
  ("AWSLogs/account-id/GuardDuty/region/2022/09/20/09d41cb2-dc23-3ec6-a59d-b77625c6ddd8.jsonl.gz").
  One object per publication, gzipped JSON lines of the findings as GetFindings returns them,
  SSE-KMS with the destination's key (chosen: the guide says only that "GuardDuty uses AWS Key
  Management Service (AWS KMS) to encrypt the findings data in your S3 bucket", not how it batches).
- Filters: CreateFilter and UpdateFilter accept criteria only on the finding attributes that
  CreateFilter's ``FindingCriteria`` documentation lists ("You can only use the following
  attributes to query findings:"), read from botocore's model (``filter_attributes``); any other
  is a BadRequestException (message chosen).
- Tags: CreateFilter's ``tags`` are kept and GetFilter returns them; TagResource, UntagResource
  and ListTagsForResource work on the ARNs of detectors, filters, IP sets and threat intel sets
  of the caller's account.

The package: ``lists`` (IP sets and threat intel sets), ``publishing_destinations`` (their
checks, status and the export), ``filters`` (the attributes filters accept, their tags),
``tags`` (the resource an ARN names), ``messages`` (error texts they share), ``api``
(GuardDuty's responses, on those) and ``hooks`` (``install``).
"""
