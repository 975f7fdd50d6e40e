data "aws_partition" "current" {
  count = local.upload_lists ? 1 : 0
}

locals {
  # Both kinds of list are the same to S3: one object per list given as content.
  lists = var.create ? merge(
    { for name, list in var.ip_sets : "ip-sets/${name}" => merge(list, { name = name }) },
    { for name, list in var.threat_intel_sets : "threat-intel-sets/${name}" => merge(list, { name = name }) },
  ) : {}
  uploaded_lists = { for key, list in local.lists : key => list if list.content != null }
  upload_lists   = length(local.uploaded_lists) > 0

  # GuardDuty takes an https:// S3 URL; the provider's documentation builds it from the bucket
  # and key on the partition's S3 endpoint.
  list_locations = {
    for key, list in local.lists : key => list.content != null ? "https://s3.${data.aws_partition.current[0].dns_suffix}/${var.list_bucket}/${aws_s3_object.list[key].key}" : list.location
  }
}

resource "aws_guardduty_filter" "this" {
  for_each = var.create ? var.filters : {}

  detector_id = var.detector_id
  name        = each.key
  action      = each.value.action
  rank        = each.value.rank
  description = each.value.description

  finding_criteria {
    dynamic "criterion" {
      for_each = each.value.criteria
      content {
        field                 = criterion.key
        equals                = criterion.value.equals
        not_equals            = criterion.value.not_equals
        greater_than          = criterion.value.greater_than
        greater_than_or_equal = criterion.value.greater_than_or_equal
        less_than             = criterion.value.less_than
        less_than_or_equal    = criterion.value.less_than_or_equal
      }
    }
  }

  tags = var.tags
}

# GuardDuty reads a list once, when it is created or activated, with its service-linked role;
# an object written here is in the caller's bucket, under a prefix of its own.
resource "aws_s3_object" "list" {
  for_each = local.uploaded_lists

  bucket       = var.list_bucket
  key          = "guardduty/${each.key}.txt"
  content      = each.value.content
  content_type = "text/plain"

  tags = var.tags
}

resource "aws_guardduty_ipset" "this" {
  for_each = { for key, list in local.lists : key => list if startswith(key, "ip-sets/") }

  detector_id = var.detector_id
  name        = each.value.name
  format      = each.value.format
  activate    = each.value.activate
  location    = local.list_locations[each.key]

  tags = var.tags
}

resource "aws_guardduty_threatintelset" "this" {
  for_each = { for key, list in local.lists : key => list if startswith(key, "threat-intel-sets/") }

  detector_id = var.detector_id
  name        = each.value.name
  format      = each.value.format
  activate    = each.value.activate
  location    = local.list_locations[each.key]

  tags = var.tags
}
