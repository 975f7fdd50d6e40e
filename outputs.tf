output "detector_id" {
  description = "ID of the GuardDuty detector, created or adopted (null when create is false)."
  value       = module.runtime_monitoring.detector_id
}

output "detector_arn" {
  description = "ARN of the GuardDuty detector, created or adopted (null when create is false)."
  value       = module.runtime_monitoring.detector_arn
}

output "runtime_monitoring" {
  description = "Effective Runtime Monitoring settings as applied: the feature status and the status of each agent management option, by API name (null when create is false)."
  value       = module.runtime_monitoring.runtime_monitoring
}

output "protection_plans" {
  description = "Status (ENABLED or DISABLED) of each other protection plan managed by the module, by API feature name."
  value       = module.runtime_monitoring.protection_plans
}

output "ecs_cluster_inclusion_tags" {
  description = "Tags to put on an ECS cluster so that GuardDuty monitors it even when automated agent configuration is off for the account (GuardDutyManaged = true)."
  value       = module.runtime_monitoring.ecs_cluster_inclusion_tags
}

output "ecs_cluster_exclusion_tags" {
  description = "Tags to put on an ECS cluster so that GuardDuty's automated agent configuration leaves it out (GuardDutyManaged = false)."
  value       = module.runtime_monitoring.ecs_cluster_exclusion_tags
}

output "sns_topic_arn" {
  description = "ARN of the SNS topic that alerts go to, created or given (null when alerts are off)."
  value       = module.alerts.sns_topic_arn
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key of the alert topics, created or given (null when alerts are off, and when alerts.sns_topic_arn is given without alerts.kms_key_arn and no chat or raw-event topic is created)."
  value       = module.alerts.kms_key_arn
}

output "findings_rule_arns" {
  description = "ARN of the findings rule of each severity band that reaches alerts.min_severity, by band (low, medium, high, critical); one rule per band so that each message names its band."
  value       = module.alerts.findings_rule_arns
}

output "findings_rule_names" {
  description = "Name of the findings rule of each severity band, by band; for TestEventPattern checks and extra targets."
  value       = module.alerts.findings_rule_names
}

output "findings_event_patterns" {
  description = "Event pattern (JSON) of each findings rule, by band, for `aws events test-event-pattern`."
  value       = module.alerts.findings_event_patterns
}

output "attack_sequence_rule_arn" {
  description = "ARN of the rule for Extended Threat Detection attack sequences, such as AttackSequence:ECS/CompromisedCluster (null when there is none)."
  value       = module.alerts.attack_sequence_rule_arn
}

output "attack_sequence_event_pattern" {
  description = "Event pattern (JSON) of the attack sequence rule (null when there is none)."
  value       = module.alerts.attack_sequence_event_pattern
}

output "coverage_rule_arn" {
  description = "ARN of the rule for coverage changes to Unhealthy (null when it is off)."
  value       = module.alerts.coverage_rule_arn
}

output "coverage_event_pattern" {
  description = "Event pattern (JSON) of the Unhealthy coverage rule (null when it is off)."
  value       = module.alerts.coverage_event_pattern
}

output "coverage_healthy_rule_arn" {
  description = "ARN of the rule for coverage changes back to Healthy (null when alerts.notify_on_healthy is false and PagerDuty does not resolve on coverage)."
  value       = module.alerts.coverage_healthy_rule_arn
}

output "coverage_healthy_event_pattern" {
  description = "Event pattern (JSON) of the Healthy coverage rule (null when there is none)."
  value       = module.alerts.coverage_healthy_event_pattern
}

output "channel_min_severities" {
  description = "Lowest finding severity each alert channel receives, by channel (email, chat, pagerduty)."
  value       = module.alerts.channel_min_severities
}

output "chat_topic_arn" {
  description = "ARN of the encrypted topic that feeds the chat channels (null without alerts.chat)."
  value       = module.alerts.chat_topic_arn
}

output "chat_role_arn" {
  description = "ARN of the IAM role the chat channels assume, which grants nothing (null without alerts.chat)."
  value       = module.alerts.chat_role_arn
}

