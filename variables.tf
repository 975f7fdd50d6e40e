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

variable "alerts" {
  description = <<-EOT
    Alerts by e-mail for Runtime Monitoring findings and coverage changes (modules/alerts):
    - enabled: create the alerts at all.
    - name: name and prefix of the alert resources (rules, topic, key alias, queue, alarms).
    - email_addresses: addresses to subscribe; each must confirm the mail AWS sends.
    - finding_types: finding types to alert on; empty means every Runtime Monitoring type (<Purpose>:Runtime/<Name>), new ones included.
    - min_severity: lowest severity that alerts, 1.0-10.0 (Low 1-3.9, Medium 4-6.9, High 7-8.9, Critical 9-10).
    - notify_on_unhealthy / notify_on_healthy: alert on "GuardDuty Runtime Protection Unhealthy" / "... Healthy".
    - coverage_resource_types: resource types whose coverage changes alert (ECS, EC2, EKS).
    - sns_topic_arn: an existing topic to use instead of creating one (its policy is left alone; see the sns_topic_policy_json output).
    - kms_key_arn: an existing customer-managed key to use instead of creating one (see the kms_key_policy_json output).
    - retry_policy: how long and how often EventBridge retries before the dead-letter queue.
    - create_alarms: CloudWatch alarms on failed deliveries and on the dead-letter queue.
  EOT
  type = object({
    enabled                 = optional(bool, true)
    name                    = optional(string, "guardduty-ecs-runtime")
    email_addresses         = optional(list(string), [])
    finding_types           = optional(list(string), [])
    min_severity            = optional(number, 4)
    notify_on_unhealthy     = optional(bool, true)
    notify_on_healthy       = optional(bool, false)
    coverage_resource_types = optional(list(string), ["ECS", "EC2"])
    sns_topic_arn           = optional(string)
    kms_key_arn             = optional(string)
    retry_policy = optional(object({
      maximum_event_age_in_seconds = optional(number, 86400)
      maximum_retry_attempts       = optional(number, 185)
    }), {})
    create_alarms = optional(bool, true)
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.alerts.name))
    error_message = "alerts.name must be 1-40 characters of letters, digits, hyphens and underscores (it prefixes rule, topic, queue, alarm and key alias names)."
  }

  validation {
    condition     = alltrue([for address in var.alerts.email_addresses : can(regex("^[^@\\s\"<>,;]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}$", address))])
    error_message = "alerts.email_addresses: every entry must be one plain e-mail address such as secops@example.com (no display name, no spaces, no lists)."
  }

  validation {
    condition     = length(distinct([for address in var.alerts.email_addresses : lower(address)])) == length(var.alerts.email_addresses)
    error_message = "alerts.email_addresses: an address appears more than once (comparison ignores case); list each address once."
  }

  validation {
    condition     = alltrue([for type in var.alerts.finding_types : can(regex("^[A-Za-z]+:[A-Za-z0-9]+/[A-Za-z0-9_.&!-]+$", type))])
    error_message = "alerts.finding_types: every entry must be a GuardDuty finding type of the form ThreatPurpose:ResourceType/ThreatName, such as \"Execution:Runtime/NewBinaryExecuted\" or \"Backdoor:Runtime/C&CActivity.B!DNS\"."
  }

  validation {
    condition     = var.alerts.min_severity >= 1 && var.alerts.min_severity <= 10
    error_message = "alerts.min_severity must be between 1.0 and 10.0 (GuardDuty's severity scale); 4 means Medium and above, 7 High and above."
  }

  validation {
    condition     = length(var.alerts.coverage_resource_types) > 0 && alltrue([for type in var.alerts.coverage_resource_types : contains(["ECS", "EC2", "EKS"], type)])
    error_message = "alerts.coverage_resource_types must list one or more of ECS, EC2 and EKS; to turn coverage alerts off set notify_on_unhealthy and notify_on_healthy to false."
  }

  validation {
    condition     = var.alerts.sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alerts.sns_topic_arn))
    error_message = "alerts.sns_topic_arn must be the ARN of a standard SNS topic, arn:<partition>:sns:<region>:<12-digit account>:<name> (FIFO topics are not supported), or null to create a topic."
  }

  validation {
    condition     = var.alerts.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", var.alerts.kms_key_arn))
    error_message = "alerts.kms_key_arn must be a KMS key ARN, arn:<partition>:kms:<region>:<12-digit account>:key/<key id> (not an alias, not a bare key ID), or null to create a key."
  }

  validation {
    condition     = var.alerts.retry_policy.maximum_event_age_in_seconds >= 60 && var.alerts.retry_policy.maximum_event_age_in_seconds <= 86400 && floor(var.alerts.retry_policy.maximum_event_age_in_seconds) == var.alerts.retry_policy.maximum_event_age_in_seconds
    error_message = "alerts.retry_policy.maximum_event_age_in_seconds must be a whole number of seconds from 60 to 86400."
  }

  validation {
    condition     = var.alerts.retry_policy.maximum_retry_attempts >= 0 && var.alerts.retry_policy.maximum_retry_attempts <= 185 && floor(var.alerts.retry_policy.maximum_retry_attempts) == var.alerts.retry_policy.maximum_retry_attempts
    error_message = "alerts.retry_policy.maximum_retry_attempts must be a whole number from 0 to 185."
  }
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
