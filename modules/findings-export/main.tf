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
      Principal = { Service = "guardduty.amazonaws.com" }
      Action    = "s3:GetBucketLocation"
      Resource  = local.bucket_arn
      Condition = local.guardduty_condition
    },
    {
      Sid       = "AllowGuardDutyPutObject"
      Effect    = "Allow"
      Principal = { Service = "guardduty.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "${local.bucket_arn}/${var.prefix}/*"
      Condition = local.guardduty_condition
    },
    {
      Sid       = "DenyUnencryptedObjectUploads"
      Effect    = "Deny"
      Principal = { Service = "guardduty.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "${local.bucket_arn}/*"
      Condition = { StringNotEquals = { "s3:x-amz-server-side-encryption" = "aws:kms" } }
    },
    {
      Sid       = "DenyIncorrectEncryptionHeader"
      Effect    = "Deny"
      Principal = { Service = "guardduty.amazonaws.com" }
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
    Principal = { Service = "guardduty.amazonaws.com" }
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

  # A rule needs an action, so without expiration there is no rule for the findings.
  dynamic "rule" {
    for_each = var.expiration_days > 0 ? [var.expiration_days] : []
    content {
      id     = "exported-findings"
      status = "Enabled"
      filter {
        prefix = "${var.prefix}/"
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

# GuardDuty checks that it can write when the destination is created, so the policies and the
# encryption come first.
resource "aws_guardduty_publishing_destination" "this" {
  count = var.create ? 1 : 0

  detector_id      = var.detector_id
  destination_type = "S3"
  destination_arn  = "${local.bucket_arn}/${var.prefix}"
  kms_key_arn      = local.kms_key_arn

  depends_on = [
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_kms_key.this,
  ]
}
