# A Route 53 health check calling https://<host>/healthz from several Regions, and an alarm on it.
# Route 53 publishes HealthCheckStatus in us-east-1 only, so the alarm (and its topic) must be there.

data "aws_region" "current" {}

resource "aws_route53_health_check" "this" {
  type              = "HTTPS"
  fqdn              = var.host
  port              = 443
  resource_path     = var.path
  enable_sni        = true
  request_interval  = var.request_interval
  failure_threshold = var.failure_threshold
  measure_latency   = true

  tags = merge(var.tags, { Name = "${var.name}-healthz" })
}

resource "aws_cloudwatch_metric_alarm" "this" {
  alarm_name          = "${var.name}-healthz"
  alarm_description   = "Route 53 checkers cannot get 2xx/3xx from https://${var.host}${var.path}: the router is down or unreachable."
  namespace           = "AWS/Route53"
  metric_name         = "HealthCheckStatus"
  dimensions          = { HealthCheckId = aws_route53_health_check.this.id }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  # No data means no checker reached a verdict: as bad as a failure for a public endpoint.
  treat_missing_data = "breaching"
  actions_enabled    = true
  alarm_actions      = [var.alarm_topic_arn]
  ok_actions         = [var.alarm_topic_arn]
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = data.aws_region.current.region == "us-east-1"
      error_message = "Route 53 publishes health-check metrics in us-east-1 only: deploy this module (and its alarm topic) with a us-east-1 provider."
    }
  }
}
