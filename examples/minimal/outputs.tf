output "detector_id" {
  description = "ID of the GuardDuty detector."
  value       = module.guardduty.detector_id
}

output "runtime_monitoring" {
  description = "Effective Runtime Monitoring settings."
  value       = module.guardduty.runtime_monitoring
}
