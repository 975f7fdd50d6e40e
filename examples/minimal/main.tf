provider "aws" {
  region = var.region
}

# Runtime Monitoring with the fully managed ECS Fargate agent, everything else at its default.
module "guardduty" {
  source = "../.."
}
