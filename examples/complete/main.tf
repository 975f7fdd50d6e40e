provider "aws" {
  region = var.region
}

locals {
  tags = {
    Example    = "complete"
    Repository = "terraform-aws-guardduty-ecs-runtime"
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

  tags = local.tags
}

# The same module switched off, as a stack that deploys per account or region would do where
# GuardDuty is managed elsewhere: it plans nothing.
module "guardduty_disabled" {
  source = "../.."

  create = false
}
