data "aws_caller_identity" "current" {
  count = var.create ? 1 : 0
}

data "aws_partition" "current" {
  count = var.create ? 1 : 0
}

data "aws_region" "current" {
  count = var.create ? 1 : 0
}

locals {
  create_bucket = var.create && var.create_bucket
  create_key    = var.create && var.kms_key_arn == null

  account_id = var.create ? data.aws_caller_identity.current[0].account_id : ""
  partition  = var.create ? data.aws_partition.current[0].partition : ""
  region     = var.create ? data.aws_region.current[0].id : ""

  bucket_arn   = var.create ? "arn:${local.partition}:s3:::${var.bucket_name}" : ""
  detector_arn = var.create ? "arn:${local.partition}:guardduty:${local.region}:${local.account_id}:detector/${var.detector_id}" : ""
  kms_key_arn  = local.create_key ? aws_kms_key.this[0].arn : var.kms_key_arn

  # GuardDuty user guide, "Exporting findings" (key and bucket policies): "If you're using
  # GuardDuty in an manually-enabled Region, replace the value for the "Service" with the Regional
  # endpoint for that Region. For example, if you're using GuardDuty in the Middle East (Bahrain)
  # (me-south-1) Region, replace "Service": "guardduty.amazonaws.com" with "Service":
  # "guardduty.me-south-1.amazonaws.com"". AWS Account Management reference, "Enable or disable
  # AWS Regions in your account": "Default Regions - Regions launched before March 20, 2019 are
  # enabled by default" and "Opt-in Regions - Regions launched after March 20, 2019 are disabled
  # by default". The default Regions are a closed list (no Region launches before 2019 any
  # more), so every other Region of the aws partition is a manually enabled one, including the
  # Regions launched after this module. Both pages speak of the aws partition: elsewhere (China,
  # GovCloud) the module keeps the global principal (chosen).
  default_regions = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
  ]
  opt_in_region       = local.partition == "aws" && !contains(local.default_regions, local.region)
  guardduty_principal = local.opt_in_region ? "guardduty.${local.region}.amazonaws.com" : "guardduty.amazonaws.com"

  # GuardDuty user guide, "Exporting generated GuardDuty findings to Amazon S3 buckets": the
  # service writes with "s3:PutObject" below the prefix and needs "s3:GetBucketLocation", both
  # limited by aws:SourceAccount and aws:SourceArn (the detector) against the confused deputy.
  # The two denials are the guide's too: only objects encrypted with this key are accepted.
  guardduty_condition = {
    StringEquals = {
      "aws:SourceAccount" = local.account_id
      "aws:SourceArn"     = local.detector_arn
    }
  }
  guardduty_bucket_statements = [
    {
      Sid       = "AllowGuardDutyGetBucketLocation"
      Effect    = "Allow"
      Principal = { Service = local.guardduty_principal }
      Action    = "s3:GetBucketLocation"
      Resource  = local.bucket_arn
      Condition = local.guardduty_condition
    },
    {
      Sid       = "AllowGuardDutyPutObject"
      Effect    = "Allow"
      Principal = { Service = local.guardduty_principal }
      Action    = "s3:PutObject"
      Resource  = "${local.bucket_arn}/${var.prefix}/*"
      Condition = local.guardduty_condition
    },
    {
      Sid       = "DenyUnencryptedObjectUploads"
      Effect    = "Deny"
      Principal = { Service = local.guardduty_principal }
      Action    = "s3:PutObject"
      Resource  = "${local.bucket_arn}/*"
      Condition = { StringNotEquals = { "s3:x-amz-server-side-encryption" = "aws:kms" } }
    },
    {
      Sid       = "DenyIncorrectEncryptionHeader"
      Effect    = "Deny"
      Principal = { Service = local.guardduty_principal }
      Action    = "s3:PutObject"
      Resource  = "${local.bucket_arn}/*"
      Condition = { StringNotEquals = { "s3:x-amz-server-side-encryption-aws-kms-key-id" = local.kms_key_arn } }
    },
  ]
  deny_insecure_transport_statement = {
    Sid       = "DenyInsecureTransport"
    Effect    = "Deny"
    Principal = "*"
    Action    = "s3:*"
    Resource  = [local.bucket_arn, "${local.bucket_arn}/*"]
    Condition = { Bool = { "aws:SecureTransport" = "false" } }
  }

  # The same guide, for the key: "kms:GenerateDataKey" for GuardDuty, with the same conditions.
  guardduty_key_statement = {
    Sid       = "AllowGuardDutyToEncryptFindings"
    Effect    = "Allow"
    Principal = { Service = local.guardduty_principal }
    Action    = "kms:GenerateDataKey"
    Resource  = "*"
    Condition = local.guardduty_condition
  }
  # Without it nobody, not even the account's administrators, could manage or read with the key;
  # IAM policies decide who in the account may decrypt the findings.
  key_admin_statement = {
    Sid       = "AllowAccountAdministration"
    Effect    = "Allow"
    Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
    Action    = "kms:*"
    Resource  = "*"
  }
}

