data "aws_caller_identity" "current" {
  count = var.create ? 1 : 0
}

data "aws_partition" "current" {
  count = var.create ? 1 : 0
}

data "aws_region" "current" {
  count = var.create ? 1 : 0
}

locals {
  create_topic = var.create && var.sns_topic_arn == null

  # The other channels. Each is a target of the same rules, with its own message (or none).
  create_chat      = var.create && var.chat != null
  slack_channels   = local.create_chat ? { for channel in var.chat.slack : channel.name => channel } : {}
  teams_channels   = local.create_chat ? { for channel in var.chat.teams : channel.name => channel } : {}
  create_raw_topic = var.create && var.raw_events_topic
  create_pagerduty = var.create && var.pagerduty != null

  # A key is only needed for a topic the module creates; a given topic brings its own, and the
  # chat and raw-event topics use the given key, or the module's.
  create_key = var.create && var.kms_key_arn == null && (local.create_topic || local.create_chat || local.create_raw_topic)

  account_id = var.create ? data.aws_caller_identity.current[0].account_id : ""
  partition  = var.create ? data.aws_partition.current[0].partition : ""
  region     = var.create ? data.aws_region.current[0].id : ""

  # Rule and alarm ARNs are built from their names, so that the topic, key and queue policies can
  # name them without waiting for (or cycling through) the resources.
  rule_arn_prefix  = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/"
  alarm_arn_prefix = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:"

  # Each channel's lowest severity: the e-mail topic's is min_severity; chat takes it by default,
  # PagerDuty pages from High (7) up unless min_severity is higher. The raw-event topic takes
  # every event a rule matches.
  channel_min_severities = merge(
    { email = var.min_severity },
    local.create_chat ? { chat = coalesce(var.chat.min_severity, var.min_severity) } : {},
    local.create_pagerduty ? { pagerduty = coalesce(var.pagerduty.min_severity, max(7, var.min_severity)) } : {},
  )
  lowest_severity = min(values(local.channel_min_severities)...)

  # Input transformers cannot compute a band name (or a PagerDuty severity) from a number, so each
  # severity band gets its own rule (and messages); only bands that reach the lowest threshold of
  # the channels exist. A channel is a target of a band's rule when everything the rule matches
  # is at or above its threshold: the variables' validations keep every other threshold on a
  # band's lower bound, so that no channel needs a rule of its own.
  severity_bands = {
    low      = { name = "Low", from = 1, upper_operator = "<", to = 4, pagerduty = "info" }
    medium   = { name = "Medium", from = 4, upper_operator = "<", to = 7, pagerduty = "warning" }
    high     = { name = "High", from = 7, upper_operator = "<", to = 9, pagerduty = "error" }
    critical = { name = "Critical", from = 9, upper_operator = "<=", to = 10, pagerduty = "critical" }
  }
  finding_rules = {
    for key, band in local.severity_bands : key => {
      name               = "${var.name}-findings-${key}"
      band               = band.name
      from               = max(band.from, local.lowest_severity)
      severity           = [">=", max(band.from, local.lowest_severity), band.upper_operator, band.to]
      pagerduty_severity = band.pagerduty
    } if var.create && var.notify_on_findings && length(local.finding_type_filter) > 0 && (band.upper_operator == "<" ? local.lowest_severity < band.to : local.lowest_severity <= band.to)
  }

  # Every Runtime Monitoring type is <Purpose>:Runtime/<Name>; the wildcard also matches types
  # GuardDuty adds later, and nothing of the other protection plans (EC2, S3, IAM, Kubernetes,
  # ECS malware scans), whose resource part differs. Both branches are JSON text because a list
  # of names and a list of filter objects are different Terraform types. Attack sequences are
  # left to their own rule, whose message reads a sequence rather than a runtime finding.
  listed_runtime_types  = [for type in var.finding_types : type if !startswith(type, "AttackSequence:")]
  listed_sequence_types = [for type in var.finding_types : type if startswith(type, "AttackSequence:")]
  finding_type_filter   = jsondecode(length(var.finding_types) > 0 ? jsonencode(local.listed_runtime_types) : jsonencode([{ wildcard = "*:Runtime/*" }]))

  # Extended Threat Detection correlates findings into attack sequences; it "is automatically
  # enabled for each AWS account when they enable GuardDuty" (user guide), and every type is
  # "Default severity: Critical" ("GuardDuty attack sequence finding types"). The default takes
  # the three whose data sources include Runtime Monitoring: ECS clusters ("Runtime Monitoring
  # for Amazon ECS Fargate", "Runtime Monitoring for EC2 Instances in Amazon ECS"), EC2 instance
  # groups ("Runtime Monitoring for Amazon EC2": ECS container instances in an Auto Scaling
  # group are such a group) and EKS clusters ("Runtime Monitoring for Amazon EKS", as the
  # wildcard above alerts on EKS runtime findings). IAM credentials and S3 data sequences come
  # from CloudTrail and S3 data events, which this module does not watch.
  default_attack_sequence_types = [
    "AttackSequence:ECS/CompromisedCluster",
    "AttackSequence:EC2/CompromisedInstanceGroup",
    "AttackSequence:EKS/CompromisedCluster",
  ]
  attack_sequence_types       = length(var.finding_types) > 0 ? local.listed_sequence_types : local.default_attack_sequence_types
  create_attack_sequence_rule = var.create && var.notify_on_findings && length(local.attack_sequence_types) > 0
  attack_sequence_rule_name   = "${var.name}-attack-sequences"

  # One rule per coverage status, as per severity band: PagerDuty's event_action (trigger for
  # Unhealthy, resolve for Healthy) is a constant of each target's template. The Healthy rule
  # exists for PagerDuty's resolve even when the e-mail does not take Healthy events.
  pagerduty_coverage           = local.create_pagerduty && try(var.pagerduty.coverage, true)
  create_coverage_rule         = var.create && (var.notify_on_unhealthy || local.pagerduty_coverage)
  coverage_rule_name           = "${var.name}-coverage"
  create_coverage_healthy_rule = var.create && (var.notify_on_healthy || local.pagerduty_coverage)
  coverage_healthy_rule_name   = "${var.name}-coverage-healthy"

  dead_letter_queue_name = "${var.name}-alerts-dead-letters"
  dead_letter_key_alias  = "alias/${var.name}-alerts-dead-letters"

  # Every rule by key (findings-<band>, attack-sequences, coverage, coverage-healthy) and by ARN.
  rules = merge(
    { for key, rule in local.finding_rules : "findings-${key}" => rule.name },
    local.create_attack_sequence_rule ? { attack-sequences = local.attack_sequence_rule_name } : {},
    local.create_coverage_rule ? { coverage = local.coverage_rule_name } : {},
    local.create_coverage_healthy_rule ? { coverage-healthy = local.coverage_healthy_rule_name } : {},
  )
  rule_arns = [for name in values(local.rules) : "${local.rule_arn_prefix}${name}"]

  # Which rules each channel is a target of. Attack sequences reach every channel: every type is
  # "Default severity: Critical", at or above any threshold a channel can have (see above).
  # Coverage follows notify_on_unhealthy and notify_on_healthy for e-mail and chat, and
  # pagerduty.coverage for PagerDuty.
  channel_rules = {
    for channel, threshold in local.channel_min_severities : channel => toset(concat(
      [for key, rule in local.finding_rules : "findings-${key}" if threshold <= rule.from],
      local.create_attack_sequence_rule ? ["attack-sequences"] : [],
      local.create_coverage_rule && (channel == "pagerduty" ? local.pagerduty_coverage : var.notify_on_unhealthy) ? ["coverage"] : [],
      local.create_coverage_healthy_rule && (channel == "pagerduty" ? local.pagerduty_coverage : var.notify_on_healthy) ? ["coverage-healthy"] : [],
    ))
  }

  alarm_names = var.create && var.create_alarms ? merge(
    { for key, rule_name in local.rules : key => "${rule_name}-failed-invocations" },
    { dead_letter_queue = local.dead_letter_queue_name },
  ) : {}

  sns_topic_arn = local.create_topic ? aws_sns_topic.this[0].arn : var.sns_topic_arn
  kms_key_arn   = local.create_key ? aws_kms_key.this[0].arn : var.kms_key_arn

  chat_topic_name = "${var.name}-alerts-chat"
  # IAM roles and chat configuration names are global to the account: the Region keeps the same
  # name apart in each Region (the multi-region example).
  chat_role_name        = "${var.name}-${local.region}-chat"
  raw_events_topic_name = "${var.name}-alerts-raw-events"
  topic_arn_prefix      = "arn:${local.partition}:sns:${local.region}:${local.account_id}:"

  console_hosts = {
    aws        = "console.aws.amazon.com"
    aws-cn     = "console.amazonaws.cn"
    aws-us-gov = "console.amazonaws-us-gov.com"
  }
  console_url = "https://${lookup(local.console_hosts, local.partition, "console.aws.amazon.com")}/guardduty/home?region=${local.region}"
}

