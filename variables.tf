# The root composes the submodules and passes every value through, nulls included: each default
# and each validation lives once, in the submodule that owns the input (a null takes the
# submodule's default). Validation errors name the submodule's input and point at the line of
# main.tf that passes it.

variable "create" {
  description = "Whether to create anything at all. With false the module plans nothing, so it can be switched off per account or region."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_detector" {
  description = "Whether to create the GuardDuty detector (modules/runtime-monitoring; default true). Set to false to adopt the detector that already exists in this account and region, and give its ID in detector_id."
  type        = bool
  default     = null
}

variable "detector_id" {
  description = "ID of an existing GuardDuty detector (32 lowercase hexadecimal characters) to configure. Only used, and then required, when create_detector is false (modules/runtime-monitoring)."
  type        = string
  default     = null
}

variable "finding_publishing_frequency" {
  description = "How often GuardDuty publishes updates of existing findings to EventBridge: FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS (modules/runtime-monitoring; default FIFTEEN_MINUTES). Only applies to a detector this module creates."
  type        = string
  default     = null
}

variable "runtime_monitoring" {
  description = <<-EOT
    Runtime Monitoring (the RUNTIME_MONITORING detector feature) and how GuardDuty manages its security agent; an unset attribute takes the default of modules/runtime-monitoring:
    - enabled: Runtime Monitoring itself (default true).
    - ecs_fargate_agent_management: GuardDuty adds its agent as a sidecar to new Fargate tasks, ECS_FARGATE_AGENT_MANAGEMENT (default true).
    - ec2_agent_management: GuardDuty installs and updates the agent on EC2 instances, ECS container instances included, through SSM, EC2_AGENT_MANAGEMENT (default false).
    - eks_addon_management: GuardDuty deploys the agent to EKS clusters as an add-on, EKS_ADDON_MANAGEMENT (default false).
  EOT
  type = object({
    enabled                      = optional(bool)
    ecs_fargate_agent_management = optional(bool)
    ec2_agent_management         = optional(bool)
    eks_addon_management         = optional(bool)
  })
  default  = {}
  nullable = false
}

variable "protection_plans" {
  description = "The other GuardDuty protection plans, each explicitly on (true) or off (false) so that the plan shows what is enabled: S3 data events, EKS audit logs, EBS malware protection, RDS login events and Lambda network logs. An unset plan takes the default of modules/runtime-monitoring: off, as each is billed separately."
  type = object({
    s3_data_events         = optional(bool)
    eks_audit_logs         = optional(bool)
    ebs_malware_protection = optional(bool)
    rds_login_events       = optional(bool)
    lambda_network_logs    = optional(bool)
  })
  default  = {}
  nullable = false
}

variable "alerts" {
  description = <<-EOT
    Alerts for Runtime Monitoring findings and coverage changes, by e-mail and optionally in chat, on PagerDuty and as raw events; each attribute is the input of modules/alerts of the same name, and an unset attribute takes that module's default:
    - create: create the alerts at all (default true).
    - name: name and prefix of the alert resources: rules, topic, key alias, queue, alarms (default "guardduty-ecs-runtime").
    - email_addresses: addresses to subscribe; each must confirm the mail AWS sends (default none).
    - finding_types: finding types to alert on; empty (the default) means every Runtime Monitoring type, <Purpose>:Runtime/<Name>, new ones included, and the ECS, EC2 and EKS attack sequences (AttackSequence:ECS/CompromisedCluster, ...).
    - min_severity: lowest severity that alerts, 1.0-10.0: Low 1-3.9, Medium 4-6.9, High 7-8.9, Critical 9-10 (default 4).
    - notify_on_findings: alert on findings (default true); false in organization members, whose findings alert in the administrator account.
    - notify_on_unhealthy / notify_on_healthy: alert on "GuardDuty Runtime Protection Unhealthy" / "... Healthy" (defaults true / false).
    - coverage_resource_types: resource types whose coverage changes alert: ECS, EC2, EKS (default ECS and EC2).
    - sns_topic_arn: an existing topic to use instead of creating one (its policy is left alone; see the sns_topic_policy_json output).
    - kms_key_arn: an existing customer-managed key to use instead of creating one (see the kms_key_policy_json output).
    - retry_policy: how long and how often EventBridge retries before the dead-letter queue (defaults 86400 s and 185 attempts).
    - create_alarms: CloudWatch alarms on failed deliveries and on the dead-letter queue (default true).
    - chat: Slack and Microsoft Teams channels through Amazon Q Developer in chat applications, { slack = [{ name, workspace_id, channel_id }], teams = [{ name, tenant_id, team_id, channel_id }], min_severity }; each workspace or team authorized once in its console first (default none).
    - raw_events_topic: a topic that receives every matching event unmodified, for PagerDuty's GuardDuty integration, a SIEM or a Lambda function (default false).
    - pagerduty: paging through the PagerDuty Events API v2, { routing_key_secret_arn, routing_key_json_key, routing_key_version_id, min_severity (default 7), coverage (default true) }; the routing key stays in Secrets Manager, out of the plan and the state (default none).
  EOT
  type = object({
    create                  = optional(bool)
    name                    = optional(string)
    email_addresses         = optional(list(string))
    finding_types           = optional(list(string))
    min_severity            = optional(number)
    notify_on_findings      = optional(bool)
    notify_on_unhealthy     = optional(bool)
    notify_on_healthy       = optional(bool)
    coverage_resource_types = optional(list(string))
    sns_topic_arn           = optional(string)
    kms_key_arn             = optional(string)
    retry_policy = optional(object({
      maximum_event_age_in_seconds = optional(number)
      maximum_retry_attempts       = optional(number)
    }))
    create_alarms = optional(bool)
    chat = optional(object({
      slack = optional(list(object({
        name         = string
        workspace_id = string
        channel_id   = string
      })))
      teams = optional(list(object({
        name       = string
        tenant_id  = string
        team_id    = string
        channel_id = string
      })))
      min_severity = optional(number)
    }))
    raw_events_topic = optional(bool)
    pagerduty = optional(object({
      routing_key_secret_arn = string
      routing_key_json_key   = optional(string)
      routing_key_version_id = optional(string)
      min_severity           = optional(number)
      coverage               = optional(bool)
    }))
  })
  default  = {}
  nullable = false
}

