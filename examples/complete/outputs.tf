output "detector_id" {
  description = "ID of the GuardDuty detector."
  value       = module.guardduty.detector_id
}

output "detector_arn" {
  description = "ARN of the GuardDuty detector."
  value       = module.guardduty.detector_arn
}

output "runtime_monitoring" {
  description = "Effective Runtime Monitoring settings."
  value       = module.guardduty.runtime_monitoring
}

output "protection_plans" {
  description = "Status of each other protection plan."
  value       = module.guardduty.protection_plans
}

output "ecs_cluster_inclusion_tags" {
  description = "Tags for ECS clusters that GuardDuty must monitor."
  value       = module.guardduty.ecs_cluster_inclusion_tags
}

output "sns_topic_arn" {
  description = "ARN of the alert topic."
  value       = module.guardduty.sns_topic_arn
}

output "findings_rule_arns" {
  description = "ARN of the findings rule of each severity band."
  value       = module.guardduty.findings_rule_arns
}

output "coverage_rule_arn" {
  description = "ARN of the coverage rule."
  value       = module.guardduty.coverage_rule_arn
}

output "kms_key_arn" {
  description = "ARN of the key of the alert topic (the dead-letter queue has a key of its own)."
  value       = module.guardduty.kms_key_arn
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue of the alert rules."
  value       = module.guardduty.dead_letter_queue_arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue of the alert rules."
  value       = module.guardduty.dead_letter_queue_url
}

output "filter_arns" {
  description = "ARNs of the suppression rules, by name."
  value       = module.guardduty.filter_arns
}

output "list_locations" {
  description = "S3 URL of each trusted IP list and threat list."
  value       = module.guardduty.list_locations
}

output "publishing_destination_id" {
  description = "ID of the findings export."
  value       = module.guardduty.publishing_destination_id
}

output "findings_bucket_arn" {
  description = "ARN of the bucket the findings are exported to."
  value       = module.guardduty.findings_bucket_arn
}