################################################################################
# Messages: each line is a quoted string, which EventBridge sends as written (the
# e-mail shows the quotes). It pastes values unescaped, so a finding's text can add
# lines; the module's console link is always the last line.
################################################################################

locals {
  finding_input_paths = {
    type          = "$.detail.type"
    severity      = "$.detail.severity"
    title         = "$.detail.title"
    account       = "$.detail.accountId"
    region        = "$.detail.region"
    finding_id    = "$.detail.id"
    resource_type = "$.detail.resource.resourceType"
    cluster       = "$.detail.resource.ecsClusterDetails.name"
    task          = "$.detail.resource.ecsClusterDetails.taskDetails.arn"
    image         = "$.detail.resource.ecsClusterDetails.taskDetails.containers[0].image"
    instance      = "$.detail.resource.instanceDetails.instanceId"
    updated       = "$.detail.updatedAt"
  }

  finding_input_templates = {
    for key, rule in local.finding_rules : key => <<-EOT
      "GuardDuty ${rule.band} severity runtime finding"
      "Type: <type>"
      "Severity: <severity> (${rule.band})"
      "Title: <title>"
      "Account: <account>, region: <region>"
      "Resource: <resource_type>"
      "ECS cluster: <cluster>"
      "Task: <task>"
      "Image: <image>"
      "EC2 instance: <instance>"
      "Updated: <updated>"
      "Finding: ${local.console_url}#/findings?macros=current&fId=<finding_id>"
    EOT
  }

  # A sequence has no ECS cluster, task or instance in its resource part (resourceType
  # "AttackSequence"); what it affected, when GuardDuty lists it, is the sequence's resources
  # (ResourceV2: uid, name, resourceType such as ECS_CLUSTER or ECS_TASK). That list goes on a
  # line of its own, unquoted, so EventBridge writes it as JSON, whose keys name each value; a
  # sequence without resources leaves that line empty rather than a label with nothing after it.
  attack_sequence_input_paths = {
    type       = "$.detail.type"
    severity   = "$.detail.severity"
    title      = "$.detail.title"
    summary    = "$.detail.description"
    account    = "$.detail.accountId"
    region     = "$.detail.region"
    finding_id = "$.detail.id"
    resources  = "$.detail.service.detection.sequence.resources"
    updated    = "$.detail.updatedAt"
  }

  attack_sequence_input_template = <<-EOT
    "GuardDuty attack sequence: <title>"
    "Type: <type>"
    "Severity: <severity> (attack sequences are Critical by default)"
    "Summary: <summary>"
    "Account: <account>, region: <region>"
    "Updated: <updated>"
    <resources>
    "Finding: ${local.console_url}#/findings?macros=current&fId=<finding_id>"
  EOT

  coverage_input_paths = {
    current       = "$.detail.currentStatus"
    previous      = "$.detail.previousStatus"
    account       = "$.detail.resourceAccountId"
    region        = "$.region"
    resource_type = "$.detail.resourceDetails.resourceType"
    cluster       = "$.detail.resourceDetails.ecsClusterDetails.clusterName"
    instance      = "$.detail.resourceDetails.ec2InstanceDetails.instanceId"
    eks_cluster   = "$.detail.resourceDetails.eksClusterDetails.clusterName"
    issue         = "$.detail.issue"
    updated       = "$.detail.lastUpdatedAt"
  }

  coverage_input_template = <<-EOT
    "GuardDuty Runtime Monitoring coverage is <current> (was <previous>)"
    "Account: <account>, region: <region>"
    "Resource: <resource_type>"
    "ECS cluster: <cluster>"
    "EC2 instance: <instance>"
    "EKS cluster: <eks_cluster>"
    "Issue: <issue>"
    "Updated: <updated>"
    "Troubleshooting: https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring-assessing-coverage.html"
  EOT
}

