variable "create" {
  description = "Whether to create anything at all. With false the module plans nothing, so it can be switched off per account or region."
  type        = bool
  default     = true
  nullable    = false
}

variable "detector_id" {
  description = "ID of the GuardDuty detector (32 lowercase hexadecimal characters) whose findings the controls apply to: the account's own, or the delegated administrator's, whose controls apply to every member account."
  type        = string
  default     = null

  validation {
    condition     = var.detector_id == null || can(regex("^[0-9a-f]{32}$", var.detector_id))
    error_message = "detector_id must be 32 lowercase hexadecimal characters (as printed by `aws guardduty list-detectors`)."
  }

  validation {
    condition     = !var.create || var.detector_id != null
    error_message = "detector_id is required: give the ID of the detector whose findings the controls apply to, or set create = false."
  }
}

variable "filters" {
  description = <<-EOT
    Suppression rules and saved filters, by name (3-64 letters, digits, '.', '-' or '_'):
    - action: ARCHIVE archives matching findings as they arrive, so they are neither alerted (GuardDuty does not send archived findings to EventBridge) nor exported; NOOP only saves the filter (default ARCHIVE).
    - rank: the order in which filters are applied, 1-100, unique.
    - description: up to 512 characters.
    - criteria: finding attributes to the condition on each: equals / not_equals (lists of values), greater_than, greater_than_or_equal, less_than, less_than_or_equal (numbers or timestamps as text). Every criterion must hold. Only the attributes CreateFilter accepts (its API reference lists them; the module's list is local.filter_attributes in main.tf), such as type, severity, resource.ecsClusterDetails.name, resource.ecsClusterDetails.taskDetails.definitionArn, resource.ecsClusterDetails.taskDetails.containers.image, service.runtimeDetails.process.name or service.runtimeDetails.process.executablePath. For severity, equals takes whole numbers that each stand for the severities from that number up to the next ("8" covers 8.0 to 8.9): High is ["7", "8"], Critical ["9", "10"].
    Filters are how to quiet expected Runtime Monitoring findings: the trusted IP list and threat lists do not apply to them.
  EOT
  type = map(object({
    action      = optional(string, "ARCHIVE")
    rank        = number
    description = optional(string)
    criteria = map(object({
      equals                = optional(list(string))
      not_equals            = optional(list(string))
      greater_than          = optional(string)
      greater_than_or_equal = optional(string)
      less_than             = optional(string)
      less_than_or_equal    = optional(string)
    }))
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for name in keys(var.filters) : can(regex("^[A-Za-z0-9_.-]{3,64}$", name))])
    error_message = "filters: every name must be 3-64 characters of letters, digits, '.', '-' or '_'."
  }

  validation {
    condition     = alltrue([for filter in values(var.filters) : contains(["ARCHIVE", "NOOP"], filter.action)])
    error_message = "filters: action must be ARCHIVE (suppress matching findings) or NOOP (only save the filter)."
  }

  validation {
    condition = alltrue([for filter in values(var.filters) : filter.rank >= 1 && filter.rank <= 100 && floor(filter.rank) == filter.rank]) && (
      length(distinct([for filter in values(var.filters) : filter.rank])) == length(var.filters)
    )
    error_message = "filters: every rank must be a whole number from 1 to 100, and no two filters may share a rank (it decides the order in which they apply)."
  }

  validation {
    condition     = alltrue([for filter in values(var.filters) : filter.description == null || try(length(filter.description) <= 512, false)])
    error_message = "filters: a description may have at most 512 characters."
  }

  # CreateFilter: "You can only use the following attributes to query findings:" (API reference);
  # GuardDuty would reject any other at apply time.
  validation {
    condition     = alltrue(flatten([for filter in values(var.filters) : [for attribute in keys(filter.criteria) : contains(local.filter_attributes, attribute)]]))
    error_message = "filters: ${join(", ", distinct(flatten([for filter in values(var.filters) : [for attribute in keys(filter.criteria) : "\"${attribute}\"" if !contains(local.filter_attributes, attribute)]])))} cannot be used in criteria: GuardDuty's CreateFilter accepts only the finding attributes its API reference lists under FindingCriteria (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateFilter.html; the module's copy is local.filter_attributes in modules/detection-controls/main.tf). For runtime findings: type, severity, resource.ecsClusterDetails.name, resource.ecsClusterDetails.taskDetails.definitionArn, resource.ecsClusterDetails.taskDetails.containers.image, service.runtimeDetails.process.name, service.runtimeDetails.process.executablePath."
  }

  validation {
    condition = alltrue(flatten([
      for filter in values(var.filters) : concat([length(filter.criteria) > 0], [
        for condition in values(filter.criteria) : length([for value in values(condition) : value if value != null]) > 0
      ])
    ]))
    error_message = "filters: every filter needs at least one criterion, and every criterion at least one of equals, not_equals, greater_than, greater_than_or_equal, less_than or less_than_or_equal."
  }
}

