locals {
  create_detector = var.create && var.create_detector
  adopt_detector  = var.create && !var.create_detector

  detector_id  = local.create_detector ? aws_guardduty_detector.this[0].id : (local.adopt_detector ? data.aws_guardduty_detector.existing[0].id : null)
  detector_arn = local.create_detector ? aws_guardduty_detector.this[0].arn : (local.adopt_detector ? data.aws_guardduty_detector.existing[0].arn : null)

  # Agent management only means something while Runtime Monitoring is on; the validation of
  # var.runtime_monitoring keeps the two consistent.
  #
  # A list, in the order GetDetector returns RUNTIME_MONITORING's additional configuration
  # (EKS_ADDON_MANAGEMENT, ECS_FARGATE_AGENT_MANAGEMENT, EC2_AGENT_MANAGEMENT) whatever order was
  # sent: the provider's 5.x `additional_configuration` is an ordered, force-new list, so any other
  # order replaces the feature on every apply (hashicorp/terraform-provider-aws#36400; 6.x releases
  # with PR 44627 make it a set, where this order is as good as any). A map would iterate in key
  # order (EC2, ECS, EKS), which is wrong.
  agent_management = [
    { name = "EKS_ADDON_MANAGEMENT", enabled = var.runtime_monitoring.eks_addon_management },
    { name = "ECS_FARGATE_AGENT_MANAGEMENT", enabled = var.runtime_monitoring.ecs_fargate_agent_management },
    { name = "EC2_AGENT_MANAGEMENT", enabled = var.runtime_monitoring.ec2_agent_management },
  ]

  protection_plans = {
    S3_DATA_EVENTS         = var.protection_plans.s3_data_events
    EKS_AUDIT_LOGS         = var.protection_plans.eks_audit_logs
    EBS_MALWARE_PROTECTION = var.protection_plans.ebs_malware_protection
    RDS_LOGIN_EVENTS       = var.protection_plans.rds_login_events
    LAMBDA_NETWORK_LOGS    = var.protection_plans.lambda_network_logs
  }
}

resource "aws_guardduty_detector" "this" {
  #checkov:skip=CKV2_AWS_3:This module enables GuardDuty in one account and region; organization-wide enablement (delegated administrator, auto-enable for members) runs in the administrator account and is composed per region by the caller.
  count = local.create_detector ? 1 : 0

  enable                       = true
  finding_publishing_frequency = var.finding_publishing_frequency

  tags = var.tags
}

# An adopted detector is read, so that a wrong ID fails at plan time instead of half-way
# through an apply.
data "aws_guardduty_detector" "existing" {
  count = local.adopt_detector ? 1 : 0

  id = var.detector_id
}

# RUNTIME_MONITORING supersedes EKS_RUNTIME_MONITORING. The API rejects requests that configure
# both, so this module never manages EKS_RUNTIME_MONITORING.
resource "aws_guardduty_detector_feature" "runtime_monitoring" {
  count = var.create ? 1 : 0

  detector_id = local.detector_id
  name        = "RUNTIME_MONITORING"
  status      = var.runtime_monitoring.enabled ? "ENABLED" : "DISABLED"

  # Every agent management option is sent, DISABLED included, so that the plan states it and
  # a change made outside Terraform shows up as drift.
  dynamic "additional_configuration" {
    for_each = local.agent_management
    content {
      name   = additional_configuration.value.name
      status = additional_configuration.value.enabled ? "ENABLED" : "DISABLED"
    }
  }
}

# One UpdateDetector at a time. Each aws_guardduty_detector_feature sends its own UpdateDetector,
# and Terraform runs independent resources (and the instances of one for_each) at once. The
# provider serialises the organization and member equivalents for this reason
# (internal/service/guardduty/organization_configuration_feature.go: "We have seen occasional
# acceptance test failures when updating multiple features on the same detector concurrently, so
# use a mutex to ensure that multiple features being updated concurrently don't trample on each
# other."), but its detector_feature.go takes no lock; so each plan is a resource of its own,
# chained after the previous one. Destroy walks the chain backwards, one request at a time too.
resource "aws_guardduty_detector_feature" "s3_data_events" {
  count = var.create ? 1 : 0

  detector_id = local.detector_id
  name        = "S3_DATA_EVENTS"
  status      = local.protection_plans["S3_DATA_EVENTS"] ? "ENABLED" : "DISABLED"

  depends_on = [aws_guardduty_detector_feature.runtime_monitoring]
}

resource "aws_guardduty_detector_feature" "eks_audit_logs" {
  count = var.create ? 1 : 0

  detector_id = local.detector_id
  name        = "EKS_AUDIT_LOGS"
  status      = local.protection_plans["EKS_AUDIT_LOGS"] ? "ENABLED" : "DISABLED"

  depends_on = [aws_guardduty_detector_feature.s3_data_events]
}

resource "aws_guardduty_detector_feature" "ebs_malware_protection" {
  count = var.create ? 1 : 0

  detector_id = local.detector_id
  name        = "EBS_MALWARE_PROTECTION"
  status      = local.protection_plans["EBS_MALWARE_PROTECTION"] ? "ENABLED" : "DISABLED"

  depends_on = [aws_guardduty_detector_feature.eks_audit_logs]
}

resource "aws_guardduty_detector_feature" "rds_login_events" {
  count = var.create ? 1 : 0

  detector_id = local.detector_id
  name        = "RDS_LOGIN_EVENTS"
  status      = local.protection_plans["RDS_LOGIN_EVENTS"] ? "ENABLED" : "DISABLED"

  depends_on = [aws_guardduty_detector_feature.ebs_malware_protection]
}

resource "aws_guardduty_detector_feature" "lambda_network_logs" {
  count = var.create ? 1 : 0

  detector_id = local.detector_id
  name        = "LAMBDA_NETWORK_LOGS"
  status      = local.protection_plans["LAMBDA_NETWORK_LOGS"] ? "ENABLED" : "DISABLED"

  depends_on = [aws_guardduty_detector_feature.rds_login_events]
}

# The protection plans used to be the instances of one for_each resource, which updated the
# detector in parallel.
moved {
  from = aws_guardduty_detector_feature.protection_plan["S3_DATA_EVENTS"]
  to   = aws_guardduty_detector_feature.s3_data_events[0]
}

moved {
  from = aws_guardduty_detector_feature.protection_plan["EKS_AUDIT_LOGS"]
  to   = aws_guardduty_detector_feature.eks_audit_logs[0]
}

moved {
  from = aws_guardduty_detector_feature.protection_plan["EBS_MALWARE_PROTECTION"]
  to   = aws_guardduty_detector_feature.ebs_malware_protection[0]
}

moved {
  from = aws_guardduty_detector_feature.protection_plan["RDS_LOGIN_EVENTS"]
  to   = aws_guardduty_detector_feature.rds_login_events[0]
}

moved {
  from = aws_guardduty_detector_feature.protection_plan["LAMBDA_NETWORK_LOGS"]
  to   = aws_guardduty_detector_feature.lambda_network_logs[0]
}