################################################################################
# Chat and PagerDuty messages: JSON templates. "The InputTemplate can also be valid JSON with
# variables in quotes or out" (API reference, InputTransformer); out of quotes EventBridge writes
# the value as JSON ("Simple JSON": {"instance": <instance>} gives {"instance": "i-0123456789"},
# user guide, input transformation), in quotes as it is ("EventBridge doesn't escape values
# extracted by Input Path"). So free text (a title, a description) only ever stands alone as a
# value, and inside strings go only values that cannot hold a quote or a backslash: IDs, finding
# types, account, Region, statuses, severities and resource names. A variable whose path is
# missing "isn't created and won't appear in the output": alone as a value it would leave
# invalid JSON, so only fields every event has stand alone (a finding's id, type, title,
# description, resource and severity; a coverage event's detail; the event's id and time).
################################################################################

locals {
  coverage_troubleshooting_url = "https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring-assessing-coverage.html"

  # Amazon Q Developer in chat applications administrator guide, "Custom notifications": the
  # event schema (version "1.0", source "custom", content.textType "client-markdown", title,
  # description, nextSteps, keywords; metadata.threadId, summary, eventType, additionalContext),
  # and "You can also thread custom notifications using the threadId parameter": the finding ID,
  # so that GuardDuty's updates of a finding thread under its first message.
  chat_finding_input_paths = {
    event_id      = "$.id"
    type          = "$.detail.type"
    severity      = "$.detail.severity"
    title         = "$.detail.title"
    description   = "$.detail.description"
    account       = "$.detail.accountId"
    region        = "$.detail.region"
    finding_id    = "$.detail.id"
    resource_type = "$.detail.resource.resourceType"
  }

  chat_finding_input_templates = {
    for key, rule in local.finding_rules : key => <<-EOT
      {
        "version": "1.0",
        "source": "custom",
        "id": <event_id>,
        "content": {
          "textType": "client-markdown",
          "title": "GuardDuty ${rule.band} severity runtime finding: <type>",
          "description": <description>,
          "nextSteps": [
            "Open the finding: ${local.console_url}#/findings?macros=current&fId=<finding_id>",
            "Account <account>, Region <region>, severity <severity> (${rule.band})"
          ],
          "keywords": ["${rule.band}", <type>, <account>, <region>]
        },
        "metadata": {
          "threadId": <finding_id>,
          "summary": <title>,
          "eventType": "GuardDutyRuntimeFinding",
          "additionalContext": {
            "findingId": <finding_id>,
            "account": <account>,
            "region": <region>,
            "severity": "<severity>",
            "resourceType": <resource_type>
          }
        }
      }
    EOT
  }

  chat_attack_sequence_input_paths = {
    event_id    = "$.id"
    type        = "$.detail.type"
    severity    = "$.detail.severity"
    title       = "$.detail.title"
    description = "$.detail.description"
    account     = "$.detail.accountId"
    region      = "$.detail.region"
    finding_id  = "$.detail.id"
  }

  chat_attack_sequence_input_template = <<-EOT
    {
      "version": "1.0",
      "source": "custom",
      "id": <event_id>,
      "content": {
        "textType": "client-markdown",
        "title": "GuardDuty attack sequence: <type>",
        "description": <description>,
        "nextSteps": [
          "Open the finding: ${local.console_url}#/findings?macros=current&fId=<finding_id>",
          "Account <account>, Region <region>, severity <severity> (attack sequences are Critical by default)"
        ],
        "keywords": ["AttackSequence", <type>, <account>, <region>]
      },
      "metadata": {
        "threadId": <finding_id>,
        "summary": <title>,
        "eventType": "GuardDutyAttackSequence",
        "additionalContext": {
          "findingId": <finding_id>,
          "account": <account>,
          "region": <region>,
          "severity": "<severity>"
        }
      }
    }
  EOT

  # A coverage change names one resource: an ECS cluster, an EC2 instance or an EKS cluster, so
  # the three name variables side by side give the one that exists. Its Unhealthy and Healthy
  # messages share a thread (and PagerDuty a dedup key): the resource, in its account and Region.
  coverage_channel_input_paths = {
    event_id      = "$.id"
    time          = "$.time"
    current       = "$.detail.currentStatus"
    previous      = "$.detail.previousStatus"
    account       = "$.detail.resourceAccountId"
    region        = "$.region"
    resource_type = "$.detail.resourceDetails.resourceType"
    cluster       = "$.detail.resourceDetails.ecsClusterDetails.clusterName"
    instance      = "$.detail.resourceDetails.ec2InstanceDetails.instanceId"
    eks_cluster   = "$.detail.resourceDetails.eksClusterDetails.clusterName"
    issue         = "$.detail.issue"
    detail        = "$.detail"
  }
  coverage_resource_key = "coverage:<account>:<region>:<resource_type>:<cluster><instance><eks_cluster>"

  chat_coverage_input_templates = {
    coverage         = <<-EOT
      {
        "version": "1.0",
        "source": "custom",
        "id": <event_id>,
        "content": {
          "textType": "client-markdown",
          "title": "GuardDuty Runtime Monitoring coverage is <current> for <resource_type> <cluster><instance><eks_cluster>",
          "description": "GuardDuty receives no runtime events from this resource and cannot raise Runtime Monitoring findings for it. Issue: <issue>",
          "nextSteps": [
            "Troubleshooting: ${local.coverage_troubleshooting_url}",
            "Account <account>, Region <region>, previous status <previous>"
          ],
          "keywords": [<current>, <resource_type>, <account>, <region>]
        },
        "metadata": {
          "threadId": "${local.coverage_resource_key}",
          "summary": "GuardDuty Runtime Monitoring coverage is <current>: <resource_type> <cluster><instance><eks_cluster>",
          "eventType": "GuardDutyRuntimeCoverage",
          "additionalContext": {
            "account": <account>,
            "region": <region>,
            "resourceType": <resource_type>
          }
        }
      }
    EOT
    coverage-healthy = <<-EOT
      {
        "version": "1.0",
        "source": "custom",
        "id": <event_id>,
        "content": {
          "textType": "client-markdown",
          "title": "GuardDuty Runtime Monitoring coverage is <current> for <resource_type> <cluster><instance><eks_cluster>",
          "description": "GuardDuty receives runtime events from this resource again.",
          "nextSteps": [
            "Account <account>, Region <region>, previous status <previous>"
          ],
          "keywords": [<current>, <resource_type>, <account>, <region>]
        },
        "metadata": {
          "threadId": "${local.coverage_resource_key}",
          "summary": "GuardDuty Runtime Monitoring coverage is <current>: <resource_type> <cluster><instance><eks_cluster>",
          "eventType": "GuardDutyRuntimeCoverage",
          "additionalContext": {
            "account": <account>,
            "region": <region>,
            "resourceType": <resource_type>
          }
        }
      }
    EOT
  }

  # PagerDuty Events API v2, "Send an Alert Event": routing_key (added by the connection, never
  # here), event_action, dedup_key ("The maximum permitted length of this property is 255
  # characters"), payload.summary ("The maximum permitted length of this property is 1024
  # characters"), payload.source, payload.severity ("critical, error, warning or info"), and the
  # optional timestamp, component, group, class, custom_details and links. The summary is fixed
  # text, the finding type (at most 50 characters, GuardDuty API reference, FindingType), the
  # account and the Region: always under 150 characters. The finding's title and description,
  # whose length no API documents, go to custom_details.
  pagerduty_finding_input_paths = {
    time          = "$.time"
    type          = "$.detail.type"
    severity      = "$.detail.severity"
    title         = "$.detail.title"
    description   = "$.detail.description"
    account       = "$.detail.accountId"
    region        = "$.detail.region"
    finding_id    = "$.detail.id"
    resource_type = "$.detail.resource.resourceType"
    resource      = "$.detail.resource"
  }

  pagerduty_finding_input_templates = {
    for key, rule in local.finding_rules : key => <<-EOT
      {
        "event_action": "trigger",
        "dedup_key": <finding_id>,
        "client": "Amazon GuardDuty",
        "client_url": "${local.console_url}#/findings?macros=current&fId=<finding_id>",
        "payload": {
          "summary": "GuardDuty ${rule.band} severity runtime finding <type> in account <account>, <region>",
          "source": "guardduty:<region>:<account>",
          "severity": "${rule.pagerduty_severity}",
          "timestamp": <time>,
          "component": <resource_type>,
          "group": "GuardDuty Runtime Monitoring",
          "class": <type>,
          "custom_details": {
            "title": <title>,
            "description": <description>,
            "severity": <severity>,
            "finding_id": <finding_id>,
            "resource": <resource>
          }
        },
        "links": [
          {
            "href": "${local.console_url}#/findings?macros=current&fId=<finding_id>",
            "text": "The finding in the GuardDuty console"
          }
        ]
      }
    EOT
  }

  pagerduty_attack_sequence_input_paths = {
    time        = "$.time"
    type        = "$.detail.type"
    severity    = "$.detail.severity"
    title       = "$.detail.title"
    description = "$.detail.description"
    account     = "$.detail.accountId"
    region      = "$.detail.region"
    finding_id  = "$.detail.id"
  }

  pagerduty_attack_sequence_input_template = <<-EOT
    {
      "event_action": "trigger",
      "dedup_key": <finding_id>,
      "client": "Amazon GuardDuty",
      "client_url": "${local.console_url}#/findings?macros=current&fId=<finding_id>",
      "payload": {
        "summary": "GuardDuty attack sequence <type> in account <account>, <region>",
        "source": "guardduty:<region>:<account>",
        "severity": "critical",
        "timestamp": <time>,
        "component": "AttackSequence",
        "group": "GuardDuty Extended Threat Detection",
        "class": <type>,
        "custom_details": {
          "title": <title>,
          "description": <description>,
          "severity": <severity>,
          "finding_id": <finding_id>
        }
      },
      "links": [
        {
          "href": "${local.console_url}#/findings?macros=current&fId=<finding_id>",
          "text": "The finding in the GuardDuty console"
        }
      ]
    }
  EOT

  # Unhealthy triggers and Healthy resolves the same alert: the dedup key is the resource (at most
  # 41 characters besides its name, so names up to 214 characters fit PagerDuty's 255). A
  # coverage gap is a warning: nothing is known to be compromised, GuardDuty is blind there.
  pagerduty_coverage_input_templates = {
    coverage         = <<-EOT
      {
        "event_action": "trigger",
        "dedup_key": "${local.coverage_resource_key}",
        "client": "Amazon GuardDuty",
        "client_url": "${local.coverage_troubleshooting_url}",
        "payload": {
          "summary": "GuardDuty Runtime Monitoring coverage is <current> for <resource_type> <cluster><instance><eks_cluster> in account <account>, <region>",
          "source": "guardduty:<region>:<account>",
          "severity": "warning",
          "timestamp": <time>,
          "component": <resource_type>,
          "group": "GuardDuty Runtime Monitoring",
          "class": "GuardDuty Runtime Protection Unhealthy",
          "custom_details": <detail>
        },
        "links": [
          {
            "href": "${local.coverage_troubleshooting_url}",
            "text": "Runtime coverage issues and troubleshooting"
          }
        ]
      }
    EOT
    coverage-healthy = <<-EOT
      {
        "event_action": "resolve",
        "dedup_key": "${local.coverage_resource_key}"
      }
    EOT
  }
}

