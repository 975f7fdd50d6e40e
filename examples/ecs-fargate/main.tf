provider "aws" {
  region = var.region
}

data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:The example takes the first two zones of the list; a zone that AWS adds later does not move existing subnets, and the example is short-lived.
  state = "available"
}

data "aws_partition" "current" {}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 2)
  tags = {
    Example    = "ecs-fargate"
    Repository = "terraform-aws-guardduty-ecs-runtime"
  }
}

################################################################################
# GuardDuty Runtime Monitoring with the managed Fargate agent, and the alerts
################################################################################

module "guardduty" {
  source = "../.."

  runtime_monitoring = {
    enabled                      = true
    ecs_fargate_agent_management = true
  }

  alerts = {
    name                = var.name
    email_addresses     = var.alert_email_addresses
    notify_on_unhealthy = true
    notify_on_healthy   = true
  }

  tags = local.tags
}

################################################################################
# Network: private subnets for the tasks, one NAT gateway for image pulls.
# GuardDuty's automated agent configuration adds its own guardduty-data endpoint and security group
# to this VPC (see the teardown step below); both DNS attributes are required for it.
################################################################################

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(local.tags, { Name = var.name })
}

# No rules: the default security group of the VPC denies everything.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-default-deny" })
}

resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = "REJECT"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn         = aws_iam_role.flow_logs.arn

  tags = local.tags
}

resource "aws_subnet" "public" {
  count = length(local.azs)

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)

  tags = merge(local.tags, { Name = "${var.name}-public-${local.azs[count.index]}" })
}

resource "aws_subnet" "private" {
  count = length(local.azs)

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 10 + count.index)

  tags = merge(local.tags, { Name = "${var.name}-private-${local.azs[count.index]}" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, { Name = var.name })
}

resource "aws_eip" "nat" {
  domain = "vpc"

  tags = merge(local.tags, { Name = "${var.name}-nat" })
}

resource "aws_nat_gateway" "this" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public[0].id

  tags = merge(local.tags, { Name = var.name })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }

  tags = merge(local.tags, { Name = "${var.name}-public" })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this.id
  }

  tags = merge(local.tags, { Name = "${var.name}-private" })
}

resource "aws_route_table_association" "public" {
  count = length(local.azs)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "private" {
  count = length(local.azs)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

################################################################################
# Teardown: GuardDuty creates a VPC endpoint (com.amazonaws.<region>.guardduty-data) and a
# security group, both tagged GuardDutyManaged = true, in every VPC where it runs its Fargate
# agent. They are not in the Terraform state and keep the subnets and the VPC from being
# deleted. Destroy runs in reverse dependency order, so this step runs after the ECS service is
# gone (the service depends on it: no task can bring the endpoint back) and before the subnets,
# route tables and NAT gateway go (it depends on them). Nothing to delete is success.
################################################################################

resource "terraform_data" "remove_guardduty_endpoint" {
  input = {
    vpc_id = aws_vpc.this.id
    region = var.region
    python = var.teardown_python
    script = "${path.module}/remove_guardduty_endpoint.py"
  }

  provisioner "local-exec" {
    when    = destroy
    command = "${self.input.python} ${self.input.script} --vpc-id ${self.input.vpc_id} --region ${self.input.region}"
  }

  depends_on = [
    aws_subnet.private,
    aws_route_table_association.private,
    aws_nat_gateway.this,
  ]
}

################################################################################
# ECS cluster (opted in with the GuardDutyManaged tag) and a Fargate service
################################################################################

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = merge(local.tags, module.guardduty.ecs_cluster_inclusion_tags)
}

resource "aws_security_group" "service" {
  name        = "${var.name}-service"
  description = "Tasks of ${var.name}: no inbound traffic; HTTPS out for image pulls and the GuardDuty agent."
  vpc_id      = aws_vpc.this.id

  egress {
    description = "HTTPS to image registries and to the guardduty-data endpoint"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] #checkov:skip=CKV_AWS_382:The task pulls its image from a public registry through the NAT gateway; HTTPS only.
  }

  tags = local.tags
}

