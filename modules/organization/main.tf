locals {
  # In the order DescribeOrganizationConfiguration returns RUNTIME_MONITORING's additional
  # configuration (the order GetDetector uses; see modules/runtime-monitoring): with the 5.x
  # provider, additional_configuration is an ordered list, so another order shows a change on
  # every plan.
  agent_management = [
    { name = "EKS_ADDON_MANAGEMENT", auto_enable = var.runtime_monitoring.eks_addon_management },
    { name = "ECS_FARGATE_AGENT_MANAGEMENT", auto_enable = var.runtime_monitoring.ecs_fargate_agent_management },
    { name = "EC2_AGENT_MANAGEMENT", auto_enable = var.runtime_monitoring.ec2_agent_management },
  ]

  protection_plans = {
    S3_DATA_EVENTS         = var.protection_plans.s3_data_events
    EKS_AUDIT_LOGS         = var.protection_plans.eks_audit_logs
    EBS_MALWARE_PROTECTION = var.protection_plans.ebs_malware_protection
    RDS_LOGIN_EVENTS       = var.protection_plans.rds_login_events
    LAMBDA_NETWORK_LOGS    = var.protection_plans.lambda_network_logs
  }

  members = var.create ? var.members : {}
  member_runtime_monitoring = {
    for account_id, member in local.members : account_id => [
      { name = "EKS_ADDON_MANAGEMENT", enabled = member.runtime_monitoring.eks_addon_management },
      { name = "ECS_FARGATE_AGENT_MANAGEMENT", enabled = member.runtime_monitoring.ecs_fargate_agent_management },
      { name = "EC2_AGENT_MANAGEMENT", enabled = member.runtime_monitoring.ec2_agent_management },
    ] if member.runtime_monitoring != null
  }
}

resource "aws_guardduty_organization_configuration" "this" {
  count = var.create ? 1 : 0

  detector_id                      = var.detector_id
  auto_enable_organization_members = var.auto_enable_organization_members
}

# RUNTIME_MONITORING supersedes EKS_RUNTIME_MONITORING; the API rejects configuring both, so the
# module never manages EKS_RUNTIME_MONITORING. Destroying a feature resource leaves the
# organization's setting as it is (see the README).
resource "aws_guardduty_organization_configuration_feature" "runtime_monitoring" {
  count = var.create ? 1 : 0

  detector_id = var.detector_id
  name        = "RUNTIME_MONITORING"
  auto_enable = var.runtime_monitoring.auto_enable

  dynamic "additional_configuration" {
    for_each = local.agent_management
    content {
      name        = additional_configuration.value.name
      auto_enable = additional_configuration.value.auto_enable
    }
  }

  # UpdateOrganizationConfiguration is one document per detector: the features are written after
  # the organization setting, one request at a time, so none overwrites another.
  depends_on = [aws_guardduty_organization_configuration.this]
}

resource "aws_guardduty_organization_configuration_feature" "protection_plan" {
  for_each = var.create ? local.protection_plans : {}

  detector_id = var.detector_id
  name        = each.key
  auto_enable = each.value

  depends_on = [aws_guardduty_organization_configuration_feature.runtime_monitoring]
}

resource "aws_guardduty_member" "this" {
  for_each = local.members

  detector_id                = var.detector_id
  account_id                 = each.key
  email                      = each.value.email
  invite                     = each.value.invite
  disable_email_notification = true

  lifecycle {
    # The provider reads invite back as true for every Enabled member (its member.go: "case
    # ...Disabled, ...Enabled, ...Invited, ...EmailVerificationInProgress: d.Set("invite", true)"),
    # and an organization account added by the delegated administrator is Enabled at once. Without
    # this, the next plan would show invite true -> false, and applying it calls
    # DisassociateMembers: the account would silently leave GuardDuty. invite only matters when
    # the member is created.
    ignore_changes = [invite]
  }

  # After the auto-enable settings of every feature: CreateMembers applies "your organization's
  # auto-enable settings to the member accounts in this request" (GuardDuty API reference,
  # CreateMembers), so the members listed here start with them instead of waiting for ALL to reach
  # existing members ("up to 24 hours", organization configuration).
  depends_on = [
    aws_guardduty_organization_configuration.this,
    aws_guardduty_organization_configuration_feature.runtime_monitoring,
    aws_guardduty_organization_configuration_feature.protection_plan,
  ]
}

# Members are eventually consistent: UpdateMemberDetectors right after CreateMembers may leave the
# account out with "The request is rejected because the given account ID is not an associated
# member of account the current account." (aws-samples/aws-security-reference-architecture-examples#151,
# hashicorp/terraform-provider-aws#35625), and aws_guardduty_member_detector_feature turns any
# unprocessed account into an error without retrying (its updateMemberDetectors). So the features
# of newly added members wait. A new wait whenever such a member is created or re-created: its ID
# is unknown until then. time_sleep would need the hashicorp/time provider; this needs a shell.
resource "terraform_data" "member_association_wait" {
  count = var.member_association_wait_seconds > 0 && length(local.member_runtime_monitoring) > 0 ? 1 : 0

  triggers_replace = {
    for account_id in keys(local.member_runtime_monitoring) : account_id => aws_guardduty_member.this[account_id].id
  }

  provisioner "local-exec" {
    command = "sleep ${var.member_association_wait_seconds}"
  }
}

resource "aws_guardduty_member_detector_feature" "runtime_monitoring" {
  for_each = local.member_runtime_monitoring

  detector_id = var.detector_id
  account_id  = aws_guardduty_member.this[each.key].account_id
  name        = "RUNTIME_MONITORING"
  status      = var.members[each.key].runtime_monitoring.enabled ? "ENABLED" : "DISABLED"

  dynamic "additional_configuration" {
    for_each = each.value
    content {
      name   = additional_configuration.value.name
      status = additional_configuration.value.enabled ? "ENABLED" : "DISABLED"
    }
  }

  depends_on = [terraform_data.member_association_wait]
}
