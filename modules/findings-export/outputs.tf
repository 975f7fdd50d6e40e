output "publishing_destination_id" {
  description = "ID of the publishing destination, or null when create is false."
  value       = try(split(":", aws_guardduty_publishing_destination.this[0].id)[1], null)
}

output "findings_bucket_arn" {
  description = "ARN of the bucket the findings are exported to, or null when create is false."
  value       = var.create ? local.bucket_arn : null
  depends_on  = [aws_guardduty_publishing_destination.this]
}

output "findings_destination_arn" {
  description = "ARN of the folder GuardDuty writes to (the bucket and the prefix), or null when create is false."
  value       = try(aws_guardduty_publishing_destination.this[0].destination_arn, null)
}

output "findings_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the exported findings (created or given), or null when create is false."
  value       = var.create ? local.kms_key_arn : null
}

output "findings_bucket_policy_json" {
  description = "The bucket policy statements GuardDuty needs, plus the TLS-only denial, as a policy document: merge them into the policy of a bucket the module does not create (create_bucket = false)."
  value       = var.create ? jsonencode({ Version = "2012-10-17", Statement = concat(local.guardduty_bucket_statements, [local.deny_insecure_transport_statement]) }) : null
}

output "findings_kms_key_policy_json" {
  description = "The key policy statement GuardDuty needs, as a policy document: merge it into the policy of a key the module does not create (kms_key_arn)."
  value       = var.create ? jsonencode({ Version = "2012-10-17", Statement = [local.guardduty_key_statement] }) : null
}
