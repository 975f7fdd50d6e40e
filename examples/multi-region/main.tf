# One provider per region: a provider configuration is fixed per alias, so each region gets an
# alias and a module block. Every region gets its own detector, Runtime Monitoring and alerts:
# GuardDuty and EventBridge are regional, and a finding alerts from the region it happened in.

provider "aws" {
  alias  = "region_1"
  region = var.regions[0]
}

provider "aws" {
  alias  = "region_2"
  region = var.regions[1]
}

provider "aws" {
  alias  = "region_3"
  region = var.regions[2]
}

provider "aws" {
  alias  = "region_4"
  region = var.regions[3]
}

locals {
  tags = {
    Example    = "multi-region"
    Repository = "terraform-aws-guardduty-ecs-runtime"
  }
  alerts = {
    name            = "guardduty-ecs"
    email_addresses = var.alert_email_addresses
  }
}

module "guardduty_region_1" {
  source = "../.."
  providers = {
    aws = aws.region_1
  }

  alerts = local.alerts
  tags   = local.tags
}

module "guardduty_region_2" {
  source = "../.."
  providers = {
    aws = aws.region_2
  }

  alerts = local.alerts
  tags   = local.tags
}

module "guardduty_region_3" {
  source = "../.."
  providers = {
    aws = aws.region_3
  }

  alerts = local.alerts
  tags   = local.tags
}

module "guardduty_region_4" {
  source = "../.."
  providers = {
    aws = aws.region_4
  }

  alerts = local.alerts
  tags   = local.tags
}
