output "detector_id" {
  description = "ID of the GuardDuty detector, created or adopted (null when create is false)."
  value       = local.detector_id
}

output "detector_arn" {
  description = "ARN of the GuardDuty detector, created or adopted (null when create is false)."
  value       = local.detector_arn
}

output "runtime_monitoring" {
  description = "Effective Runtime Monitoring settings as applied: the feature status and the status of each agent management option, by API name (null when create is false)."
  value = var.create ? {
    name   = aws_guardduty_detector_feature.runtime_monitoring[0].name
    status = aws_guardduty_detector_feature.runtime_monitoring[0].status
    additional_configuration = {
      for configuration in aws_guardduty_detector_feature.runtime_monitoring[0].additional_configuration :
      configuration.name => configuration.status
    }
  } : null
}

output "protection_plans" {
  description = "Status (ENABLED or DISABLED) of each other protection plan managed by the module, by API feature name."
  value = {
    for feature in concat(
      aws_guardduty_detector_feature.s3_data_events,
      aws_guardduty_detector_feature.eks_audit_logs,
      aws_guardduty_detector_feature.ebs_malware_protection,
      aws_guardduty_detector_feature.rds_login_events,
      aws_guardduty_detector_feature.lambda_network_logs,
    ) : feature.name => feature.status
  }
}

output "ecs_cluster_inclusion_tags" {
  description = "Tags to put on an ECS cluster so that GuardDuty monitors it even when automated agent configuration is off for the account (GuardDutyManaged = true)."
  value       = { GuardDutyManaged = "true" }
}

output "ecs_cluster_exclusion_tags" {
  description = "Tags to put on an ECS cluster so that GuardDuty's automated agent configuration leaves it out (GuardDutyManaged = false)."
  value       = { GuardDutyManaged = "false" }
}
