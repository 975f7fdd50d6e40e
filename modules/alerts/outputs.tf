output "sns_topic_arn" {
  description = "ARN of the SNS topic that alerts go to, created or given (null when create is false). Known once the topic policy lets EventBridge publish and the subscriptions exist."
  value       = var.create ? local.sns_topic_arn : null

  # A consumer that subscribes or publishes right after apply needs the policy in place.
  depends_on = [aws_sns_topic_policy.this, aws_sns_topic_subscription.email]
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key of the topics: created, or given in kms_key_arn (null when create is false, and when a topic is given without its key and the module creates no chat or raw-event topic)."
  value       = var.create ? local.kms_key_arn : null
}

output "findings_rule_arns" {
  description = "ARN of the findings rule of each severity band that reaches the lowest threshold of the channels (min_severity unless chat or pagerduty go lower), by band (low, medium, high, critical). Each band has its own rule so that the messages can name the band. Known once every rule has its targets."
  value       = { for key, rule in aws_cloudwatch_event_rule.findings : key => rule.arn }

  # A rule without its targets alerts nobody.
  depends_on = [
    aws_cloudwatch_event_target.sns,
    aws_cloudwatch_event_target.chat,
    aws_cloudwatch_event_target.raw_events,
    aws_cloudwatch_event_target.pagerduty,
  ]
}

output "findings_rule_names" {
  description = "Name of the findings rule of each severity band, by band; for TestEventPattern checks and extra targets."
  value       = { for key, rule in aws_cloudwatch_event_rule.findings : key => rule.name }
}

output "findings_event_patterns" {
  description = "Event pattern (JSON) of the findings rule of each severity band, by band; give one to `aws events test-event-pattern` to check an event against it."
  value       = { for key, rule in aws_cloudwatch_event_rule.findings : key => rule.event_pattern }
}

output "attack_sequence_rule_arn" {
  description = "ARN of the rule for Extended Threat Detection attack sequences (null when there is none: alerts off, notify_on_findings false, or finding_types set without an AttackSequence type). Known once the rule has its target."
  value       = one(aws_cloudwatch_event_rule.attack_sequences[*].arn)

  depends_on = [
    aws_cloudwatch_event_target.sns,
    aws_cloudwatch_event_target.chat,
    aws_cloudwatch_event_target.raw_events,
    aws_cloudwatch_event_target.pagerduty,
  ]
}

output "attack_sequence_event_pattern" {
  description = "Event pattern (JSON) of the attack sequence rule (null when there is none)."
  value       = one(aws_cloudwatch_event_rule.attack_sequences[*].event_pattern)
}

output "coverage_rule_arn" {
  description = "ARN of the rule for coverage changes to Unhealthy (null when notify_on_unhealthy is false and PagerDuty does not page on coverage)."
  value       = one(aws_cloudwatch_event_rule.coverage[*].arn)
}

output "coverage_event_pattern" {
  description = "Event pattern (JSON) of the Unhealthy coverage rule (null when there is none)."
  value       = one(aws_cloudwatch_event_rule.coverage[*].event_pattern)
}

output "coverage_healthy_rule_arn" {
  description = "ARN of the rule for coverage changes back to Healthy (null when notify_on_healthy is false and PagerDuty does not resolve on coverage)."
  value       = one(aws_cloudwatch_event_rule.coverage_healthy[*].arn)
}

output "coverage_healthy_event_pattern" {
  description = "Event pattern (JSON) of the Healthy coverage rule (null when there is none)."
  value       = one(aws_cloudwatch_event_rule.coverage_healthy[*].event_pattern)
}

output "channel_min_severities" {
  description = "Lowest finding severity each channel receives, by channel (email, and chat and pagerduty when set); the raw-event topic receives every event a rule matches, from the lowest of them."
  value       = var.create ? local.channel_min_severities : {}
}