output "chat_channel_configuration_arns" {
  description = "ARN of each chat channel configuration, by platform and name (slack/<name>, teams/<name>)."
  value       = module.alerts.chat_channel_configuration_arns
}

output "raw_events_topic_arn" {
  description = "ARN of the encrypted topic that receives every matching event unmodified (null unless alerts.raw_events_topic is true)."
  value       = module.alerts.raw_events_topic_arn
}

output "pagerduty_api_destination_arn" {
  description = "ARN of the EventBridge API destination to the PagerDuty Events API v2 (null without alerts.pagerduty)."
  value       = module.alerts.pagerduty_api_destination_arn
}

output "pagerduty_connection_arn" {
  description = "ARN of the EventBridge connection that holds the PagerDuty routing key (null without alerts.pagerduty)."
  value       = module.alerts.pagerduty_connection_arn
}

output "dead_letter_queue_arn" {
  description = "ARN of the encrypted SQS queue that keeps alerts EventBridge could not deliver (null when alerts are off)."
  value       = module.alerts.dead_letter_queue_arn
}

output "dead_letter_queue_kms_key_arn" {
  description = "ARN of the customer-managed KMS key of the dead-letter queue (null when alerts are off)."
  value       = module.alerts.dead_letter_queue_kms_key_arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue (null when alerts are off)."
  value       = module.alerts.dead_letter_queue_url
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms on failed alert deliveries, by rule key, and on the dead-letter queue."
  value       = module.alerts.alarm_arns
}

output "email_subscription_arns" {
  description = "ARN of each e-mail subscription, by address (\"pending confirmation\" until the link in the confirmation mail is followed)."
  value       = module.alerts.email_subscription_arns
}

output "sns_topic_policy_json" {
  description = "Topic policy that lets EventBridge (with no condition, as EventBridge requires for SNS) and the alert alarms publish; merge it into the policy of a topic given in alerts.sns_topic_arn."
  value       = module.alerts.sns_topic_policy_json
}

output "kms_key_policy_json" {
  description = "Key policy statements that let EventBridge (with no aws:Source* condition, which EventBridge-to-encrypted topics do not support) and the alert alarms use the key; merge them into the policy of a key given in alerts.kms_key_arn."
  value       = module.alerts.kms_key_policy_json
}

output "filter_arns" {
  description = "ARNs of the filters, by name."
  value       = module.detection_controls.filter_arns
}

output "ip_set_ids" {
  description = "IDs of the trusted IP lists, by name."
  value       = module.detection_controls.ip_set_ids
}

output "threat_intel_set_ids" {
  description = "IDs of the threat lists, by name."
  value       = module.detection_controls.threat_intel_set_ids
}

output "list_locations" {
  description = "S3 URL of every list GuardDuty reads, by kind and name (ip-sets/<name>, threat-intel-sets/<name>)."
  value       = module.detection_controls.list_locations
}

output "publishing_destination_id" {
  description = "ID of the findings export's publishing destination (null without findings_export)."
  value       = module.findings_export.publishing_destination_id
}

output "findings_bucket_arn" {
  description = "ARN of the bucket the findings are exported to (null without findings_export)."
  value       = module.findings_export.findings_bucket_arn
}

output "findings_destination_arn" {
  description = "ARN of the folder GuardDuty exports findings to: the bucket and the prefix (null without findings_export)."
  value       = module.findings_export.findings_destination_arn
}

output "findings_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the exported findings (null without findings_export)."
  value       = module.findings_export.findings_kms_key_arn
}

output "findings_bucket_policy_json" {
  description = "The bucket policy GuardDuty needs for the export, to merge into a bucket the module does not create (null without findings_export)."
  value       = module.findings_export.findings_bucket_policy_json
}

output "findings_kms_key_policy_json" {
  description = "The key policy statement GuardDuty needs for the export, to merge into a key the module does not create (null without findings_export)."
  value       = module.findings_export.findings_kms_key_policy_json
}
