data "aws_caller_identity" "current" {
  count = var.create ? 1 : 0
}

data "aws_region" "current" {
  count = var.create ? 1 : 0
}

data "aws_partition" "current" {
  count = var.create ? 1 : 0
}

# Read at every plan: the security group follows the VPC's CIDR blocks, and the DNS attributes
# are checked before anything is created.
data "aws_vpc" "this" {
  count = var.create ? 1 : 0

  id = var.vpc_id
}

locals {
  account_id = var.create ? data.aws_caller_identity.current[0].account_id : ""
  region     = var.create ? data.aws_region.current[0].id : ""

  # The service GuardDuty's agents send runtime events to, named as GuardDuty documents it; with
  # private DNS the agents reach it as guardduty-data.<region>.amazonaws.com. GovCloud offers only
  # the FIPS service: "the Service name in the AWS GovCloud (US) Region should be
  # com.amazonaws.us-gov-east-1.guardduty-data-fips" (AWS GovCloud (US) User Guide, Amazon
  # GuardDuty).
  partition    = var.create ? data.aws_partition.current[0].partition : ""
  service_name = "com.amazonaws.${local.region}.guardduty-data${local.partition == "aws-us-gov" ? "-fips" : ""}"

  # The primary CIDR block and every secondary one that is associated (DescribeVpcs keeps
  # disassociated blocks in the list for a while).
  cidr_blocks = var.create ? [
    for association in data.aws_vpc.this[0].cidr_block_associations :
    association.cidr_block if association.state == "associated"
  ] : []

  # Private DNS of an interface endpoint needs both attributes; GuardDuty documents both as
  # required for its endpoint.
  dns_attributes_off = var.create ? [
    for attribute in ["enable_dns_support", "enable_dns_hostnames"] :
    attribute if !data.aws_vpc.this[0][attribute]
  ] : []

  # Who may use the endpoint: the form the GuardDuty user guide documents for a guardduty-data
  # endpoint created by hand ("Add the following policy to restrict VPC endpoint usage to specified
  # account only"): allow every principal, then deny any whose aws:PrincipalAccount (or, for an
  # organization, aws:PrincipalOrgID) is not the one named. Actions stay "*" as documented: no
  # narrower action list for the agent is documented. The Allow repeats the condition, so that
  # no statement grants a wildcard principal unscoped; with the Deny in place that changes nothing.
  organization_wide = var.organization_id != null
  principal_key     = local.organization_wide ? "aws:PrincipalOrgID" : "aws:PrincipalAccount"
  principal_value   = local.organization_wide ? var.organization_id : local.account_id
  policy_statements = [
    {
      Sid       = local.organization_wide ? "AllowThisOrganization" : "AllowThisAccount"
      Effect    = "Allow"
      Principal = "*"
      Action    = "*"
      Resource  = "*"
      Condition = { StringEquals = { (local.principal_key) = local.principal_value } }
    },
    {
      Sid       = local.organization_wide ? "DenyOutsideThisOrganization" : "DenyOtherAccounts"
      Effect    = "Deny"
      Principal = "*"
      Action    = "*"
      Resource  = "*"
      Condition = { StringNotEquals = { (local.principal_key) = local.principal_value } }
    },
  ]
  endpoint_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.policy_statements
  })
}

################################################################################
# Security group: HTTPS from the VPC's CIDR blocks, nothing else
################################################################################

resource "aws_security_group" "this" {
  count = var.create ? 1 : 0

  name        = var.security_group_use_name_prefix ? null : var.security_group_name
  name_prefix = var.security_group_use_name_prefix ? "${var.security_group_name}-" : null
  description = "HTTPS from the CIDR blocks of ${var.vpc_id} to the GuardDuty Runtime Monitoring endpoint (guardduty-data)"
  vpc_id      = var.vpc_id

  ingress {
    description = "HTTPS from the primary and secondary CIDR blocks of the VPC"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = local.cidr_blocks
  }

  # No egress block: the provider then removes the allow-all rule AWS adds to a new group.
  # Endpoint network interfaces only answer connections, and security groups are stateful.

  tags = var.tags

  lifecycle {
    create_before_destroy = true

    # Checked here, on the first resource the module creates, so that nothing is created in a
    # VPC that cannot use the endpoint (at plan time when the VPC exists, at apply otherwise).
    precondition {
      condition     = length(local.dns_attributes_off) == 0
      error_message = "VPC ${var.vpc_id} has ${join(" and ", local.dns_attributes_off)} turned off. GuardDuty requires both enable_dns_support and enable_dns_hostnames on the VPC for the private DNS of its guardduty-data endpoint: turn on ${join(" and ", local.dns_attributes_off)} (in the VPC's aws_vpc resource, or with aws ec2 modify-vpc-attribute --vpc-id ${var.vpc_id}) and plan again."
    }
  }
}

################################################################################
# Interface endpoint com.amazonaws.<region>.guardduty-data with private DNS
################################################################################

resource "aws_vpc_endpoint" "this" {
  count = var.create ? 1 : 0

  vpc_id              = var.vpc_id
  service_name        = local.service_name
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = var.subnet_ids
  security_group_ids  = [aws_security_group.this[0].id]
  policy              = local.endpoint_policy

  tags = var.tags
}
