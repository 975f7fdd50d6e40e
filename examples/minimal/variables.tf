variable "region" {
  description = "AWS region to enable GuardDuty Runtime Monitoring in."
  type        = string
  default     = "us-east-1"
}
