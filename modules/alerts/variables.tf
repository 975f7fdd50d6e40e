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

variable "chat" {
  description = <<-EOT
    Alerts in Slack and Microsoft Teams channels through Amazon Q Developer in chat applications (formerly AWS Chatbot); null (the default) creates no chat channel. The module creates an encrypted chat topic fed with custom notifications from the same rules, an IAM role that grants nothing, and one channel configuration per entry. Each workspace or team must be authorized once in the Amazon Q Developer console first (see the README).
    - slack: channels, each { name, workspace_id (T...), channel_id (C... or G...) }.
    - teams: channels, each { name, tenant_id (GUID), team_id (GUID), channel_id (URL-encoded, 19%3a...%40thread.tacv2) }.
    - min_severity: lowest severity that reaches chat, 1.0-10.0 (default: min_severity); a band's lower bound (1, 4, 7, 9) unless it is the lowest threshold of all channels.
    With neither slack nor teams (chat = {}) the module creates the chat topic and role only, for channel configurations made in another Region (the chat API exists in us-east-2, us-west-2, eu-west-1 and ap-southeast-1 only).
  EOT
  type = object({
    slack = optional(list(object({
      name         = string
      workspace_id = string
      channel_id   = string
    })), [])
    teams = optional(list(object({
      name       = string
      tenant_id  = string
      team_id    = string
      channel_id = string
    })), [])
    min_severity = optional(number)
  })
  default = null

  validation {
    condition = var.chat == null ? true : alltrue([
      for channel in concat(var.chat.slack, var.chat.teams) : can(regex("^[A-Za-z0-9_-]{1,64}$", channel.name))
    ])
    error_message = "chat: every channel name must be 1-64 letters, digits, hyphens or underscores (it names the channel configuration <name>-<region>-slack-<channel> or <name>-<region>-teams-<channel>)."
  }

  validation {
    condition = var.chat == null ? true : (
      length(distinct(var.chat.slack[*].name)) == length(var.chat.slack)
      && length(distinct(var.chat.teams[*].name)) == length(var.chat.teams)
    )
    error_message = "chat: a channel name appears more than once in slack or in teams; give each channel of a platform its own name."
  }

  validation {
    condition     = var.chat == null ? true : alltrue([for channel in var.chat.slack : can(regex("^T[A-Z0-9]{2,}$", channel.workspace_id))])
    error_message = "chat.slack: workspace_id must be the ID of a Slack workspace authorized in the Amazon Q Developer in chat applications console: T followed by uppercase letters and digits, such as T0123ABCD (console, Configured clients, Slack: Workspace ID). Authorize the workspace there first; a workspace name is not an ID."
  }

  validation {
    condition     = var.chat == null ? true : alltrue([for channel in var.chat.slack : can(regex("^[CG][A-Z0-9]{2,}$", channel.channel_id))])
    error_message = "chat.slack: channel_id must be a Slack channel ID: C (public and newer private channels) or G (older private channels) followed by uppercase letters and digits, such as C0123ABCD (in Slack: the channel's details, at the bottom). A channel name such as #secops is not an ID; invite @Amazon Q to a private channel."
  }

  validation {
    condition = var.chat == null ? true : alltrue([
      for channel in var.chat.teams :
      can(regex("^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$", channel.tenant_id))
      && can(regex("^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$", channel.team_id))
    ])
    error_message = "chat.teams: tenant_id and team_id must be GUIDs such as 00000000-0000-0000-0000-000000000000, the tenant and team authorized in the Amazon Q Developer in chat applications console (Configured clients, Microsoft Teams), where they are shown; the channel's link holds them as tenantId and groupId."
  }

  # The provider reads a Teams channel configuration back by its team (ListMicrosoftTeamsChannelConfigurations
  # with TeamId) and takes the one answer it expects, so two channels of one team cannot be told apart.
  validation {
    condition     = var.chat == null ? true : length(distinct(var.chat.teams[*].team_id)) == length(var.chat.teams)
    error_message = "chat.teams: two channels name the same team_id; the AWS provider reads a Teams channel configuration back by its team and expects one per team, so list one channel per team (send the others through that channel, or a second module call in another account)."
  }

  validation {
    condition     = var.chat == null ? true : alltrue([for channel in var.chat.teams : can(regex("^[A-Za-z0-9_=+/.,-]*%3[aA][A-Za-z0-9_=+/.,-]*%40[A-Za-z0-9_=+/.,-]*$", channel.channel_id))])
    error_message = "chat.teams: channel_id must be the URL-encoded channel ID from the channel's link (Get link to channel), the part after /channel/ up to the next slash, such as 19%3a0123456789abcdef0123456789abcdef%40thread.tacv2 (%3a and %40 stay encoded)."
  }

  validation {
    condition     = var.chat == null ? true : var.chat.min_severity == null ? true : var.chat.min_severity >= 1 && var.chat.min_severity <= 10
    error_message = "chat.min_severity must be between 1.0 and 10.0 (GuardDuty's severity scale), or null to take min_severity."
  }

  validation {
    condition = var.chat == null ? true : alltrue([
      for threshold in [var.min_severity, coalesce(var.chat.min_severity, var.min_severity)] :
      contains([1, 4, 7, 9], threshold) || threshold <= min(var.min_severity, coalesce(var.chat.min_severity, var.min_severity))
    ])
    error_message = "chat.min_severity or min_severity lies inside a severity band above the lowest threshold of the channels: they share one rule per band, so each channel's threshold must be a band's lower bound (1 Low, 4 Medium, 7 High, 9 Critical) or the lowest threshold of all channels. A threshold inside a band needs a rule of its own: add one with the findings_event_patterns output."
  }
}

