# Alarms of the thumbnail pipeline (defined in alarms.tf), all notifying one topic, and the metric of
# thumbnails created, counted from the function's log lines.

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = startswith(each.value.stat, "p") ? null : each.value.stat
  extended_statistic  = startswith(each.value.stat, "p") ? each.value.stat : null
  period              = each.value.period
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
  tags                = var.tags
}

resource "aws_cloudwatch_log_metric_filter" "thumbnails_created" {
  name           = "${var.name_prefix}-thumbnails-created"
  log_group_name = var.thumbnail_function.log_group_name
  pattern        = local.created_pattern

  metric_transformation {
    namespace = var.metrics_namespace
    name      = "ThumbnailsCreated"
    value     = "1"
    unit      = "Count"
  }
}
