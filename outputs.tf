output "detector_id" {
  description = "ID of the GuardDuty detector, created or adopted (null when create is false)."
  value       = module.runtime_monitoring.detector_id
}

output "detector_arn" {
  description = "ARN of the GuardDuty detector, created or adopted (null when create is false)."
  value       = module.runtime_monitoring.detector_arn
}

output "runtime_monitoring" {
  description = "Effective Runtime Monitoring settings as applied: the feature status and the status of each agent management option, by API name (null when create is false)."
  value       = module.runtime_monitoring.runtime_monitoring
}

output "protection_plans" {
  description = "Status (ENABLED or DISABLED) of each other protection plan managed by the module, by API feature name."
  value       = module.runtime_monitoring.protection_plans
}

output "ecs_cluster_inclusion_tags" {
  description = "Tags to put on an ECS cluster so that GuardDuty monitors it even when automated agent configuration is off for the account (GuardDutyManaged = true)."
  value       = module.runtime_monitoring.ecs_cluster_inclusion_tags
}

output "ecs_cluster_exclusion_tags" {
  description = "Tags to put on an ECS cluster so that GuardDuty's automated agent configuration leaves it out (GuardDutyManaged = false)."
  value       = module.runtime_monitoring.ecs_cluster_exclusion_tags
}
