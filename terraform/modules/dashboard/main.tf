# One CloudWatch dashboard of the pipeline and the router (its body is in dashboard.tf).

data "aws_region" "current" {}

locals {
  region = data.aws_region.current.region
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode(local.body)
}
