output "sns_topic_arn" {
  description = "ARN of the SNS topic that alerts go to, created or given (null when create is false). Known once the topic policy lets EventBridge publish and the subscriptions exist."
  value       = var.create ? local.sns_topic_arn : null

  # A consumer that subscribes or publishes right after apply needs the policy in place.
  depends_on = [aws_sns_topic_policy.this, aws_sns_topic_subscription.email]
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key of the topic: created, or given in kms_key_arn (null when create is false, and when a topic is given without its key)."
  value       = var.create ? local.kms_key_arn : null
}

output "findings_rule_arns" {
  description = "ARN of the findings rule of each severity band that reaches min_severity, by band (low, medium, high, critical). Each band has its own rule so that the message can name the band. Known once every rule has its target."
  value       = { for key, rule in aws_cloudwatch_event_rule.findings : key => rule.arn }

  # A rule without its target alerts nobody.
  depends_on = [aws_cloudwatch_event_target.sns]
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

  depends_on = [aws_cloudwatch_event_target.sns]
}

output "attack_sequence_event_pattern" {
  description = "Event pattern (JSON) of the attack sequence rule (null when there is none)."
  value       = one(aws_cloudwatch_event_rule.attack_sequences[*].event_pattern)
}

output "coverage_rule_arn" {
  description = "ARN of the rule for Runtime Monitoring coverage changes (null when notify_on_unhealthy and notify_on_healthy are both false)."
  value       = one(aws_cloudwatch_event_rule.coverage[*].arn)
}

output "coverage_event_pattern" {
  description = "Event pattern (JSON) of the coverage rule (null when there is no coverage rule)."
  value       = one(aws_cloudwatch_event_rule.coverage[*].event_pattern)
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
  description = "ARNs of the CloudWatch alarms on failed deliveries, by rule key (findings-<band>, attack-sequences, coverage), and on the dead-letter queue (dead_letter_queue)."
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
