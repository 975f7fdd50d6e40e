variable "region" {
  description = "AWS region to enable GuardDuty Runtime Monitoring in."
  type        = string
  default     = "us-east-1"
}

variable "alert_email_addresses" {
  description = "E-mail addresses that receive the alerts; each must confirm the subscription mail from AWS."
  type        = list(string)
  default     = ["secops@example.com"]
}
