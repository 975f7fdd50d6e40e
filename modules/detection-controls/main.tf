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

  # The finding attributes a filter may use: "You can only use the following attributes to query
  # findings:" (GuardDuty API reference, CreateFilter, FindingCriteria). The list of botocore
  # 1.35's model, plus service.action.dnsRequestAction.vpcOwnerAccountId and
  # service.runtimeDetails.process.executablePath, which later copies of the model list (AWS SDK
  # for Ruby). The filters validation (variables.tf) checks every criterion against it.
  filter_attributes = [
    "accountId",
    "id",
    "region",
    "severity",
    "type",
    "updatedAt",
    "resource.accessKeyDetails.accessKeyId",
    "resource.accessKeyDetails.principalId",
    "resource.accessKeyDetails.userName",
    "resource.accessKeyDetails.userType",
    "resource.containerDetails.image",
    "resource.ecsClusterDetails.name",
    "resource.ecsClusterDetails.taskDetails.containers.image",
    "resource.ecsClusterDetails.taskDetails.definitionArn",
    "resource.eksClusterDetails.name",
    "resource.instanceDetails.iamInstanceProfile.id",
    "resource.instanceDetails.imageId",
    "resource.instanceDetails.instanceId",
    "resource.instanceDetails.networkInterfaces.ipv6Addresses",
    "resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress",
    "resource.instanceDetails.networkInterfaces.publicDnsName",
    "resource.instanceDetails.networkInterfaces.publicIp",
    "resource.instanceDetails.networkInterfaces.securityGroups.groupId",
    "resource.instanceDetails.networkInterfaces.securityGroups.groupName",
    "resource.instanceDetails.networkInterfaces.subnetId",
    "resource.instanceDetails.networkInterfaces.vpcId",
    "resource.instanceDetails.outpostArn",
    "resource.instanceDetails.tags.key",
    "resource.instanceDetails.tags.value",
    "resource.kubernetesDetails.kubernetesUserDetails.username",
    "resource.kubernetesDetails.kubernetesWorkloadDetails.containers.image",
    "resource.kubernetesDetails.kubernetesWorkloadDetails.containers.imagePrefix",
    "resource.kubernetesDetails.kubernetesWorkloadDetails.name",
    "resource.kubernetesDetails.kubernetesWorkloadDetails.namespace",
    "resource.lambdaDetails.functionArn",
    "resource.lambdaDetails.functionName",
    "resource.lambdaDetails.tags.key",
    "resource.lambdaDetails.tags.value",
    "resource.rdsDbInstanceDetails.dbClusterIdentifier",
    "resource.rdsDbInstanceDetails.dbInstanceIdentifier",
    "resource.rdsDbInstanceDetails.engine",
    "resource.rdsDbInstanceDetails.tags.key",
    "resource.rdsDbInstanceDetails.tags.value",
    "resource.rdsDbUserDetails.user",
    "resource.resourceType",
    "resource.s3BucketDetails.name",
    "resource.s3BucketDetails.publicAccess.effectivePermissions",
    "resource.s3BucketDetails.tags.key",
    "resource.s3BucketDetails.tags.value",
    "resource.s3BucketDetails.type",
    "service.action.actionType",
    "service.action.awsApiCallAction.api",
    "service.action.awsApiCallAction.callerType",
    "service.action.awsApiCallAction.errorCode",
    "service.action.awsApiCallAction.remoteAccountDetails.accountId",
    "service.action.awsApiCallAction.remoteAccountDetails.affiliated",
    "service.action.awsApiCallAction.remoteIpDetails.city.cityName",
    "service.action.awsApiCallAction.remoteIpDetails.country.countryName",
    "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4",
    "service.action.awsApiCallAction.remoteIpDetails.ipAddressV6",
    "service.action.awsApiCallAction.remoteIpDetails.organization.asn",
    "service.action.awsApiCallAction.remoteIpDetails.organization.asnOrg",
    "service.action.awsApiCallAction.serviceName",
    "service.action.dnsRequestAction.domain",
    "service.action.dnsRequestAction.domainWithSuffix",
    "service.action.dnsRequestAction.vpcOwnerAccountId",
    "service.action.kubernetesApiCallAction.namespace",
    "service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4",
    "service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV6",
    "service.action.kubernetesApiCallAction.remoteIpDetails.organization.asn",
    "service.action.kubernetesApiCallAction.requestUri",
    "service.action.kubernetesApiCallAction.statusCode",
    "service.action.networkConnectionAction.blocked",
    "service.action.networkConnectionAction.connectionDirection",
    "service.action.networkConnectionAction.localIpDetails.ipAddressV4",
    "service.action.networkConnectionAction.localIpDetails.ipAddressV6",
    "service.action.networkConnectionAction.localPortDetails.port",
    "service.action.networkConnectionAction.protocol",
    "service.action.networkConnectionAction.remoteIpDetails.city.cityName",
    "service.action.networkConnectionAction.remoteIpDetails.country.countryName",
    "service.action.networkConnectionAction.remoteIpDetails.ipAddressV4",
    "service.action.networkConnectionAction.remoteIpDetails.ipAddressV6",
    "service.action.networkConnectionAction.remoteIpDetails.organization.asn",
    "service.action.networkConnectionAction.remoteIpDetails.organization.asnOrg",
    "service.action.networkConnectionAction.remotePortDetails.port",
    "service.additionalInfo.threatListName",
    "service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.filePaths.hash",
    "service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.name",
    "service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.severity",
    "service.ebsVolumeScanDetails.scanId",
    "service.resourceRole",
    "service.runtimeDetails.process.executablePath",
    "service.runtimeDetails.process.executableSha256",
    "service.runtimeDetails.process.name",
  ]

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

# GuardDuty reads a list when it is created or activated, with its service-linked role; an object
# written here is in the caller's bucket, under a prefix of its own. "Whenever you add or update an
# entry in the list's S3 bucket location, you must activate the list again" (user guide,
# "Customizing threat detection with entity lists and IP address lists"): rewriting the object in
# place would leave GuardDuty on the old entries, since the set would see no change. So the key
# carries the MD5 of the content: new content is a new object at a new `location`, and the provider
# sends UpdateIPSet / UpdateThreatIntelSet with it. The new object is written before the set points
# at it, and the old one is deleted only after (create_before_destroy), so a set never points at a
# missing object.
resource "aws_s3_object" "list" {
  for_each = local.uploaded_lists

  bucket       = var.list_bucket
  key          = "guardduty/${each.key}-${md5(each.value.content)}.txt"
  content      = each.value.content
  content_type = "text/plain"

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

# The provider (hashicorp/aws 5.100 to 6.x) waits after CreateIPSet / CreateThreatIntelSet while
# the status is ACTIVATING or DEACTIVATING until it is ACTIVE or INACTIVE: it reads the status at
# once, then every 3 s or more, for at most 5 minutes (no `timeouts` block). It does not wait
# after an update. AWS estimates that activation completes "within 15 minutes. In certain
# scenarios, it may take up to 40 minutes" (same page): see the README, "Lists take minutes".

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