variable "raw_events_topic" {
  description = "Create a topic (same key and policies as the alert topic) that receives every event the module's rules match, unmodified: the GuardDuty event as EventBridge received it, for PagerDuty's own GuardDuty integration, a SIEM or a Lambda function. Its ARN is the raw_events_topic_arn output."
  type        = bool
  default     = false
  nullable    = false
}

variable "pagerduty" {
  description = <<-EOT
    Paging through the PagerDuty Events API v2 (https://events.pagerduty.com/v2/enqueue) from the same rules, by an EventBridge API destination; null (the default) pages nobody. The routing key stays out of Terraform's plan and state: a CloudFormation stack creates the EventBridge connection and resolves the key from Secrets Manager itself (see the README).
    - routing_key_secret_arn: ARN of the Secrets Manager secret that holds the 32-character integration key of an Events API v2 integration (required).
    - routing_key_json_key: the key of the routing key when the secret is JSON (default: the whole secret string is the key).
    - routing_key_version_id: the secret version to use; change it after rotating the key so that the connection takes the new one (default: the version current when the stack is created or updated).
    - min_severity: lowest finding severity that pages, 1.0-10.0 (default: 7, High and above, or min_severity if higher); a band's lower bound (1, 4, 7, 9) unless it is the lowest threshold of all channels.
    - coverage: Unhealthy coverage triggers an incident and Healthy resolves it, keyed by the resource (default true).
  EOT
  type = object({
    routing_key_secret_arn = string
    routing_key_json_key   = optional(string)
    routing_key_version_id = optional(string)
    min_severity           = optional(number)
    coverage               = optional(bool, true)
  })
  default = null

  validation {
    condition     = var.pagerduty == null ? true : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", var.pagerduty.routing_key_secret_arn))
    error_message = "pagerduty.routing_key_secret_arn must be the ARN of a Secrets Manager secret, arn:<partition>:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 characters>, that holds the Events API v2 integration key (not the key itself)."
  }

  validation {
    condition     = var.pagerduty == null ? true : var.pagerduty.routing_key_json_key == null ? true : can(regex("^[^:{}]{1,256}$", var.pagerduty.routing_key_json_key))
    error_message = "pagerduty.routing_key_json_key must be 1-256 characters without colons or braces (CloudFormation's dynamic reference separates its parts with colons), or null when the secret string is the key itself."
  }

  validation {
    condition     = var.pagerduty == null ? true : var.pagerduty.routing_key_version_id == null ? true : can(regex("^[A-Za-z0-9-]{32,64}$", var.pagerduty.routing_key_version_id))
    error_message = "pagerduty.routing_key_version_id must be a Secrets Manager version ID (32-64 letters, digits and hyphens, as aws secretsmanager list-secret-version-ids shows), or null for the current version."
  }

  validation {
    condition     = var.pagerduty == null ? true : var.pagerduty.min_severity == null ? true : var.pagerduty.min_severity >= 1 && var.pagerduty.min_severity <= 10
    error_message = "pagerduty.min_severity must be between 1.0 and 10.0 (GuardDuty's severity scale), or null for 7 (High and above)."
  }

  validation {
    condition = var.pagerduty == null ? true : alltrue([
      for thresholds in [concat(
        [var.min_severity, coalesce(var.pagerduty.min_severity, max(7, var.min_severity))],
        var.chat == null ? [] : [coalesce(var.chat.min_severity, var.min_severity)],
      )] :
      alltrue([for threshold in thresholds : contains([1, 4, 7, 9], threshold) || threshold <= min(thresholds...)])
    ])
    error_message = "pagerduty.min_severity, chat.min_severity or min_severity lies inside a severity band above the lowest threshold of the channels: they share one rule per band, so each channel's threshold must be a band's lower bound (1 Low, 4 Medium, 7 High, 9 Critical) or the lowest threshold of all channels. A threshold inside a band needs a rule of its own: add one with the findings_event_patterns output."
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
