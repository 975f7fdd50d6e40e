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
  notify_on_unhealthy     = var.alerts.notify_on_unhealthy
  notify_on_healthy       = var.alerts.notify_on_healthy
  coverage_resource_types = var.alerts.coverage_resource_types
  sns_topic_arn           = var.alerts.sns_topic_arn
  kms_key_arn             = var.alerts.kms_key_arn
  retry_policy            = var.alerts.retry_policy
  create_alarms           = var.alerts.create_alarms
  tags                    = var.tags
}
