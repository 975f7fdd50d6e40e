# WARNING: applying this example turns on every paid GuardDuty protection plan and the EC2 and EKS
# agents (besides Fargate's) across the account in this Region; each is billed once the 30-day
# free trial ends. Costs: docs/cost.md. Use a sandbox account and destroy it after.
provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}

locals {
  tags = {
    Example    = "complete"
    Repository = "terraform-aws-guardduty-ecs-runtime"
  }
  # Bucket names are global: the account and region make them unique.
  bucket_suffix = "${data.aws_caller_identity.current.account_id}-${var.region}"
}

# The bucket the module writes the trusted IP and threat lists to. GuardDuty reads them with its
# service-linked role; with SSE-KMS that role would also need the key (user guide, "Working with
# trusted IP lists and threat lists"), so the lists, which are not secret, use SSE-S3.
resource "aws_s3_bucket" "lists" {
  #checkov:skip=CKV_AWS_18:The lists are written by Terraform alone; its state and CloudTrail record every change.
  #checkov:skip=CKV_AWS_144:The lists are regional inputs of this region's detector; Terraform recreates them.
  #checkov:skip=CKV_AWS_145:GuardDuty's service-linked role reads the lists; SSE-KMS would need a key grant to that role, and the lists hold no secrets.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to changes of the lists; GuardDuty reads them when Terraform updates the set.
  #checkov:skip=CKV2_AWS_61:The lists are replaced in place by Terraform; there is nothing to expire.
  bucket        = "guardduty-complete-lists-${local.bucket_suffix}"
  force_destroy = true

  tags = local.tags
}

resource "aws_s3_bucket_public_access_block" "lists" {
  bucket                  = aws_s3_bucket.lists.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "lists" {
  bucket = aws_s3_bucket.lists.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "lists" {
  bucket = aws_s3_bucket.lists.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# Every option of the module on: Runtime Monitoring with all three agent management modes, every
# other protection plan, fast publishing of updated findings, alerts by e-mail for findings of
# Medium severity and above and for every coverage change, and tags on every taggable resource.
module "guardduty" {
  source = "../.."

  create_detector              = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"

  runtime_monitoring = {
    enabled                      = true
    ecs_fargate_agent_management = true
    ec2_agent_management         = true
    eks_addon_management         = true
  }

  protection_plans = {
    s3_data_events         = true
    eks_audit_logs         = true
    ebs_malware_protection = true
    rds_login_events       = true
    lambda_network_logs    = true
  }

  alerts = {
    name                    = "guardduty-complete"
    email_addresses         = var.alert_email_addresses
    min_severity            = 4
    notify_on_unhealthy     = true
    notify_on_healthy       = true
    coverage_resource_types = ["ECS", "EC2", "EKS"]
    retry_policy = {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 50
    }
  }

  # A suppression rule, a trusted IP list and a threat list, written to the bucket above.
  filters = {
    ci-new-binaries = {
      action      = "ARCHIVE"
      rank        = 1
      description = "New binaries in the CI cluster are build steps."
      criteria = {
        type                              = { equals = ["Execution:Runtime/NewBinaryExecuted"] }
        "resource.ecsClusterDetails.name" = { equals = ["ci"] }
      }
    }
  }
  ip_sets = {
    office = { content = "198.51.100.0/24\n" }
  }
  threat_intel_sets = {
    # IP lists take IP addresses only; domain names need GuardDuty's entity lists.
    blocklist = { content = "203.0.113.7\n192.0.2.66\n" }
  }
  list_bucket = aws_s3_bucket.lists.id

  # Findings exported to a private, KMS-encrypted bucket that the module creates. An example is
  # destroyed as easily as it is applied, so destroy also deletes the exported findings in it.
  findings_export = {
    bucket_name     = "guardduty-complete-findings-${local.bucket_suffix}"
    expiration_days = 400
    force_destroy   = true
  }

  tags = local.tags
}

# The same module switched off, as a stack that deploys per account or region would do where
# GuardDuty is managed elsewhere: it plans nothing.
module "guardduty_disabled" {
  source = "../.."

  create = false
}
