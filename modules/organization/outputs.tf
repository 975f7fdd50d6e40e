output "organization_configuration_id" {
  description = "ID of the organization configuration (the administrator's detector ID), or null when create is false."
  value       = try(aws_guardduty_organization_configuration.this[0].id, null)
}

output "auto_enable_organization_members" {
  description = "Which accounts of the organization GuardDuty enables: ALL, NEW or NONE; null when create is false."
  value       = try(aws_guardduty_organization_configuration.this[0].auto_enable_organization_members, null)
}

output "features" {
  description = "The organization's auto-enable setting per feature, by feature name (RUNTIME_MONITORING and the protection plans), with each additional configuration's setting; available once every feature is configured."
  value = merge(
    {
      for feature in aws_guardduty_organization_configuration_feature.runtime_monitoring : feature.name => {
        auto_enable              = feature.auto_enable
        additional_configuration = { for configuration in feature.additional_configuration : configuration.name => configuration.auto_enable }
      }
    },
    {
      for name, feature in aws_guardduty_organization_configuration_feature.protection_plan : name => {
        auto_enable              = feature.auto_enable
        additional_configuration = {}
      }
    },
  )
}

output "members" {
  description = "The explicitly listed member accounts, by account ID, with their relationship status (Enabled once GuardDuty manages the account)."
  value = {
    for account_id, member in aws_guardduty_member.this : account_id => {
      relationship_status = member.relationship_status
    }
  }
  # A member's features are part of what "listed" means to a caller that reads this output.
  depends_on = [aws_guardduty_member_detector_feature.runtime_monitoring]
}
