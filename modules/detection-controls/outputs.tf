output "filter_arns" {
  description = "ARNs of the filters, by name."
  value       = { for name, filter in aws_guardduty_filter.this : name => filter.arn }
}

output "ip_set_ids" {
  description = "IDs of the trusted IP lists, by name."
  value       = { for set in aws_guardduty_ipset.this : set.name => split(":", set.id)[1] }
}

output "threat_intel_set_ids" {
  description = "IDs of the threat lists, by name."
  value       = { for set in aws_guardduty_threatintelset.this : set.name => split(":", set.id)[1] }
}

output "list_locations" {
  description = "S3 URL of every list GuardDuty reads, by kind and name (ip-sets/<name>, threat-intel-sets/<name>)."
  value       = local.list_locations
}