output "chat_topic_arn" {
  description = "ARN of the encrypted topic that feeds the chat channels with custom notifications (null without chat). Subscribe channel configurations made in another Region to it."
  value       = one(aws_sns_topic.chat[*].arn)

  depends_on = [aws_sns_topic_policy.chat]
}

output "chat_role_arn" {
  description = "ARN of the IAM role the chat channels assume, which grants nothing (null without chat); for channel configurations made in another Region."
  value       = one(aws_iam_role.chat[*].arn)
}

output "chat_channel_configuration_arns" {
  description = "ARN of each chat channel configuration, by platform and name (slack/<name>, teams/<name>)."
  value = merge(
    { for name, channel in aws_chatbot_slack_channel_configuration.this : "slack/${name}" => channel.chat_configuration_arn },
    { for name, channel in aws_chatbot_teams_channel_configuration.this : "teams/${name}" => channel.chat_configuration_arn },
  )
}

output "raw_events_topic_arn" {
  description = "ARN of the encrypted topic that receives every event the rules match, unmodified (null unless raw_events_topic is true): for PagerDuty's GuardDuty integration, a SIEM or a Lambda function."
  value       = one(aws_sns_topic.raw_events[*].arn)

  depends_on = [aws_sns_topic_policy.raw_events]
}

output "pagerduty_api_destination_arn" {
  description = "ARN of the EventBridge API destination to the PagerDuty Events API v2 (null without pagerduty)."
  value       = one(aws_cloudwatch_event_api_destination.pagerduty[*].arn)
}

output "pagerduty_connection_arn" {
  description = "ARN of the EventBridge connection that adds the routing key to each PagerDuty request, created by a CloudFormation stack that resolves the key from Secrets Manager (null without pagerduty)."
  value       = one(aws_cloudformation_stack.pagerduty_connection[*].outputs["ConnectionArn"])
}

output "dead_letter_queue_arn" {
  description = "ARN of the encrypted SQS queue that keeps alerts EventBridge could not deliver (null when create is false)."
  value       = one(aws_sqs_queue.dead_letter[*].arn)
}

output "dead_letter_queue_kms_key_arn" {
  description = "ARN of the customer-managed KMS key of the dead-letter queue, separate from the topic's so that a broken topic key cannot lose alerts (null when create is false)."
  value       = one(aws_kms_key.dead_letter[*].arn)
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue, for reading and re-sending undelivered alerts (null when create is false)."
  value       = one(aws_sqs_queue.dead_letter[*].url)
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms on failed deliveries, by rule key (findings-<band>, attack-sequences, coverage, coverage-healthy), and on the dead-letter queue (dead_letter_queue)."
  value = merge(
    { for key, alarm in aws_cloudwatch_metric_alarm.failed_invocations : key => alarm.arn },
    { for alarm in aws_cloudwatch_metric_alarm.dead_letters : "dead_letter_queue" => alarm.arn },
  )
}

output "email_subscription_arns" {
  description = "ARN of each e-mail subscription, by address. AWS reports \"pending confirmation\" until the recipient follows the link in the confirmation mail."
  value       = { for address, subscription in aws_sns_topic_subscription.email : address => subscription.arn }
}

output "sns_topic_policy_json" {
  description = "Topic policy that lets EventBridge (without a condition, which EventBridge does not support for SNS) and these alarms publish. Applied to a topic the module creates; merge its statements into the policy of a topic given in sns_topic_arn."
  value = var.create ? jsonencode({
    Version   = "2012-10-17"
    Statement = local.sns_topic_policy_statements
  }) : null
}

output "kms_key_policy_json" {
  description = "Key policy statements that let EventBridge (without aws:SourceArn, aws:SourceAccount or aws:SourceOrgID conditions, which are not supported for EventBridge-to-encrypted topics) and these alarms use the key. Part of the policy of a key the module creates; merge them into the policy of a key given in kms_key_arn (or of the key of a topic given in sns_topic_arn)."
  value = var.create ? jsonencode({
    Version   = "2012-10-17"
    Statement = local.kms_key_service_statements
  }) : null
}
