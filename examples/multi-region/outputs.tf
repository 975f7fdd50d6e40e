output "regions" {
  description = "Per region: the detector ID, the effective Runtime Monitoring settings and the alert topic ARN."
  value = {
    (var.regions[0]) = {
      detector_id        = module.guardduty_region_1.detector_id
      runtime_monitoring = module.guardduty_region_1.runtime_monitoring
      sns_topic_arn      = module.guardduty_region_1.sns_topic_arn
    }
    (var.regions[1]) = {
      detector_id        = module.guardduty_region_2.detector_id
      runtime_monitoring = module.guardduty_region_2.runtime_monitoring
      sns_topic_arn      = module.guardduty_region_2.sns_topic_arn
    }
    (var.regions[2]) = {
      detector_id        = module.guardduty_region_3.detector_id
      runtime_monitoring = module.guardduty_region_3.runtime_monitoring
      sns_topic_arn      = module.guardduty_region_3.sns_topic_arn
    }
    (var.regions[3]) = {
      detector_id        = module.guardduty_region_4.detector_id
      runtime_monitoring = module.guardduty_region_4.runtime_monitoring
      sns_topic_arn      = module.guardduty_region_4.sns_topic_arn
    }
  }
}
