provider "aws" {
  region = var.region
}

# Runtime Monitoring with the fully managed ECS Fargate agent and alerts (an encrypted topic with no
# subscribers yet), everything else at its default.
module "guardduty" {
  source = "../.."
}
