module "runtime_monitoring" {
  source = "./modules/runtime-monitoring"

  create                       = var.create
  create_detector              = var.create_detector
  detector_id                  = var.detector_id
  finding_publishing_frequency = var.finding_publishing_frequency
  runtime_monitoring           = var.runtime_monitoring
  protection_plans             = var.protection_plans
  tags                         = var.tags
}

module "alerts" {
  source = "./modules/alerts"

  # A null attribute takes the submodule's default; only the root's own switch is combined here.
  create                  = var.create ? var.alerts.create : false
  name                    = var.alerts.name
  email_addresses         = var.alerts.email_addresses
  finding_types           = var.alerts.finding_types
  min_severity            = var.alerts.min_severity
  notify_on_findings      = var.alerts.notify_on_findings
  notify_on_unhealthy     = var.alerts.notify_on_unhealthy
  notify_on_healthy       = var.alerts.notify_on_healthy
  coverage_resource_types = var.alerts.coverage_resource_types
  sns_topic_arn           = var.alerts.sns_topic_arn
  kms_key_arn             = var.alerts.kms_key_arn
  retry_policy            = var.alerts.retry_policy
  create_alarms           = var.alerts.create_alarms
  chat                    = var.alerts.chat
  raw_events_topic        = var.alerts.raw_events_topic
  pagerduty               = var.alerts.pagerduty
  tags                    = var.tags
}

module "detection_controls" {
  source = "./modules/detection-controls"

  create            = var.create
  detector_id       = module.runtime_monitoring.detector_id
  filters           = var.filters
  ip_sets           = var.ip_sets
  threat_intel_sets = var.threat_intel_sets
  list_bucket       = var.list_bucket
  tags              = var.tags
}

module "findings_export" {
  source = "./modules/findings-export"

  # The export exists when it is described at all.
  create          = var.create && var.findings_export != null
  detector_id     = module.runtime_monitoring.detector_id
  bucket_name     = try(var.findings_export.bucket_name, null)
  create_bucket   = try(var.findings_export.create_bucket, null)
  prefix          = try(var.findings_export.prefix, null)
  kms_key_arn     = try(var.findings_export.kms_key_arn, null)
  expiration_days = try(var.findings_export.expiration_days, null)
  force_destroy   = try(var.findings_export.force_destroy, null)
  tags            = var.tags
}