variable "ip_sets" {
  description = <<-EOT
    Trusted IP lists, by name (1-300 characters): GuardDuty raises no CloudTrail or VPC Flow Log findings for these IP addresses. The lists do not apply to Runtime Monitoring or DNS findings: quiet expected runtime findings with filters. At most one per account and region. For each:
    - format: TXT (the default), STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT or FIRE_EYE.
    - activate: whether GuardDuty uses the list (default true).
    - location: the S3 URL of an existing list object (https://s3.amazonaws.com/bucket/key or s3://bucket/key); or
    - content: the list itself, which the module writes to list_bucket under a key that carries its MD5, so that changed content reaches GuardDuty as a new location.
    GuardDuty takes minutes to activate a list (the README says how long, and how long the provider waits).
  EOT
  type = map(object({
    format   = optional(string, "TXT")
    activate = optional(bool, true)
    location = optional(string)
    content  = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = length(var.ip_sets) <= 1
    error_message = "ip_sets: GuardDuty accepts one trusted IP list per account and region; put every trusted address in one list."
  }

  validation {
    condition     = alltrue([for name, list in var.ip_sets : length(name) >= 1 && length(name) <= 300 && contains(["TXT", "STIX", "OTX_CSV", "ALIEN_VAULT", "PROOF_POINT", "FIRE_EYE"], list.format)])
    error_message = "ip_sets: every name must be 1-300 characters, and format one of TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT or FIRE_EYE."
  }

  validation {
    condition     = alltrue([for list in values(var.ip_sets) : (list.location == null) != (list.content == null) && (list.location == null || can(regex("^(https://s3[.a-z0-9-]*\\.amazonaws\\.com(\\.cn)?/[^/]+/.+|s3://[^/]+/.+)$", list.location)))])
    error_message = "ip_sets: give each trusted IP list either location (https://s3.amazonaws.com/bucket/key or s3://bucket/key) or content, not both."
  }

  validation {
    condition     = var.list_bucket != null || alltrue([for list in values(var.ip_sets) : list.content == null])
    error_message = "ip_sets: a list given as content needs list_bucket, the bucket the module writes it to."
  }
}

variable "threat_intel_sets" {
  description = <<-EOT
    Threat lists of known malicious IP addresses, by name (1-300 characters): GuardDuty raises CloudTrail and VPC Flow Log findings for activity involving them. IP lists take no domain names, and do not apply to Runtime Monitoring or DNS findings. At most six per account and region. Each takes the same attributes as an entry of ip_sets.
  EOT
  type = map(object({
    format   = optional(string, "TXT")
    activate = optional(bool, true)
    location = optional(string)
    content  = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = length(var.threat_intel_sets) <= 6
    error_message = "threat_intel_sets: GuardDuty accepts at most six threat lists per account and region."
  }

  validation {
    condition     = alltrue([for name, list in var.threat_intel_sets : length(name) >= 1 && length(name) <= 300 && contains(["TXT", "STIX", "OTX_CSV", "ALIEN_VAULT", "PROOF_POINT", "FIRE_EYE"], list.format)])
    error_message = "threat_intel_sets: every name must be 1-300 characters, and format one of TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT or FIRE_EYE."
  }

  validation {
    condition     = alltrue([for list in values(var.threat_intel_sets) : (list.location == null) != (list.content == null) && (list.location == null || can(regex("^(https://s3[.a-z0-9-]*\\.amazonaws\\.com(\\.cn)?/[^/]+/.+|s3://[^/]+/.+)$", list.location)))])
    error_message = "threat_intel_sets: give each threat list either location (https://s3.amazonaws.com/bucket/key or s3://bucket/key) or content, not both."
  }

  validation {
    condition     = var.list_bucket != null || alltrue([for list in values(var.threat_intel_sets) : list.content == null])
    error_message = "threat_intel_sets: a list given as content needs list_bucket, the bucket the module writes it to."
  }
}

variable "list_bucket" {
  description = "Name of an existing S3 bucket in this account to which the module writes the lists given with content (guardduty/ip-sets/<name>-<MD5 of the content>.txt and guardduty/threat-intel-sets/<name>-<MD5>.txt). GuardDuty reads them with its service-linked role; only needed when a list has content."
  type        = string
  default     = null

  validation {
    condition     = var.list_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.list_bucket))
    error_message = "list_bucket must be an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-', beginning and ending with a letter or digit."
  }
}

variable "tags" {
  description = "Tags for every taggable resource of the module."
  type        = map(string)
  default     = {}
  nullable    = false
}
