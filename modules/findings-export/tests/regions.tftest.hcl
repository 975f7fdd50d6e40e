# GuardDuty's service principal in the policies, per Region, judged with a mocked provider (no
# AWS call). GuardDuty user guide, "Exporting findings": "If you're using GuardDuty in an
# manually-enabled Region, replace the value for the "Service" with the Regional endpoint for
# that Region". Run by tests/plan/test_findings_export_regions.py, or here with
# `terraform init -backend=false && terraform test`.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  # Middle East (Bahrain), the guide's example of a manually enabled Region.
  mock_data "aws_region" {
    defaults = { id = "me-south-1", name = "me-south-1" }
  }
  # The destination takes only a key ARN.
  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:me-south-1:123456789012:key/11111111-2222-3333-4444-555555555555"
      key_id = "11111111-2222-3333-4444-555555555555"
    }
  }
}

variables {
  detector_id = "0123456789abcdef0123456789abcdef"
  bucket_name = "guardduty-findings-example"
}

run "opt_in_region_policies_name_the_regional_principal" {
  command = apply

  assert {
    condition = alltrue([
      for statement in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement :
      try(statement.Principal.Service, "guardduty.me-south-1.amazonaws.com") == "guardduty.me-south-1.amazonaws.com"
    ])
    error_message = "In me-south-1 the bucket policy must name guardduty.me-south-1.amazonaws.com."
  }

  assert {
    condition     = jsondecode(aws_kms_key.this[0].policy).Statement[1].Principal.Service == "guardduty.me-south-1.amazonaws.com"
    error_message = "In me-south-1 the key policy must name guardduty.me-south-1.amazonaws.com."
  }

  assert {
    condition     = jsondecode(output.findings_kms_key_policy_json).Statement[0].Principal.Service == "guardduty.me-south-1.amazonaws.com"
    error_message = "The findings_kms_key_policy_json output must name the Regional principal too."
  }
}

run "default_region_policies_name_the_global_principal" {
  command = plan

  override_data {
    target = data.aws_region.current
    values = { id = "eu-west-1", name = "eu-west-1" }
  }

  variables {
    create_bucket = false
    kms_key_arn   = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition = alltrue([
      for statement in jsondecode(output.findings_bucket_policy_json).Statement :
      try(statement.Principal.Service, "guardduty.amazonaws.com") == "guardduty.amazonaws.com"
    ])
    error_message = "In eu-west-1 the bucket policy must name guardduty.amazonaws.com."
  }

  assert {
    condition     = jsondecode(output.findings_kms_key_policy_json).Statement[0].Principal.Service == "guardduty.amazonaws.com"
    error_message = "In eu-west-1 the key policy must name guardduty.amazonaws.com."
  }
}
