output "administrator_account_id" {
  description = "The account that administers GuardDuty for the organization in this region."
  value       = module.administrator_designation.admin_account_id
}

output "detector_id" {
  description = "ID of the administrator's GuardDuty detector."
  value       = module.guardduty.detector_id
}

output "organization_features" {
  description = "The organization's auto-enable setting per feature, with each agent management setting."
  value       = module.organization.features
}

output "sns_topic_arn" {
  description = "ARN of the alert topic, which receives the alerts of every account of the organization."
  value       = module.guardduty.sns_topic_arn
}

output "filter_arns" {
  description = "ARNs of the suppression rules, by name."
  value       = module.guardduty.filter_arns
}
