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
# other protection plan, fast publishing of updated findings, and tags on every taggable resource.
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

  tags = local.tags
}
