variable "create" {
  description = "Whether to create anything at all. With false the module plans nothing, so it can be switched off per region."
  type        = bool
  default     = true
  nullable    = false
}

variable "admin_account_id" {
  description = "The 12-digit ID of the organization's account that administers GuardDuty (the delegated administrator) in this region. Use the same account in every region."
  type        = string

  validation {
    condition     = var.admin_account_id != null && can(regex("^[0-9]{12}$", var.admin_account_id))
    error_message = "admin_account_id must be a 12-digit AWS account ID, for example \"111122223333\"."
  }
}