################################################################################
# KMS keys: one for the topic, one for the dead-letter queue
################################################################################

locals {
  # What the topic's key must allow, as the SNS developer guide words it ("Key management", "Enable
  # compatibility between event sources from AWS services and encrypted topics"): the services
  # that publish need "kms:GenerateDataKey* and kms:Decrypt". For EventBridge the statement has no
  # condition, because "Adding the aws:SourceAccount, aws:SourceArn, and aws:SourceOrgID to a AWS
  # KMS policy is not supported for EventBridge-to-encrypted topics": the KMS request does not
  # carry those keys, and a conditioned statement makes every alert publish fail. No SNS guide
  # documents another condition (such as the topic ARN in the encryption context) for this path,
  # so none is added; the key is used by this topic alone, and the topic policy decides who may
  # publish. CloudWatch alarms keep the aws:SourceAccount condition that the same guide
  # recommends for other services.
  kms_key_service_statements = [
    {
      Sid       = "AllowEventBridgeToPublishToTheEncryptedTopic"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = ["kms:GenerateDataKey*", "kms:Decrypt"]
      Resource  = "*"
    },
    {
      Sid       = "AllowCloudWatchAlarmsToEncrypt"
      Effect    = "Allow"
      Principal = { Service = "cloudwatch.amazonaws.com" }
      Action    = ["kms:GenerateDataKey*", "kms:Decrypt"]
      Resource  = "*"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    },
  ]

  # The dead-letter queue's key: SQS developer guide, "Configure KMS permissions for AWS services":
  # the service needs "kms:Decrypt" and "kms:GenerateDataKey"; and, under "confused deputy
  # protection", "When using SSE enabled Amazon SQS queues, the following services support
  # aws:SourceArn: ... CloudWatch Events", so only these rules may use it.
  dead_letter_key_service_statement = {
    Sid       = "AllowEventBridgeRulesToSendDeadLetters"
    Effect    = "Allow"
    Principal = { Service = "events.amazonaws.com" }
    Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
    Resource  = "*"
    Condition = { ArnEquals = { "aws:SourceArn" = local.rule_arns } }
  }
}