locals {
  # The official nginx image needs these two paths writable: "The default nginx configuration
  # requires write access to /var/cache/nginx and /var/run" (the image's documentation, "Running
  # nginx in read-only mode"). With a read-only root, each gets a task volume (a bind mount of the
  # task's ephemeral storage on Fargate), so the container can start and nothing else is writable.
  app_writable_paths = {
    nginx-cache = "/var/cache/nginx"
    nginx-run   = "/var/run"
  }
  app_log_group_name = "/${var.name}/app"
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.task_execution.arn

  # GuardDuty's Fargate agent supports Linux tasks on platform version 1.4.0 and later.
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  dynamic "volume" {
    for_each = local.app_writable_paths
    content {
      name = volume.key
    }
  }

  container_definitions = jsonencode([
    {
      name                   = "app"
      image                  = var.container_image
      essential              = true
      readonlyRootFilesystem = true
      mountPoints = [
        for name, path in local.app_writable_paths : { sourceVolume = name, containerPath = path, readOnly = false }
      ]
      # nginx listens on port 80 (its default configuration, /etc/nginx/conf.d/default.conf).
      portMappings = [{ containerPort = 80, protocol = "tcp" }]
      # A task that fails to start says why in CloudWatch Logs.
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.app.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "app"
        }
      }
    }
  ])

  tags = local.tags
}

resource "aws_cloudwatch_log_group" "app" {
  name              = local.app_log_group_name
  retention_in_days = 365
  kms_key_id        = aws_kms_key.logs.arn

  tags = local.tags
}

resource "aws_ecs_service" "this" {
  name             = var.name
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.this.arn
  desired_count    = var.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST" # 1.4.0 or later, as GuardDuty's Fargate agent requires

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.service.id]
    assign_public_ip = false
  }

  tags = local.tags

  depends_on = [
    # Tasks started before Runtime Monitoring get no agent: start them after it is on.
    module.guardduty,
    # Destroyed before the teardown step runs, so that no task keeps GuardDuty's endpoint in use.
    terraform_data.remove_guardduty_endpoint,
  ]
}

################################################################################
# IAM: the task execution role may pull the GuardDuty agent image, nothing more
################################################################################

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "task_execution" {
  name               = "${var.name}-task-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = local.tags
}

# Least privilege instead of the managed AmazonECSTaskExecutionRolePolicy: an ECR token, image
# layers of GuardDuty's agent repository (in a GuardDuty account of the region), and the app's logs.
data "aws_iam_policy_document" "task_execution" {
  statement {
    sid       = "EcrToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] #checkov:skip=CKV_AWS_356:ecr:GetAuthorizationToken has no resource-level permissions.
  }

  statement {
    sid = "GuardDutyAgentImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = ["arn:${data.aws_partition.current.partition}:ecr:${var.region}:*:repository/aws-guardduty-agent-fargate"]
  }

  # The awslogs driver writes the app's log streams (the ECS developer guide's task execution role).
  statement {
    sid       = "AppLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.app.arn}:*"]
  }
}

resource "aws_iam_role_policy" "task_execution" {
  name   = "pull-guardduty-agent-and-write-logs"
  role   = aws_iam_role.task_execution.id
  policy = data.aws_iam_policy_document.task_execution.json
}

################################################################################
# VPC flow logs (rejected traffic) and the app's logs, encrypted
################################################################################

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "/${var.name}/vpc-flow-logs"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.logs.arn

  tags = local.tags
}

data "aws_caller_identity" "current" {}

resource "aws_kms_key" "logs" {
  description         = "Encrypts the flow logs and the app logs of ${var.name}."
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowAccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowCloudWatchLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = [
              for group in ["/${var.name}/vpc-flow-logs", local.app_log_group_name] :
              "arn:${data.aws_partition.current.partition}:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:${group}"
            ]
          }
        }
      },
    ]
  })

  tags = local.tags
}

resource "aws_iam_role" "flow_logs" {
  name = "${var.name}-flow-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = local.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  name = "write-flow-logs"
  role = aws_iam_role.flow_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = "${aws_cloudwatch_log_group.flow_logs.arn}:*"
    }]
  })
}