variable "filters" {
  description = "Suppression rules and saved filters, by name; see modules/detection-controls for each attribute (action ARCHIVE or NOOP, default ARCHIVE; rank 1-100; criteria by finding attribute, only those CreateFilter accepts). ARCHIVE suppresses: GuardDuty does not send archived findings to EventBridge, so they do not alert. The way to quiet expected runtime findings."
  type = map(object({
    action      = optional(string)
    rank        = number
    description = optional(string)
    criteria = map(object({
      equals                = optional(list(string))
      not_equals            = optional(list(string))
      greater_than          = optional(string)
      greater_than_or_equal = optional(string)
      less_than             = optional(string)
      less_than_or_equal    = optional(string)
    }))
  }))
  default = null
}

variable "ip_sets" {
  description = "Trusted IP lists (at most one), by name; each an existing S3 object (location) or the list itself (content, written to list_bucket), with format (default TXT) and activate (default true). They act on CloudTrail and VPC Flow Log findings, not on Runtime Monitoring findings (quiet those with filters). See modules/detection-controls."
  type = map(object({
    format   = optional(string)
    activate = optional(bool)
    location = optional(string)
    content  = optional(string)
  }))
  default = null
}

variable "threat_intel_sets" {
  description = "Threat lists of IP addresses (at most six), by name, with the attributes of ip_sets; like them, they act on CloudTrail and VPC Flow Log findings, not on Runtime Monitoring findings. See modules/detection-controls."
  type = map(object({
    format   = optional(string)
    activate = optional(bool)
    location = optional(string)
    content  = optional(string)
  }))
  default = null
}

variable "list_bucket" {
  description = "Name of an existing S3 bucket to which the lists given with content are written (modules/detection-controls)."
  type        = string
  default     = null
}

variable "findings_export" {
  description = <<-EOT
    Export of findings to S3 (modules/findings-export); null (the default) exports nothing. An unset attribute takes that module's default:
    - bucket_name: the bucket to create, or an existing one (required).
    - create_bucket: create the bucket, private, versioned, KMS-encrypted and TLS-only (default true).
    - prefix: key prefix of the findings (default "guardduty").
    - kms_key_arn: an existing customer-managed key instead of creating one.
    - expiration_days: days after which exported findings are deleted from a created bucket; 0 keeps them (default 365).
    - force_destroy: let destroy delete a created bucket with the exported findings and all their versions in it, which cannot be undone; without it destroy fails once anything was exported (default false).
  EOT
  type = object({
    bucket_name     = string
    create_bucket   = optional(bool)
    prefix          = optional(string)
    kms_key_arn     = optional(string)
    expiration_days = optional(number)
    force_destroy   = optional(bool)
  })
  default = null
}

variable "tags" {
  description = "Tags for every taggable resource of the module."
  type        = map(string)
  default     = null
}
