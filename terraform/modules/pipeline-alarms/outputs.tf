output "alarm_arns" {
  description = "ARNs of the pipeline's alarms, by short name (thumbnail-errors, failures-waiting, ...)."
  value       = { for name, alarm in aws_cloudwatch_metric_alarm.this : name => alarm.arn }
}

output "thumbnails_created_metric" {
  description = "Namespace and name of the metric counting thumbnails created (from the function's log lines)."
  value = {
    namespace = var.metrics_namespace
    name      = aws_cloudwatch_log_metric_filter.thumbnails_created.metric_transformation[0].name
  }
}
