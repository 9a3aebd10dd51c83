output "health_check_id" {
  description = "ID of the Route 53 health check."
  value       = aws_route53_health_check.this.id
}

output "alarm_arn" {
  description = "ARN of the alarm on the health check's status."
  value       = aws_cloudwatch_metric_alarm.this.arn
}
