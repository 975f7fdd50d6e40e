"""GuardDuty with AWS Organizations: the delegated administrator, its organization configuration
and its member accounts, for the emulator (a test backend).

moto 5.2.5 keeps a list of "admin accounts" per account and region, returns the first of them as
the administrator of *any* detector of that account, and has no members and no organization
configuration. This extension follows the GuardDuty API reference and user guide:

- EnableOrganizationAdminAccount: "Designates an Amazon Web Services account within the
  organization as your GuardDuty delegated administrator. Only the organization's management
  account can run this API operation." The caller must be the management account of an
  organization in moto's Organizations, and the account a member of it; otherwise
  ``BadRequestException``. One delegated administrator per organization, the same account in
  every Region: user guide, "Managing GuardDuty accounts with AWS Organizations" (the
  awsdocs/amazon-guardduty-user-guide copy, "An organization can have only one delegated
  administrator"): "If you have designated an account as a delegated administrator in one
  region, that account must be your delegated administrator in all other regions."; current
  guide, "Consolidating GuardDuty administrator accounts under a single organization": "Each
  organization can have only one delegated GuardDuty administrator account per Region". Another
  account than the one designated in any Region of the organization is rejected with
  ``BadRequestException`` (the only client error the API reference lists for the operation); the
  messages are **chosen** (AWS documents none). ``adminStatus`` is ``ENABLED`` at once
  (botocore's AdminStatus enum: ENABLED, DISABLE_IN_PROGRESS).
- DisableOrganizationAdminAccount removes it at once (the provider waits for it to be gone). The
  members that the administrator added through the organization go with it (chosen; AWS's page
  does not say what a member sees meanwhile).
- Describe/UpdateOrganizationConfiguration: only the delegated administrator's detector may call
  them ("Configures the delegated administrator account with the provided values. You must provide
  a value for either autoEnableOrganizationMembers or autoEnable, but not both."). ``autoEnable``
  true is ``NEW``, false is ``NONE``, and ``autoEnable`` reads ``autoEnableOrganizationMembers !=
  NONE`` (the provider's own comment: "When creating an organization configuration with
  AutoEnable=true, AWS will automatically set AutoEnableOrganizationMembers=NEW."). Features merge
  into the stored set by name, then by additional configuration name, and come back in the order
  of GetDetector (``guardduty.FEATURE_ORDER`` / ``ADDITIONAL_CONFIGURATION_ORDER``), like
  ``guardduty.merge_features``. ``dataSources`` are the legacy face of three features (chosen
  mapping: s3Logs = S3_DATA_EVENTS, kubernetes.auditLogs = EKS_AUDIT_LOGS,
  malwareProtection...ebsVolumes = EBS_MALWARE_PROTECTION; a true ``autoEnable`` is ``NEW``).
  ``memberAccountLimitReached`` is true at 50,000 members (AWS General Reference, "Amazon
  GuardDuty endpoints and quotas": "Member accounts through AWS Organizations" 50,000, "Member
  accounts by invitation" 5,000; user guide, "Managing GuardDuty accounts with AWS
  Organizations": "A delegated GuardDuty administrator account can manage a maximum of 50,000
  members."). CreateMembers leaves out, as unprocessed, a new member beyond 50,000, or a new
  member by invitation beyond 5,000 of them (wording **chosen**).
- CreateMembers: "As a delegated administrator, using CreateMembers will enable GuardDuty in the
  added member accounts, with the exception of the organization delegated administrator account"
  and "GuardDuty applies your organization's auto-enable settings to the member accounts in this
  request". A member in the administrator's organization is ``Enabled`` at once (user guide,
  "Understanding the relationship between GuardDuty administrator account and member accounts":
  "Delegated administrator accounts managed with AWS Organizations automatically enable GuardDuty
  in accounts added as members."); if it has no detector in the Region, one is created with the
  organization's features whose ``autoEnable`` is not ``NONE``. Any other account is ``Created``
  and InviteMembers makes it ``Invited`` (invitations are not accepted here: not emulated).
- The organization's management account is the exception: "Accounts added as members will have
  GuardDuty enabled in that region, with the exception of the organization management account,
  which must first enable GuardDuty before it can be added as a member account." (user guide,
  "Managing GuardDuty accounts with AWS Organizations", awsdocs/amazon-guardduty-user-guide
  copy; current guide, "Adding members to the organization": "There is an exception to the
  organization management account. Before the management account account gets added as a
  GuardDuty member, it must have GuardDuty enabled."). Without a detector of its own in the
  Region it is left out as unprocessed with the text AWS answers, quoted in
  cloudposse/terraform-aws-components#822: "Operation failed because your organization master
  must first enable GuardDuty to be added as a member". It is not stored as a member (**chosen**:
  no source shows what GetMembers answers afterwards).
- Members are eventually consistent: right after CreateMembers, UpdateMemberDetectors may leave
  the account out as unprocessed with "The request is rejected because the given account ID is
  not an associated member of account the current account." (aws-samples/aws-security-reference-
  architecture-examples#151: "The `guardduty_client.update_member_detectors` api returns below
  response randomly"; hashicorp/terraform-provider-aws#35625, "Eventual consistency": with
  ``auto_enable_organization_members = "ALL"`` "and try to use the resource for configuring member
  features, you keep hitting this"). AWS's own sample retries every 10 seconds, up to 5 times
  (``SLEEP_SECONDS = 10`` in that repository's guardduty_org Lambda). The emulator answers so for
  a window after an organization member became ``Enabled``: 2 seconds of the emulator's clock
  (``core.clock.CLOCK``, which tests move with ``advance_clock`` instead of sleeping), or the
  seconds in ``GUARDDUTY_ECS_EMULATOR_MEMBER_ASSOCIATION_SECONDS`` of the emulator's environment
  (0 turns it off). The length is **chosen** (AWS documents none), and so is answering
  GetMemberDetectors the same way in the window (no report names it; both read the same
  association).
- InviteMembers on an account already invited or enabled answers, as unprocessed, AWS's text
  quoted in the provider's source: "The request is rejected because the current account has
  already invited or is already the GuardDuty master of the given member account ID."
- DisassociateMembers sets ``Removed``; DeleteMembers forgets the member; GetMembers and
  ListMembers (``onlyAssociated``, default true: ``Enabled`` only; ``maxResults`` "The default
  value is 50. The maximum value is 50.", and ``nextToken``) answer with the Member shape;
  unknown accounts are unprocessed (wording chosen).
- GetMemberDetectors / UpdateMemberDetectors read and merge (``guardduty.merge_features``) the
  features of the member account's own detector in the Region, returned in AWS's order; a member
  without a detector, or not enabled, is unprocessed (wording chosen), and so is a member in its
  association window (above).
- GetAdministratorAccount of a member answers its administrator and relationship.

Members live on the administrator's detector (``core.state.state_of``); the organization
configuration too. ``model.member_account_ids`` is the list that other modules use.

The package: ``model`` (the state and the rules above), ``api`` (GuardDuty's responses,
on the model) and ``hooks`` (``install``: the routes, moto's backend methods for the admin
account, and the core's ``ADMINISTRATOR_OF``).
"""
