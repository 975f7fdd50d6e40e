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