locals {
  # Without this statement nobody, not even the account's administrators, could manage a key;
  # IAM policies decide who in the account may use it.
  kms_key_admin_statement = {
    Sid       = "AllowAccountAdministration"
    Effect    = "Allow"
    Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
    Action    = "kms:*"
    Resource  = "*"
  }
}

resource "aws_kms_key" "this" {
  count = local.create_key ? 1 : 0

  description             = "Encrypts the GuardDuty runtime alert topic (${var.name})."
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat([local.kms_key_admin_statement], local.kms_key_service_statements)
  })

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_key ? 1 : 0

  name          = "alias/${var.name}-alerts"
  target_key_id = aws_kms_key.this[0].key_id
}

# The dead-letter queue has a key of its own: when the topic's key is disabled or its policy is
# broken, the alerts that could not be published must still be kept.
resource "aws_kms_key" "dead_letter" {
  count = var.create ? 1 : 0

  description             = "Encrypts the dead-letter queue of the GuardDuty runtime alerts (${var.name})."
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.kms_key_admin_statement, local.dead_letter_key_service_statement]
  })

  tags = var.tags
}

resource "aws_kms_alias" "dead_letter" {
  count = var.create ? 1 : 0

  name          = local.dead_letter_key_alias
  target_key_id = aws_kms_key.dead_letter[0].key_id
}

################################################################################
# SNS topic, its policy, e-mail subscriptions
################################################################################

locals {
  sns_topic_policy_statements = concat(
    [
      # EventBridge user guide, "Using resource-based policies for Amazon EventBridge", Amazon SNS
      # permissions: "You can't use Condition blocks in Amazon SNS topic policies for
      # EventBridge." The statement names the service and this topic only.
      {
        Sid       = "AllowEventBridgeToPublish"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = local.sns_topic_arn
      },
    ],
    length(local.alarm_names) > 0 ? [
      {
        Sid       = "AllowCloudWatchAlarmsToPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = local.sns_topic_arn
        Condition = { ArnEquals = { "aws:SourceArn" = [for name in values(local.alarm_names) : "${local.alarm_arn_prefix}${name}"] } }
      },
    ] : [],
  )
}

resource "aws_sns_topic" "this" {
  count = local.create_topic ? 1 : 0

  name              = "${var.name}-alerts"
  display_name      = "GuardDuty alerts"
  kms_master_key_id = local.kms_key_arn

  tags = var.tags
}

# EventBridge and this module's alarms may publish; the account's own principals need IAM
# permissions, as for any other resource.
resource "aws_sns_topic_policy" "this" {
  count = local.create_topic ? 1 : 0

  arn = aws_sns_topic.this[0].arn
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.sns_topic_policy_statements
  })
}

resource "aws_sns_topic_subscription" "email" {
  for_each = var.create ? toset(var.email_addresses) : toset([])

  topic_arn = local.sns_topic_arn
  protocol  = "email"
  endpoint  = each.value
}

################################################################################
# Chat and raw-event topics: the same key, the same kind of policy
################################################################################

locals {
  # As for the alert topic: EventBridge may publish, without a condition; the chat topic also
  # takes this module's alarms, which Amazon Q Developer in chat applications renders as it
  # renders any CloudWatch alarm. SNS decrypts a message when it sends it ("The messages are
  # stored in encrypted form, and only decrypted when they are sent", SNS developer guide,
  # "Encryption at rest"), so the subscribers need nothing from the key.
  channel_topic_policy_statements = {
    chat = concat(
      [
        {
          Sid       = "AllowEventBridgeToPublish"
          Effect    = "Allow"
          Principal = { Service = "events.amazonaws.com" }
          Action    = "sns:Publish"
          Resource  = "${local.topic_arn_prefix}${local.chat_topic_name}"
        },
      ],
      length(local.alarm_names) > 0 ? [
        {
          Sid       = "AllowCloudWatchAlarmsToPublish"
          Effect    = "Allow"
          Principal = { Service = "cloudwatch.amazonaws.com" }
          Action    = "sns:Publish"
          Resource  = "${local.topic_arn_prefix}${local.chat_topic_name}"
          Condition = { ArnEquals = { "aws:SourceArn" = [for name in values(local.alarm_names) : "${local.alarm_arn_prefix}${name}"] } }
        },
      ] : [],
    )
    raw_events = [
      {
        Sid       = "AllowEventBridgeToPublish"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = "${local.topic_arn_prefix}${local.raw_events_topic_name}"
      },
    ]
  }
}

resource "aws_sns_topic" "chat" {
  count = local.create_chat ? 1 : 0

  name              = local.chat_topic_name
  display_name      = "GuardDuty chat alerts"
  kms_master_key_id = local.kms_key_arn

  tags = var.tags
}

resource "aws_sns_topic_policy" "chat" {
  count = local.create_chat ? 1 : 0

  arn = aws_sns_topic.chat[0].arn
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.channel_topic_policy_statements.chat
  })
}

resource "aws_sns_topic" "raw_events" {
  count = local.create_raw_topic ? 1 : 0

  name              = local.raw_events_topic_name
  display_name      = "GuardDuty raw events"
  kms_master_key_id = local.kms_key_arn

  tags = var.tags
}

resource "aws_sns_topic_policy" "raw_events" {
  count = local.create_raw_topic ? 1 : 0

  arn = aws_sns_topic.raw_events[0].arn
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.channel_topic_policy_statements.raw_events
  })
}

################################################################################
# Chat channels: Amazon Q Developer in chat applications (formerly AWS Chatbot)
################################################################################

locals {
  # "AWS Chatbot APIs are currently available in the following Regions: US East (Ohio) -
  # us-east-2, US West (Oregon) - us-west-2, Asia Pacific (Singapore) - ap-southeast-1, Europe
  # (Ireland) - eu-west-1" (API reference, Welcome). A channel configuration may subscribe a topic
  # of any Region; it is created through one of these.
  chatbot_api_regions = ["us-east-2", "us-west-2", "ap-southeast-1", "eu-west-1"]
}

