variable "create" {
  description = "Whether to create anything at all. With false the module plans nothing and reads nothing."
  type        = bool
  default     = true
  nullable    = false
}

variable "vpc_id" {
  description = "ID of the VPC for the endpoint. It must have both enable_dns_support and enable_dns_hostnames on (GuardDuty requires them for the endpoint's private DNS); the plan fails, naming the attribute, when one is off."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^vpc-([0-9a-f]{8}|[0-9a-f]{17})$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID: \"vpc-\" followed by 8 or 17 lowercase hexadecimal characters, such as vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "IDs of the subnets of the VPC that get a network interface of the endpoint, at most one per Availability Zone; one per zone where the agents run keeps their traffic inside the zone."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for id in var.subnet_ids : can(regex("^subnet-([0-9a-f]{8}|[0-9a-f]{17})$", id))])
    error_message = "subnet_ids must list at least one subnet ID, each \"subnet-\" followed by 8 or 17 lowercase hexadecimal characters, such as subnet-0123456789abcdef0."
  }

  validation {
    condition     = length(distinct(var.subnet_ids)) == length(var.subnet_ids)
    error_message = "subnet_ids: a subnet appears more than once; list each subnet once."
  }
}

variable "organization_id" {
  description = "ID of the AWS Organizations organization (o-...) whose principals may send telemetry through the endpoint, for a VPC shared with the organization's accounts. Null (the default) allows only the principals of the account that owns the endpoint."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must be an organization ID: \"o-\" followed by 10 to 32 lowercase letters or digits, such as o-a1b2c3d4e5; or null to allow only this account."
  }
}

variable "security_group_name" {
  description = "Name of the endpoint's security group, or its prefix when security_group_use_name_prefix is true."
  type        = string
  default     = "guardduty-data-endpoint"
  nullable    = false

  validation {
    # 255 characters at most, of which the provider's unique suffix (with the hyphen the module
    # adds) takes 27 when the name is a prefix.
    condition     = can(regex("^[A-Za-z0-9 ._:/()#,@+=&;{}!$*\\[\\]-]{1,228}$", var.security_group_name)) && !startswith(lower(var.security_group_name), "sg-")
    error_message = "security_group_name must be 1-228 characters of letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* and must not start with \"sg-\"."
  }
}

variable "security_group_use_name_prefix" {
  description = "Whether security_group_name is a prefix, completed by a unique suffix. With the default, true, the group can be replaced (created before the old one is destroyed) without a name conflict."
  type        = bool
  default     = true
  nullable    = false
}

variable "tags" {
  description = "Tags for the endpoint and its security group."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition = alltrue([
      for key, value in var.tags :
      length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")
    ])
    error_message = "tags: keys must be 1-128 characters and must not start with \"aws:\" (reserved by AWS); values at most 256 characters."
  }
}
