output "admin_account_id" {
  description = "The account designated as GuardDuty's delegated administrator in this region, or null when create is false. Resources of the administrator that need the designation can depend on this output."
  value       = try(aws_guardduty_organization_admin_account.this[0].admin_account_id, null)
}
