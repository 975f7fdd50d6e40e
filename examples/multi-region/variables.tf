variable "regions" {
  description = "The four regions to enable GuardDuty Runtime Monitoring in, one per provider alias of main.tf (for more regions, add a provider and a module block each)."
  type        = list(string)
  default     = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]

  validation {
    condition     = length(var.regions) == 4 && length(distinct(var.regions)) == 4 && alltrue([for region in var.regions : can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", region))])
    error_message = "regions must name four different AWS regions (such as \"eu-west-1\"), one for each provider alias of main.tf."
  }
}

variable "alert_email_addresses" {
  description = "Addresses that receive the alerts of every region."
  type        = list(string)
  default     = []
}