resource "aws_kms_key" "this" {
  count = local.create_key ? 1 : 0

  description             = "Encrypts the GuardDuty findings exported to s3://${var.bucket_name}/${var.prefix}."
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.key_admin_statement, local.guardduty_key_statement]
  })

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_key ? 1 : 0

  name          = "alias/guardduty-findings-${var.bucket_name}"
  target_key_id = aws_kms_key.this[0].key_id
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Access logging needs a second bucket whose place (a central log archive account) the caller decides; the findings bucket is written by GuardDuty alone.
  #checkov:skip=CKV_AWS_144:Cross-region replication needs a bucket in another region that the caller owns; findings are kept per region by design and GuardDuty can re-export active findings.
  #checkov:skip=CKV2_AWS_62:Event notifications are the consumer's choice (a SIEM's queue); the module alerts from EventBridge, not from the bucket.
  count = local.create_bucket ? 1 : 0

  bucket = var.bucket_name
  # GuardDuty writes below <prefix>/AWSLogs/ into this versioned bucket, and S3 deletes only an
  # empty bucket: with true, destroy deletes every object and version first (the findings too).
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  count = local.create_bucket ? 1 : 0

  bucket                  = aws_s3_bucket.this[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  #checkov:skip=CKV_AWS_300:The first rule aborts incomplete uploads after 7 days for the whole bucket; checkov judges the dynamic expiration rule, which has no upload to abort, on its own.
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  # A rule needs an action, so without expiration there is no rule for the findings. It expires
  # only what GuardDuty writes (<prefix>/AWSLogs/...), never the folder object "<prefix>/" that
  # the destination needs at every create and update (aws_s3_object.prefix below).
  dynamic "rule" {
    for_each = var.expiration_days > 0 ? [var.expiration_days] : []
    content {
      id     = "exported-findings"
      status = "Enabled"
      filter {
        prefix = "${var.prefix}/AWSLogs/"
      }

      expiration {
        days = rule.value
      }

      noncurrent_version_expiration {
        noncurrent_days = rule.value
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat(local.guardduty_bucket_statements, [local.deny_insecure_transport_statement])
  })

  # A policy is refused while public access settings are being written.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

# The folder of the prefix, as an empty object "<prefix>/". GuardDuty refuses a destination ARN
# with a prefix whose folder object is missing, at CreatePublishingDestination and at every later
# UpdatePublishingDestination ("resource folder does not exist", aws/aws-cli#10483: "GuardDuty
# validates that the prefix exists as a folder - specifically, an S3 object with the key
# `guardduty/`"); hashicorp/terraform-provider-aws#19684: "the only way to have a prefix created
# is to use the aws_s3_bucket_object resource to create the prefix before creating the
# aws_guardduty_publishing_destination". Only the console creates it for you.
resource "aws_s3_object" "prefix" {
  #checkov:skip=CKV_AWS_186:An empty folder marker holds no data; the bucket's default encryption applies, and a kms_key_id here would make Terraform's identity need the key even in a bucket of the caller's (create_bucket = false).
  count = var.create ? 1 : 0

  bucket  = local.create_bucket ? aws_s3_bucket.this[0].id : var.bucket_name
  key     = "${var.prefix}/"
  content = ""

  tags = var.tags

  depends_on = [
    aws_s3_bucket_ownership_controls.this,
    aws_s3_bucket_versioning.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}

# GuardDuty checks that it can write when the destination is created, so the policies, the
# encryption and the prefix's folder object come first.
resource "aws_guardduty_publishing_destination" "this" {
  count = var.create ? 1 : 0

  detector_id      = var.detector_id
  destination_type = "S3"
  destination_arn  = "${local.bucket_arn}/${trimsuffix(aws_s3_object.prefix[0].key, "/")}"
  kms_key_arn      = local.kms_key_arn

  depends_on = [
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_kms_key.this,
  ]
}
