output "detector_id" {
  description = "ID of the GuardDuty detector."
  value       = module.guardduty.detector_id
}

output "runtime_monitoring" {
  description = "Effective Runtime Monitoring settings."
  value       = module.guardduty.runtime_monitoring
}

output "sns_topic_arn" {
  description = "ARN of the alert topic; subscribe to it, or give alerts.email_addresses."
  value       = module.guardduty.sns_topic_arn
}
