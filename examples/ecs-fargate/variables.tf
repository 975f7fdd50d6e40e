variable "region" {
  description = "AWS region of the example."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of the example's VPC, ECS cluster and service, and prefix of the alert resources."
  type        = string
  default     = "guardduty-fargate"
}

variable "vpc_cidr" {
  description = "CIDR block of the example's VPC."
  type        = string
  default     = "10.42.0.0/16"
}

variable "alert_email_addresses" {
  description = "E-mail addresses that receive the alerts; each must confirm the subscription mail from AWS."
  type        = list(string)
  default     = ["secops@example.com"]
}

variable "container_image" {
  description = "Image of the application container, pulled through the NAT gateway. The task's writable paths (/var/cache/nginx, /var/run), port (80) and read-only root follow the official nginx image: another image needs its own in main.tf."
  type        = string
  default     = "public.ecr.aws/nginx/nginx:stable-alpine"
}

variable "desired_count" {
  description = "Number of tasks of the service. Scaling it to 0 makes the cluster's Runtime Monitoring coverage unhealthy, which the alerts report."
  type        = number
  default     = 1
}

variable "teardown_python" {
  description = "Python interpreter (with boto3) that runs the destroy-time step removing the VPC endpoint and security group GuardDuty created in the VPC."
  type        = string
  default     = "python3"
}
