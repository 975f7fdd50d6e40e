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
