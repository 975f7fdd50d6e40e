variable "create" {
  description = "Whether to create anything at all. With false the module plans nothing."
  type        = bool
  default     = true
  nullable    = false
}

variable "name" {
  description = "Name (and prefix) of the alert resources: rules, topic, key alias, dead-letter queue and alarms. Unique per account and region."
  type        = string
  default     = "guardduty-ecs-runtime"
  nullable    = false

  validation {
    # Rule names are at most 64 characters and the longest suffix the module adds is 18.
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1-40 characters of letters, digits, hyphens and underscores (it prefixes rule, topic, queue, alarm and key alias names)."
  }
}

variable "email_addresses" {
  description = "E-mail addresses to subscribe to the alert topic. Each address receives a confirmation mail from AWS and gets alerts once the link in it is followed."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for address in var.email_addresses : can(regex("^[^@\\s\"<>,;]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}$", address))])
    error_message = "email_addresses: every entry must be one plain e-mail address such as secops@example.com (no display name, no spaces, no lists)."
  }

  validation {
    condition     = length(distinct([for address in var.email_addresses : lower(address)])) == length(var.email_addresses)
    error_message = "email_addresses: an address appears more than once (comparison ignores case); list each address once."
  }
}

variable "finding_types" {
  description = "GuardDuty finding types to alert on, such as \"Execution:Runtime/NewBinaryExecuted\" or \"AttackSequence:ECS/CompromisedCluster\". Empty (the default) means every Runtime Monitoring finding type, <Purpose>:Runtime/<Name>, including types GuardDuty adds later, and the attack sequences that Runtime Monitoring feeds: AttackSequence:ECS/CompromisedCluster, AttackSequence:EC2/CompromisedInstanceGroup and AttackSequence:EKS/CompromisedCluster. AttackSequence types go to the attack sequence rule, the others to the rules of the severity bands."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for type in var.finding_types : can(regex("^[A-Za-z]+:[A-Za-z0-9]+/[A-Za-z0-9_.&!-]+$", type))])
    error_message = "finding_types: every entry must be a GuardDuty finding type of the form ThreatPurpose:ResourceType/ThreatName, such as \"Execution:Runtime/NewBinaryExecuted\" or \"Backdoor:Runtime/C&CActivity.B!DNS\"."
  }
}

variable "min_severity" {
  description = "Lowest GuardDuty severity that alerts, from 1.0 to 10.0. Bands: Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0. The default, 4, alerts on Medium and above."
  type        = number
  default     = 4
  nullable    = false

  validation {
    condition     = var.min_severity >= 1 && var.min_severity <= 10
    error_message = "min_severity must be between 1.0 and 10.0 (GuardDuty's severity scale); 4 means Medium and above, 7 High and above."
  }
}

variable "notify_on_findings" {
  description = "Alert on Runtime Monitoring findings. Set to false in the member accounts of an organization: their findings already reach the delegated administrator's event bus and alert there, while their coverage events are published only on their own bus, so a member deploys the coverage alerts alone."
  type        = bool
  default     = true
  nullable    = false
}

variable "notify_on_unhealthy" {
  description = "Alert when the Runtime Monitoring coverage of a resource becomes unhealthy (the \"GuardDuty Runtime Protection Unhealthy\" event): the agent stopped reporting, or could not be deployed."
  type        = bool
  default     = true
  nullable    = false
}

variable "notify_on_healthy" {
  description = "Also alert when coverage becomes healthy again (the \"GuardDuty Runtime Protection Healthy\" event)."
  type        = bool
  default     = false
  nullable    = false
}

variable "coverage_resource_types" {
  description = "Resource types whose coverage changes alert: ECS (clusters, Fargate tasks included) and EC2 (instances, ECS container instances included); EKS can be added."
  type        = list(string)
  default     = ["ECS", "EC2"]
  nullable    = false

  validation {
    condition     = length(var.coverage_resource_types) > 0 && alltrue([for type in var.coverage_resource_types : contains(["ECS", "EC2", "EKS"], type)])
    error_message = "coverage_resource_types must list one or more of ECS, EC2 and EKS; to turn coverage alerts off set notify_on_unhealthy and notify_on_healthy to false."
  }
}

variable "sns_topic_arn" {
  description = "ARN of an existing SNS topic to send alerts to instead of creating one. The module then leaves the topic's policy and key alone: add the statements of the sns_topic_policy_json output to the topic policy, and those of kms_key_policy_json to the policy of the topic's key."
  type        = string
  default     = null

  validation {
    condition     = var.sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.sns_topic_arn))
    error_message = "sns_topic_arn must be the ARN of a standard SNS topic, arn:<partition>:sns:<region>:<12-digit account>:<name> (FIFO topics are not supported), or null to create a topic."
  }
}

variable "kms_key_arn" {
  description = "ARN of an existing customer-managed KMS key for the topic the module creates, instead of creating one with rotation. Its key policy must contain the statements of the kms_key_policy_json output. (The dead-letter queue always gets a key of its own.)"
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN, arn:<partition>:kms:<region>:<12-digit account>:key/<key id> (not an alias, not a bare key ID), or null to create a key."
  }
}

variable "retry_policy" {
  description = "How long and how often EventBridge retries delivering an alert to the topic before putting it in the dead-letter queue. The defaults are the maxima AWS allows: 24 hours and 185 attempts."
  type = object({
    maximum_event_age_in_seconds = optional(number, 86400)
    maximum_retry_attempts       = optional(number, 185)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.retry_policy.maximum_event_age_in_seconds >= 60 && var.retry_policy.maximum_event_age_in_seconds <= 86400 && floor(var.retry_policy.maximum_event_age_in_seconds) == var.retry_policy.maximum_event_age_in_seconds
    error_message = "retry_policy.maximum_event_age_in_seconds must be a whole number of seconds from 60 to 86400."
  }

  validation {
    condition     = var.retry_policy.maximum_retry_attempts >= 0 && var.retry_policy.maximum_retry_attempts <= 185 && floor(var.retry_policy.maximum_retry_attempts) == var.retry_policy.maximum_retry_attempts
    error_message = "retry_policy.maximum_retry_attempts must be a whole number from 0 to 185."
  }
}

variable "create_alarms" {
  description = "Whether to create CloudWatch alarms, sent to the same topic, on the rules' failed invocations and on messages in the dead-letter queue."
  type        = bool
  default     = true
  nullable    = false
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
