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
  # A key is only needed for a topic the module creates; a given topic brings its own.
  create_key = local.create_topic && var.kms_key_arn == null

  account_id = var.create ? data.aws_caller_identity.current[0].account_id : ""
  partition  = var.create ? data.aws_partition.current[0].partition : ""
  region     = var.create ? data.aws_region.current[0].id : ""

  # Rule and alarm ARNs are built from their names, so that the topic, key and queue policies can
  # name them without waiting for (or cycling through) the resources.
  rule_arn_prefix  = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/"
  alarm_arn_prefix = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:"

  # Input transformers cannot compute a band name from a number, so each severity band gets its
  # own rule (and message); only bands that reach min_severity exist.
  severity_bands = {
    low      = { name = "Low", from = 1, upper_operator = "<", to = 4 }
    medium   = { name = "Medium", from = 4, upper_operator = "<", to = 7 }
    high     = { name = "High", from = 7, upper_operator = "<", to = 9 }
    critical = { name = "Critical", from = 9, upper_operator = "<=", to = 10 }
  }
  finding_rules = {
    for key, band in local.severity_bands : key => {
      name     = "${var.name}-findings-${key}"
      band     = band.name
      severity = [">=", max(band.from, var.min_severity), band.upper_operator, band.to]
    } if var.create && var.notify_on_findings && length(local.finding_type_filter) > 0 && (band.upper_operator == "<" ? var.min_severity < band.to : var.min_severity <= band.to)
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

  coverage_detail_types = concat(
    var.notify_on_unhealthy ? ["GuardDuty Runtime Protection Unhealthy"] : [],
    var.notify_on_healthy ? ["GuardDuty Runtime Protection Healthy"] : [],
  )
  create_coverage_rule = var.create && length(local.coverage_detail_types) > 0
  coverage_rule_name   = "${var.name}-coverage"

  dead_letter_queue_name = "${var.name}-alerts-dead-letters"
  dead_letter_key_alias  = "alias/${var.name}-alerts-dead-letters"

  # Every rule by key (findings-<band>, coverage) and by ARN.
  rules = merge(
    { for key, rule in local.finding_rules : "findings-${key}" => rule.name },
    local.create_attack_sequence_rule ? { attack-sequences = local.attack_sequence_rule_name } : {},
    local.create_coverage_rule ? { coverage = local.coverage_rule_name } : {},
  )
  rule_arns = [for name in values(local.rules) : "${local.rule_arn_prefix}${name}"]

  alarm_names = var.create && var.create_alarms ? merge(
    { for key, rule_name in local.rules : key => "${rule_name}-failed-invocations" },
    { dead_letter_queue = local.dead_letter_queue_name },
  ) : {}

  sns_topic_arn = local.create_topic ? aws_sns_topic.this[0].arn : var.sns_topic_arn
  kms_key_arn   = local.create_key ? aws_kms_key.this[0].arn : var.kms_key_arn

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
  description = "GuardDuty Extended Threat Detection attack sequences (${join(", ", local.attack_sequence_types)}) from severity ${var.min_severity}, to ${var.name} alerts."
  event_pattern = jsonencode({
    source        = ["aws.guardduty"]
    "detail-type" = ["GuardDuty Finding"]
    detail = {
      type     = local.attack_sequence_types
      severity = [{ numeric = [">=", var.min_severity] }]
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
    "detail-type" = local.coverage_detail_types
    detail = {
      resourceDetails = { resourceType = var.coverage_resource_types }
    }
  })

  tags = var.tags
}

locals {
  # One SNS target per rule, keyed like local.rules; only the message differs.
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
    local.create_coverage_rule ? {
      coverage = {
        input_paths    = local.coverage_input_paths
        input_template = local.coverage_input_template
      }
    } : {},
  )
}

resource "aws_cloudwatch_event_target" "sns" {
  for_each = local.rule_messages

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
    aws_sns_topic_policy.this,
    aws_kms_alias.dead_letter,
  ]
}

################################################################################
# Alarms: an alert that could not be delivered must still reach someone
################################################################################

resource "aws_cloudwatch_metric_alarm" "failed_invocations" {
  for_each = var.create && var.create_alarms ? local.rules : {}

  alarm_name          = local.alarm_names[each.key]
  alarm_description   = "EventBridge could not deliver GuardDuty alerts of rule ${each.value} to the topic; the events are in the dead-letter queue ${aws_sqs_queue.dead_letter[0].name}."
  namespace           = "AWS/Events"
  metric_name         = "FailedInvocations"
  dimensions          = { RuleName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [local.sns_topic_arn]

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
  alarm_actions       = [local.sns_topic_arn]

  tags = var.tags
}
