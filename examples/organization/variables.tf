variable "region" {
  description = "AWS region in which the organization's GuardDuty is administered. Call the example's modules once per region you use (see examples/multi-region)."
  type        = string
  default     = "us-east-1"
}

variable "administrator_account_id" {
  description = "12-digit ID of the organization's account that administers GuardDuty (for example the security tooling account)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.administrator_account_id))
    error_message = "administrator_account_id must be a 12-digit AWS account ID."
  }
}

variable "administrator_role_name" {
  description = "Role in the administrator account that the management account's credentials assume. OrganizationAccountAccessRole is the role AWS Organizations creates in accounts it creates."
  type        = string
  default     = "OrganizationAccountAccessRole"
}

variable "alert_email_addresses" {
  description = "Addresses that receive the alerts of every account of the organization."
  type        = list(string)
  default     = []
}

variable "ci_cluster_name" {
  description = "Name of the ECS cluster that runs CI jobs, whose new binaries are expected and suppressed."
  type        = string
  default     = "ci"
}

variable "members" {
  description = "Member accounts to list explicitly, by account ID (see modules/organization: the management account only once GuardDuty runs in it in this region). Accounts of the organization need not be listed: auto-enable covers them."
  type = map(object({
    email  = string
    invite = optional(bool)
    runtime_monitoring = optional(object({
      enabled                      = optional(bool)
      ecs_fargate_agent_management = optional(bool)
      ec2_agent_management         = optional(bool)
      eks_addon_management         = optional(bool)
    }))
  }))
  default = {}
}

variable "member_association_wait_seconds" {
  description = "Seconds the organization module waits after adding listed members before setting their features (null: the module's default, 30; 0: no wait). See modules/organization."
  type        = number
  default     = null
}
