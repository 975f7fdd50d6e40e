output "detector_id" {
  description = "ID of the GuardDuty detector."
  value       = module.guardduty.detector_id
}

output "runtime_monitoring" {
  description = "Effective Runtime Monitoring settings."
  value       = module.guardduty.runtime_monitoring
}

output "cluster_name" {
  description = "Name of the ECS cluster that GuardDuty monitors."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "Name of the Fargate service; scale it to 0 to see the Unhealthy alert."
  value       = aws_ecs_service.this.name
}

output "vpc_id" {
  description = "ID of the VPC, where GuardDuty adds its guardduty-data endpoint."
  value       = aws_vpc.this.id
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
  description = "ARN of the key of the alert topic."
  value       = module.guardduty.kms_key_arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue of the alert rules."
  value       = module.guardduty.dead_letter_queue_url
}
