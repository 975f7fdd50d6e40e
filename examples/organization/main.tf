# The management account's credentials run this root; the administrator account is reached by
# assuming a role in it. Each provider is one account in one region.
provider "aws" {
  alias  = "management"
  region = var.region
}

provider "aws" {
  alias  = "administrator"
  region = var.region

  assume_role {
    role_arn     = "arn:aws:iam::${var.administrator_account_id}:role/${var.administrator_role_name}"
    session_name = "guardduty-organization"
  }
}

locals {
  tags = {
    Example    = "organization"
    Repository = "terraform-aws-guardduty-ecs-runtime"
  }
}

# Management account: the administrator account administers GuardDuty for the organization in
# this region. The ID is read from the administrator's detector, so the designation waits for
# that detector: designating an account enables GuardDuty in it ("GuardDuty gets enabled
# automatically only in the designated AWS Region", user guide, "Managing GuardDuty accounts with
# AWS Organizations"), and a detector created after that would be refused as a second one.
module "administrator_designation" {
  source = "../../modules/organization-admin-account"
  providers = {
    aws = aws.management
  }

  admin_account_id = split(":", module.guardduty.detector_arn)[4]
}

# Administrator account: its own detector and Runtime Monitoring, the alerts for every account
# (findings of member accounts reach the administrator's event bus), and a suppression rule.
module "guardduty" {
  source = "../.."
  providers = {
    aws = aws.administrator
  }

  alerts = {
    name            = "guardduty-organization"
    email_addresses = var.alert_email_addresses
  }

  # New binaries are expected in CI jobs; archived findings are not sent to EventBridge, so they
  # do not alert.
  filters = {
    ci-new-binaries = {
      rank        = 1
      description = "New binaries in the CI cluster are build steps, not intrusions."
      criteria = {
        type                              = { equals = ["Execution:Runtime/NewBinaryExecuted"] }
        "resource.ecsClusterDetails.name" = { equals = [var.ci_cluster_name] }
      }
    }
  }

  tags = local.tags
}

# Administrator account: every member account gets Runtime Monitoring with the managed Fargate
# agent (the module's defaults), existing and new accounts alike.
module "organization" {
  source = "../../modules/organization"
  providers = {
    aws = aws.administrator
  }

  detector_id                     = module.guardduty.detector_id
  members                         = var.members
  member_association_wait_seconds = var.member_association_wait_seconds

  # The organization configuration is refused until the account is the administrator.
  depends_on = [module.administrator_designation]
}
