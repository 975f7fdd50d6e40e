variable "create" {
  description = "Whether to create anything at all. With false the module plans nothing, so it can be switched off per account or region."
  type        = bool
  default     = true
  nullable    = false
}

variable "detector_id" {
  description = "ID of the GuardDuty detector whose findings are exported (32 lowercase hexadecimal characters). The delegated administrator's detector exports the findings of every member account too."
  type        = string
  default     = null

  validation {
    condition     = var.detector_id == null || can(regex("^[0-9a-f]{32}$", var.detector_id))
    error_message = "detector_id must be 32 lowercase hexadecimal characters (as printed by `aws guardduty list-detectors`)."
  }

  validation {
    condition     = !var.create || var.detector_id != null
    error_message = "detector_id is required: give the ID of the detector whose findings are exported, or set create = false."
  }
}

variable "bucket_name" {
  description = "Name of the S3 bucket for the findings: created by the module (create_bucket = true), or an existing bucket of this account and region whose policy already holds the statements of the findings_bucket_policy_json output."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-', beginning and ending with a letter or digit."
  }

  validation {
    condition     = !var.create || var.bucket_name != null
    error_message = "bucket_name is required: the name of the bucket to create, or of the existing bucket (with create_bucket = false)."
  }
}

variable "create_bucket" {
  description = "Whether to create the bucket (private, versioned, encrypted with the KMS key, TLS only) with the policy GuardDuty needs. With false, bucket_name names an existing bucket, and its policy is left alone."
  type        = bool
  default     = true
  nullable    = false
}

variable "prefix" {
  description = "Key prefix of the exported findings in the bucket, without leading or trailing '/'. GuardDuty writes below it AWSLogs/<account>/GuardDuty/<region>/."
  type        = string
  default     = "guardduty"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$", var.prefix))
    error_message = "prefix must be one or more S3 key segments separated by '/', of letters, digits and !_.*'()- only, without a leading or trailing '/'."
  }
}

variable "kms_key_arn" {
  description = "ARN of an existing customer-managed KMS key, in the bucket's region, to encrypt the findings with; its policy must hold the statement of the findings_kms_key_policy_json output. Without it the module creates a key."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>); an alias is not accepted by GuardDuty."
  }
}

variable "expiration_days" {
  description = "Days after which exported findings are deleted from a bucket the module creates (noncurrent versions too); 0 keeps them for ever."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = var.expiration_days >= 0 && floor(var.expiration_days) == var.expiration_days
    error_message = "expiration_days must be a whole number of days, 0 (keep for ever) or more."
  }
}

variable "force_destroy" {
  description = "Whether destroy may delete a bucket the module created that still holds objects: with true, Terraform first deletes every object and every version in it, the exported findings included, which cannot be undone. With false (the default), destroy fails with BucketNotEmpty once GuardDuty has exported anything; empty the bucket first, or keep it out of the destroy."
  type        = bool
  default     = false
  nullable    = false
}

variable "tags" {
  description = "Tags for every taggable resource of the module."
  type        = map(string)
  default     = {}
  nullable    = false
}
