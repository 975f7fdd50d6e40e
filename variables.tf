variable "create" {
  description = "Whether to create anything at all. With false the module plans nothing, so it can be switched off per account or region."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_detector" {
  description = "Whether to create the GuardDuty detector. Set to false to adopt the detector that already exists in this account and region, and give its ID in detector_id."
  type        = bool
  default     = true
  nullable    = false
}

variable "detector_id" {
  description = "ID of an existing GuardDuty detector (32 lowercase hexadecimal characters) to configure. Only used, and then required, when create_detector is false."
  type        = string
  default     = null

  validation {
    condition     = var.detector_id == null || can(regex("^[0-9a-f]{32}$", var.detector_id))
    error_message = "detector_id must be 32 lowercase hexadecimal characters (as printed by `aws guardduty list-detectors`), or null."
  }

  validation {
    condition     = var.create_detector || var.detector_id != null
    error_message = "detector_id is required when create_detector is false: give the ID of the detector to adopt, or set create_detector = true."
  }

  validation {
    condition     = !var.create_detector || var.detector_id == null
    error_message = "detector_id is only used when create_detector is false: remove it, or set create_detector = false to adopt that detector."
  }
}

variable "finding_publishing_frequency" {
  description = "How often GuardDuty publishes updates of existing findings to EventBridge: FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS. New findings are always published at once; the short default makes alerts on updated findings fast. Only applies to a detector this module creates."
  type        = string
  default     = "FIFTEEN_MINUTES"
  nullable    = false

  validation {
    condition     = contains(["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"], var.finding_publishing_frequency)
    error_message = "finding_publishing_frequency must be one of FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS."
  }
}

variable "runtime_monitoring" {
  description = <<-EOT
    Runtime Monitoring (the RUNTIME_MONITORING detector feature) and how GuardDuty manages its security agent:
    - enabled: Runtime Monitoring itself.
    - ecs_fargate_agent_management: GuardDuty adds its agent as a sidecar to new Fargate tasks (ECS_FARGATE_AGENT_MANAGEMENT).
    - ec2_agent_management: GuardDuty installs and updates the agent on EC2 instances, ECS container instances included, through SSM (EC2_AGENT_MANAGEMENT).
    - eks_addon_management: GuardDuty deploys the agent to EKS clusters as an add-on (EKS_ADDON_MANAGEMENT).
  EOT
  type = object({
    enabled                      = optional(bool, true)
    ecs_fargate_agent_management = optional(bool, true)
    ec2_agent_management         = optional(bool, false)
    eks_addon_management         = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition = var.runtime_monitoring.enabled || !anytrue([
      var.runtime_monitoring.ecs_fargate_agent_management,
      var.runtime_monitoring.ec2_agent_management,
      var.runtime_monitoring.eks_addon_management,
    ])
    error_message = "runtime_monitoring: agent management (ecs_fargate_agent_management, ec2_agent_management, eks_addon_management) only works with Runtime Monitoring on; set enabled = true, or set every agent management option to false."
  }
}

variable "protection_plans" {
  description = "The other GuardDuty protection plans, each explicitly on (true) or off (false) so that the plan shows what is enabled: S3 data events, EKS audit logs, EBS malware protection, RDS login events and Lambda network logs. All off by default: each is billed separately."
  type = object({
    s3_data_events         = optional(bool, false)
    eks_audit_logs         = optional(bool, false)
    ebs_malware_protection = optional(bool, false)
    rds_login_events       = optional(bool, false)
    lambda_network_logs    = optional(bool, false)
  })
  default  = {}
  nullable = false
}

variable "tags" {
  description = "Tags for every taggable resource of the module."
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
