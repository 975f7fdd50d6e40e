variable "create" {
  description = "Whether to create anything at all. With false the module plans nothing, so it can be switched off per region."
  type        = bool
  default     = true
  nullable    = false
}

variable "detector_id" {
  description = "ID of the delegated administrator's GuardDuty detector in this region (32 lowercase hexadecimal characters), for example the detector_id output of the root module applied in the administrator account."
  type        = string

  validation {
    condition     = var.detector_id != null && can(regex("^[0-9a-f]{32}$", var.detector_id))
    error_message = "detector_id must be the administrator's detector ID: 32 lowercase hexadecimal characters (as printed by `aws guardduty list-detectors`)."
  }
}

variable "auto_enable_organization_members" {
  description = "Which accounts of the organization GuardDuty enables itself: ALL (every member account, existing and new; can take up to 24 hours), NEW (accounts that join the organization from now on) or NONE (none; this does not disable GuardDuty in accounts where it is on)."
  type        = string
  default     = "ALL"
  nullable    = false

  validation {
    condition     = contains(["ALL", "NEW", "NONE"], var.auto_enable_organization_members)
    error_message = "auto_enable_organization_members must be one of ALL, NEW or NONE."
  }
}

variable "runtime_monitoring" {
  description = <<-EOT
    Which member accounts get Runtime Monitoring and each way of managing its agent, each ALL (every member account), NEW (accounts that join from now on) or NONE (none; existing members keep what they have):
    - auto_enable: the RUNTIME_MONITORING feature (default ALL).
    - ecs_fargate_agent_management: the GuardDuty agent as a sidecar of new Fargate tasks, ECS_FARGATE_AGENT_MANAGEMENT (default ALL).
    - ec2_agent_management: the agent on EC2 instances through SSM, EC2_AGENT_MANAGEMENT (default NONE).
    - eks_addon_management: the agent as an EKS add-on, EKS_ADDON_MANAGEMENT (default NONE).
  EOT
  type = object({
    auto_enable                  = optional(string, "ALL")
    ecs_fargate_agent_management = optional(string, "ALL")
    ec2_agent_management         = optional(string, "NONE")
    eks_addon_management         = optional(string, "NONE")
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([
      for value in values(var.runtime_monitoring) : contains(["ALL", "NEW", "NONE"], value)
    ])
    error_message = "runtime_monitoring: auto_enable, ecs_fargate_agent_management, ec2_agent_management and eks_addon_management must each be ALL, NEW or NONE."
  }

  validation {
    condition = var.runtime_monitoring.auto_enable != "NONE" || alltrue([
      for key, value in var.runtime_monitoring : value == "NONE" if key != "auto_enable"
    ])
    error_message = "runtime_monitoring: agent management only works in accounts with Runtime Monitoring on; with auto_enable = \"NONE\", set every agent management option to NONE as well."
  }
}

variable "protection_plans" {
  description = "Which member accounts get each of the other protection plans: ALL, NEW or NONE (the default: each is billed separately) for S3 data events, EKS audit logs, EBS malware protection, RDS login events and Lambda network logs."
  type = object({
    s3_data_events         = optional(string, "NONE")
    eks_audit_logs         = optional(string, "NONE")
    ebs_malware_protection = optional(string, "NONE")
    rds_login_events       = optional(string, "NONE")
    lambda_network_logs    = optional(string, "NONE")
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([
      for value in values(var.protection_plans) : contains(["ALL", "NEW", "NONE"], value)
    ])
    error_message = "protection_plans: s3_data_events, eks_audit_logs, ebs_malware_protection, rds_login_events and lambda_network_logs must each be ALL, NEW or NONE."
  }
}

variable "members" {
  description = <<-EOT
    Member accounts to list explicitly, by 12-digit account ID: accounts of the organization that must be associated now rather than by auto-enable, or whose Runtime Monitoring differs from the organization's. The organization's management account is the exception to "added members get GuardDuty": it must run GuardDuty in this region before it can be listed (apply the root module in it first); otherwise AWS leaves it out with "Operation failed because your organization master must first enable GuardDuty to be added as a member", a text the AWS provider does not show (it ignores CreateMembers' unprocessed accounts), so the apply fails with another error (see the README). For each:
    - email: the e-mail address of the account's root user (required by the API).
    - invite: send an invitation when the member is added (only for accounts outside the organization; default false). Later changes are ignored: see the README.
    - runtime_monitoring: when set, the member's own RUNTIME_MONITORING and agent management, each true or false (unset: Runtime Monitoring and the Fargate agent on, EC2 and EKS agent management off), managed from the administrator.
  EOT
  type = map(object({
    email  = string
    invite = optional(bool, false)
    runtime_monitoring = optional(object({
      enabled                      = optional(bool, true)
      ecs_fargate_agent_management = optional(bool, true)
      ec2_agent_management         = optional(bool, false)
      eks_addon_management         = optional(bool, false)
    }))
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for account_id in keys(var.members) : can(regex("^[0-9]{12}$", account_id))])
    error_message = "members: every key must be a 12-digit AWS account ID."
  }

  validation {
    condition     = alltrue([for member in values(var.members) : can(regex("^[^@\\s]+@[^@\\s]+$", member.email))])
    error_message = "members: every email must be an e-mail address (the account's root user address)."
  }

  validation {
    condition = alltrue([
      for member in values(var.members) : member.runtime_monitoring == null || try(member.runtime_monitoring.enabled || !anytrue([
        member.runtime_monitoring.ecs_fargate_agent_management,
        member.runtime_monitoring.ec2_agent_management,
        member.runtime_monitoring.eks_addon_management,
      ]), false)
    ])
    error_message = "members: a member's agent management options only work with its Runtime Monitoring on; set runtime_monitoring.enabled = true, or every agent management option to false."
  }
}

variable "member_association_wait_seconds" {
  description = "Seconds to wait, after adding members listed with their own runtime_monitoring, before setting their features: right after CreateMembers, GuardDuty may still answer \"The request is rejected because the given account ID is not an associated member of account the current account.\" and the AWS provider does not retry. The wait runs `sleep` in the local shell (terraform_data with a local-exec provisioner), once per apply that adds such members; 0 waits not at all (for runners without `sleep`, such as Windows; a failed first apply then completes when applied again). See the README."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.member_association_wait_seconds >= 0 && var.member_association_wait_seconds <= 600 && floor(var.member_association_wait_seconds) == var.member_association_wait_seconds
    error_message = "member_association_wait_seconds must be a whole number of seconds from 0 (no wait) to 600."
  }
}
