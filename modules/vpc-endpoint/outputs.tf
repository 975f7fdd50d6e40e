output "endpoint_id" {
  description = "ID of the guardduty-data interface endpoint (null when create is false)."
  value       = one(aws_vpc_endpoint.this[*].id)
}

output "endpoint_arn" {
  description = "ARN of the guardduty-data interface endpoint (null when create is false)."
  value       = one(aws_vpc_endpoint.this[*].arn)
}

output "endpoint_dns_entries" {
  description = "DNS entries of the endpoint, each with dns_name and hosted_zone_id. The agents do not need them: with private DNS they reach the endpoint under GuardDuty's regional name."
  value       = try(aws_vpc_endpoint.this[0].dns_entry, [])
}

output "service_name" {
  description = "Service name of the endpoint: com.amazonaws.<region>.guardduty-data, or com.amazonaws.<region>.guardduty-data-fips in AWS GovCloud (US), the only one GuardDuty names there (null when create is false)."
  value       = var.create ? local.service_name : null
}

output "endpoint_policy" {
  description = "Endpoint policy (JSON), in the form the GuardDuty user guide documents: principals of this account (or of organization_id) are allowed, all others denied (null when create is false)."
  value       = var.create ? local.endpoint_policy : null
}

output "security_group_id" {
  description = "ID of the endpoint's security group, which allows HTTPS from the VPC's CIDR blocks only (null when create is false)."
  value       = one(aws_security_group.this[*].id)
}

output "security_group_arn" {
  description = "ARN of the endpoint's security group (null when create is false)."
  value       = one(aws_security_group.this[*].arn)
}

output "allowed_cidr_blocks" {
  description = "CIDR blocks the security group lets reach the endpoint on 443: the VPC's primary and associated secondary IPv4 blocks, as read at the last plan."
  value       = local.cidr_blocks
}
