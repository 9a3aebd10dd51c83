output "alarm_arns" {
  description = "ARNs of the router's alarms, by short name (router-errors, router-5xx-rate, ...)."
  value = merge(
    { for name, alarm in aws_cloudwatch_metric_alarm.this : name => alarm.arn },
    { router-5xx-rate = aws_cloudwatch_metric_alarm.server_error_rate.arn },
  )
}