# The role the channels assume. Channel members cannot act through it: it has no policy, and the
# channel guardrail is AWSDenyAll, because "The AWS managed AdministratorAccess policy is applied
# by default if this is not set" (API reference, CreateSlackChannelConfiguration,
# GuardrailPolicyArns). Notifications need neither: a custom notification is rendered from the
# message alone; the "Notification permissions" template's CloudWatch read access only adds metric
# graphs to alarm notifications (administrator guide, troubleshooting).
resource "aws_iam_role" "chat" {
  count = local.create_chat ? 1 : 0

  name        = local.chat_role_name
  description = "Assumed by Amazon Q Developer in chat applications for the GuardDuty alert channels of ${var.name}; grants nothing."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AmazonQDeveloperInChatApplications"
        Effect    = "Allow"
        Principal = { Service = "chatbot.amazonaws.com" }
        Action    = "sts:AssumeRole"
      },
    ]
  })

  tags = var.tags
}

resource "aws_chatbot_slack_channel_configuration" "this" {
  for_each = local.slack_channels

  configuration_name          = "${var.name}-${local.region}-slack-${each.key}"
  iam_role_arn                = aws_iam_role.chat[0].arn
  slack_team_id               = each.value.workspace_id
  slack_channel_id            = each.value.channel_id
  sns_topic_arns              = [aws_sns_topic.chat[0].arn]
  guardrail_policy_arns       = ["arn:${local.partition}:iam::aws:policy/AWSDenyAll"]
  user_authorization_required = false
  logging_level               = "ERROR"

  tags = var.tags

  depends_on = [aws_sns_topic_policy.chat]
}

resource "aws_chatbot_teams_channel_configuration" "this" {
  for_each = local.teams_channels

  configuration_name          = "${var.name}-${local.region}-teams-${each.key}"
  iam_role_arn                = aws_iam_role.chat[0].arn
  tenant_id                   = each.value.tenant_id
  team_id                     = each.value.team_id
  channel_id                  = each.value.channel_id
  sns_topic_arns              = [aws_sns_topic.chat[0].arn]
  guardrail_policy_arns       = ["arn:${local.partition}:iam::aws:policy/AWSDenyAll"]
  user_authorization_required = false
  logging_level               = "ERROR"

  tags = var.tags

  depends_on = [aws_sns_topic_policy.chat]
}

# A plan-time warning rather than an error: the list of Regions may grow, and chat = {} (no
# channel) is the way to deploy the chat topic where the API is not.
check "chat_api_region" {
  assert {
    condition     = length(local.slack_channels) + length(local.teams_channels) == 0 || contains(local.chatbot_api_regions, local.region)
    error_message = "chat: the Amazon Q Developer in chat applications API (AWS Chatbot) exists only in us-east-2, us-west-2, eu-west-1 and ap-southeast-1, and this module creates the channel configurations in its own Region, ${local.region}. Apply with a provider in one of those Regions, or set chat without slack and teams here and create the channel configurations with a provider there, subscribing the chat_topic_arn output (see the alerts README)."
  }
}

################################################################################
# PagerDuty: an EventBridge API destination to the Events API v2
################################################################################

locals {
  # The routing key never passes through Terraform. A CloudFormation stack creates the
  # connection and resolves the key from Secrets Manager itself, as the CloudFormation guide
  # recommends ("Reference that secret in your CloudFormation template for
  # AWS::Events::Connection using CloudFormation dynamic reference syntax", AWS::Events::
  # ApiDestination): the plan and the state hold the reference, never the value. Format
  # (Secrets Manager user guide): {{resolve:secretsmanager:secret-id:SecretString:json-key:
  # version-stage:version-id}}; without json-key "CloudFormation retrieves the entire secret
  # text", without a version, AWSCURRENT.
  pagerduty_routing_key_reference = !local.create_pagerduty ? null : format(
    "{{resolve:secretsmanager:%s%s}}",
    var.pagerduty.routing_key_secret_arn,
    var.pagerduty.routing_key_json_key == null && var.pagerduty.routing_key_version_id == null ? "" : format(
      ":SecretString:%s%s",
      var.pagerduty.routing_key_json_key == null ? "" : var.pagerduty.routing_key_json_key,
      var.pagerduty.routing_key_version_id == null ? "" : "::${var.pagerduty.routing_key_version_id}",
    ),
  )
  pagerduty_name       = "${var.name}-pagerduty"
  pagerduty_rule_arns  = [for key in try(local.channel_rules["pagerduty"], []) : "${local.rule_arn_prefix}${local.rules[key]}"]
  pagerduty_events_api = "https://events.pagerduty.com/v2/enqueue"
}

# EventBridge connections take an authorization type; the Events API v2 needs none ("routing key
# in the body, no Authorization header"), so the connection sends a dummy API key header, as the
# EventBridge guide's partner page advises for an endpoint that needs none (Sumo Logic: "select
# API Key and give it a key name of "dummy-key" and a key value of "dummy-value""). The routing key
# is a secret body parameter ("ConnectionBodyParameter: Additional parameter included in the
# body", API reference), stored by EventBridge in its own Secrets Manager secret.
resource "aws_cloudformation_stack" "pagerduty_connection" {
  #checkov:skip=CKV_AWS_124:The stack holds one EventBridge connection that Terraform alone changes; its events are in CloudTrail, and the alert topic is no place for them.
  count = local.create_pagerduty ? 1 : 0

  name               = "${local.pagerduty_name}-connection"
  on_failure         = "DELETE"
  timeout_in_minutes = 10

  template_body = jsonencode({
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "EventBridge connection to the PagerDuty Events API v2 for the GuardDuty runtime alerts of ${var.name}; the routing key is resolved from Secrets Manager by CloudFormation (managed by Terraform)."
    Resources = {
      Connection = {
        Type = "AWS::Events::Connection"
        Properties = {
          Name              = local.pagerduty_name
          Description       = "PagerDuty Events API v2, routing key from ${var.pagerduty.routing_key_secret_arn}."
          AuthorizationType = "API_KEY"
          AuthParameters = {
            ApiKeyAuthParameters = {
              ApiKeyName  = "dummy-key"
              ApiKeyValue = "dummy-value"
            }
            InvocationHttpParameters = {
              BodyParameters = [
                {
                  Key           = "routing_key"
                  Value         = local.pagerduty_routing_key_reference
                  IsValueSecret = true
                },
              ]
            }
          }
        }
      }
    }
    Outputs = {
      ConnectionArn = { Value = { "Fn::GetAtt" = ["Connection", "Arn"] } }
    }
  })

  tags = var.tags
}

resource "aws_cloudwatch_event_api_destination" "pagerduty" {
  count = local.create_pagerduty ? 1 : 0

  name                = local.pagerduty_name
  description         = "PagerDuty Events API v2 for the GuardDuty runtime alerts of ${var.name}."
  invocation_endpoint = local.pagerduty_events_api
  http_method         = "POST"
  # "The Events v2 API has a limit of approximately 120 calls/minute per integration key"
  # (PagerDuty, Events API rate limits); EventBridge retries the 429s that remain.
  invocation_rate_limit_per_second = 2
  connection_arn                   = aws_cloudformation_stack.pagerduty_connection[0].outputs["ConnectionArn"]
}

# EventBridge invokes an API destination with a role ("To use an API destination as a target,
# you must provide an IAM role", EventBridge guide), trusted only by these rules ("For
# EventBridge event bus rule targets, the value of aws:SourceArn must be the rule ARN",
# cross-service confused deputy prevention).
resource "aws_iam_role" "pagerduty" {
  count = local.create_pagerduty ? 1 : 0

  name        = "${var.name}-${local.region}-paging" # IAM role names: at most 64 characters
  description = "Assumed by EventBridge to send the GuardDuty runtime alerts of ${var.name} to PagerDuty."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EventBridgeRulesOfTheseAlerts"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnEquals    = { "aws:SourceArn" = local.pagerduty_rule_arns }
        }
      },
    ]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "pagerduty" {
  count = local.create_pagerduty ? 1 : 0

  name = "invoke-the-pagerduty-api-destination"
  role = aws_iam_role.pagerduty[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "InvokeThePagerDutyApiDestination"
        Effect   = "Allow"
        Action   = "events:InvokeApiDestination"
        Resource = aws_cloudwatch_event_api_destination.pagerduty[0].arn
      },
    ]
  })
}

################################################################################
# Dead-letter queue for alerts EventBridge could not deliver
################################################################################

# The queue policy is part of the queue rather than an aws_sqs_queue_policy: the provider waits
# about 25 s for every change of queue attributes to settle, and one change is enough.
#
# The queue names its key by alias, which is known before the key exists ("KmsMasterKeyId - The
# ID of an AWS managed KMS key for Amazon SQS or a custom KMS key ... an alias", SQS API
# reference, SetQueueAttributes), so the queue's 25 s wait runs alongside the key's instead of
# after it. The targets, which are the only senders, wait for the alias.
resource "aws_sqs_queue" "dead_letter" {
  count = var.create ? 1 : 0

  name                              = local.dead_letter_queue_name
  kms_master_key_id                 = local.dead_letter_key_alias
  kms_data_key_reuse_period_seconds = 300
  message_retention_seconds         = 1209600 # 14 days, the maximum: time to notice and replay

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowEventBridgeRulesToSendDeadLetters"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.dead_letter_queue_name}"
        Condition = { ArnEquals = { "aws:SourceArn" = local.rule_arns } }
      },
    ]
  })

  tags = var.tags
}

################################################################################
# EventBridge rules (default bus) and their targets
################################################################################

resource "aws_cloudwatch_event_rule" "findings" {
  for_each = local.finding_rules

  name        = each.value.name
  description = "GuardDuty Runtime Monitoring findings of ${each.value.band} severity, from ${each.value.severity[1]}, to ${var.name} alerts."
  event_pattern = jsonencode({
    source        = ["aws.guardduty"]
    "detail-type" = ["GuardDuty Finding"]
    detail = {
      type     = local.finding_type_filter
      severity = [{ numeric = each.value.severity }]
    }
  })

  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "attack_sequences" {
  count = local.create_attack_sequence_rule ? 1 : 0

  name        = local.attack_sequence_rule_name
  description = "GuardDuty Extended Threat Detection attack sequences (${join(", ", local.attack_sequence_types)}) from severity ${local.lowest_severity}, to ${var.name} alerts."
  event_pattern = jsonencode({
    source        = ["aws.guardduty"]
    "detail-type" = ["GuardDuty Finding"]
    detail = {
      type     = local.attack_sequence_types
      severity = [{ numeric = [">=", local.lowest_severity] }]
    }
  })

  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "coverage" {
  count = local.create_coverage_rule ? 1 : 0

  name        = local.coverage_rule_name
  description = "GuardDuty Runtime Monitoring coverage changes (${join(", ", var.coverage_resource_types)}) to ${var.name} alerts."
  event_pattern = jsonencode({
    source        = ["aws.guardduty"]
    "detail-type" = ["GuardDuty Runtime Protection Unhealthy"]
    detail = {
      resourceDetails = { resourceType = var.coverage_resource_types }
    }
  })

  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "coverage_healthy" {
  count = local.create_coverage_healthy_rule ? 1 : 0

  name        = local.coverage_healthy_rule_name
  description = "GuardDuty Runtime Monitoring coverage back to healthy (${join(", ", var.coverage_resource_types)}) to ${var.name} alerts."
  event_pattern = jsonencode({
    source        = ["aws.guardduty"]
    "detail-type" = ["GuardDuty Runtime Protection Healthy"]
    detail = {
      resourceDetails = { resourceType = var.coverage_resource_types }
    }
  })

  tags = var.tags
}

locals {
  # Each channel's message per rule, keyed like local.rules. The e-mail topic's is text, the chat
  # topic's a custom notification, PagerDuty's an Events API v2 event; the raw-event topic takes
  # the event itself (no input transformer).
  rule_messages = merge(
    {
      for key in keys(local.finding_rules) : "findings-${key}" => {
        input_paths    = local.finding_input_paths
        input_template = local.finding_input_templates[key]
      }
    },
    local.create_attack_sequence_rule ? {
      attack-sequences = {
        input_paths    = local.attack_sequence_input_paths
        input_template = local.attack_sequence_input_template
      }
    } : {},
    {
      for key in ["coverage", "coverage-healthy"] : key => {
        input_paths    = local.coverage_input_paths
        input_template = local.coverage_input_template
      } if contains(keys(local.rules), key)
    },
  )

  chat_messages = merge(
    {
      for key in keys(local.finding_rules) : "findings-${key}" => {
        input_paths    = local.chat_finding_input_paths
        input_template = local.chat_finding_input_templates[key]
      }
    },
    local.create_attack_sequence_rule ? {
      attack-sequences = {
        input_paths    = local.chat_attack_sequence_input_paths
        input_template = local.chat_attack_sequence_input_template
      }
    } : {},
    {
      for key in ["coverage", "coverage-healthy"] : key => {
        input_paths    = local.coverage_channel_input_paths
        input_template = local.chat_coverage_input_templates[key]
      } if contains(keys(local.rules), key)
    },
  )

  pagerduty_messages = merge(
    {
      for key, rule in local.finding_rules : "findings-${key}" => {
        input_paths    = local.pagerduty_finding_input_paths
        input_template = local.pagerduty_finding_input_templates[key]
      }
    },
    local.create_attack_sequence_rule ? {
      attack-sequences = {
        input_paths    = local.pagerduty_attack_sequence_input_paths
        input_template = local.pagerduty_attack_sequence_input_template
      }
    } : {},
    {
      for key in ["coverage", "coverage-healthy"] : key => {
        input_paths    = local.coverage_channel_input_paths
        input_template = local.pagerduty_coverage_input_templates[key]
      } if contains(keys(local.rules), key)
    },
  )
}

resource "aws_cloudwatch_event_target" "sns" {
  for_each = { for key in local.channel_rules.email : key => local.rule_messages[key] }

  rule      = local.rules[each.key]
  target_id = "sns"
  arn       = local.sns_topic_arn

  input_transformer {
    input_paths    = each.value.input_paths
    input_template = each.value.input_template
  }

  retry_policy {
    maximum_event_age_in_seconds = var.retry_policy.maximum_event_age_in_seconds
    maximum_retry_attempts       = var.retry_policy.maximum_retry_attempts
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter[0].arn
  }

  # The rules must exist, the topic policy must allow delivery and the dead-letter queue's key
  # must be reachable by its alias before the first event.
  depends_on = [
    aws_cloudwatch_event_rule.findings,
    aws_cloudwatch_event_rule.attack_sequences,
    aws_cloudwatch_event_rule.coverage,
    aws_cloudwatch_event_rule.coverage_healthy,
    aws_sns_topic_policy.this,
    aws_kms_alias.dead_letter,
  ]
}

resource "aws_cloudwatch_event_target" "chat" {
  for_each = { for key in try(local.channel_rules.chat, []) : key => local.chat_messages[key] }

  rule      = local.rules[each.key]
  target_id = "chat"
  arn       = aws_sns_topic.chat[0].arn

  input_transformer {
    input_paths    = each.value.input_paths
    input_template = each.value.input_template
  }

  retry_policy {
    maximum_event_age_in_seconds = var.retry_policy.maximum_event_age_in_seconds
    maximum_retry_attempts       = var.retry_policy.maximum_retry_attempts
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter[0].arn
  }

  depends_on = [
    aws_cloudwatch_event_rule.findings,
    aws_cloudwatch_event_rule.attack_sequences,
    aws_cloudwatch_event_rule.coverage,
    aws_cloudwatch_event_rule.coverage_healthy,
    aws_sns_topic_policy.chat,
    aws_kms_alias.dead_letter,
  ]
}

# No input transformer: "If you don't specify Input, InputPath, or InputTransformer, you must
# use the matched event" (PutTargets); the topic publishes the event as EventBridge received it.
resource "aws_cloudwatch_event_target" "raw_events" {
  for_each = local.create_raw_topic ? local.rules : {}

  rule      = each.value
  target_id = "raw-events"
  arn       = aws_sns_topic.raw_events[0].arn

  retry_policy {
    maximum_event_age_in_seconds = var.retry_policy.maximum_event_age_in_seconds
    maximum_retry_attempts       = var.retry_policy.maximum_retry_attempts
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter[0].arn
  }

  depends_on = [
    aws_cloudwatch_event_rule.findings,
    aws_cloudwatch_event_rule.attack_sequences,
    aws_cloudwatch_event_rule.coverage,
    aws_cloudwatch_event_rule.coverage_healthy,
    aws_sns_topic_policy.raw_events,
    aws_kms_alias.dead_letter,
  ]
}

resource "aws_cloudwatch_event_target" "pagerduty" {
  for_each = { for key in try(local.channel_rules.pagerduty, []) : key => local.pagerduty_messages[key] }

  rule      = local.rules[each.key]
  target_id = "pagerduty"
  arn       = aws_cloudwatch_event_api_destination.pagerduty[0].arn
  role_arn  = aws_iam_role.pagerduty[0].arn

  input_transformer {
    input_paths    = each.value.input_paths
    input_template = each.value.input_template
  }

  retry_policy {
    maximum_event_age_in_seconds = var.retry_policy.maximum_event_age_in_seconds
    maximum_retry_attempts       = var.retry_policy.maximum_retry_attempts
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter[0].arn
  }

  depends_on = [
    aws_cloudwatch_event_rule.findings,
    aws_cloudwatch_event_rule.attack_sequences,
    aws_cloudwatch_event_rule.coverage,
    aws_cloudwatch_event_rule.coverage_healthy,
    aws_iam_role_policy.pagerduty,
    aws_kms_alias.dead_letter,
  ]
}

################################################################################
# Alarms: an alert that could not be delivered must still reach someone
################################################################################

locals {
  # FailedInvocations has the rule as its only dimension, so one alarm per rule watches all of
  # its targets. The alarms notify the alert topic and, when there is one, the chat topic.
  alarm_actions = concat([local.sns_topic_arn], local.create_chat ? [aws_sns_topic.chat[0].arn] : [])
  alarm_targets = length(local.channel_min_severities) == 1 && !local.create_raw_topic ? "the topic" : "one of its targets"
}

resource "aws_cloudwatch_metric_alarm" "failed_invocations" {
  for_each = var.create && var.create_alarms ? local.rules : {}

  alarm_name          = local.alarm_names[each.key]
  alarm_description   = "EventBridge could not deliver GuardDuty alerts of rule ${each.value} to ${local.alarm_targets}; the events are in the dead-letter queue ${aws_sqs_queue.dead_letter[0].name}."
  namespace           = "AWS/Events"
  metric_name         = "FailedInvocations"
  dimensions          = { RuleName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  count = var.create && var.create_alarms ? 1 : 0

  alarm_name          = local.alarm_names.dead_letter_queue
  alarm_description   = "GuardDuty alerts wait in the dead-letter queue ${aws_sqs_queue.dead_letter[0].name}: read them there, fix the topic, key or policy, and send them again."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letter[0].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions

  tags = var.tags
}
