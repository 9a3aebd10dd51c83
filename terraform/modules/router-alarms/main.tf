# Alarms of the router function (alarms.tf) and its 5xx rate, all notifying one topic.

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = local.function
  statistic           = startswith(each.value.stat, "p") ? null : each.value.stat
  extended_statistic  = startswith(each.value.stat, "p") ? each.value.stat : null
  period              = 300
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
  tags                = var.tags
}

# Share of Function URL requests answered 5xx (the app's and Lambda's own), in percent, over two
# 5-minute periods; a quiet period (no requests) counts as 0, not as missing.
resource "aws_cloudwatch_metric_alarm" "server_error_rate" {
  alarm_name          = "${var.name_prefix}-router-5xx-rate"
  alarm_description   = "More than ${var.thresholds.server_error_percent}% of router requests answered 5xx: check /readyz and the router's log."
  evaluation_periods  = 2
  threshold           = var.thresholds.server_error_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
  tags                = var.tags

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, 100 * errors / requests, 0)"
    label       = "5xx share (%)"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Url5xxCount"
      dimensions  = local.function
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "UrlRequestCount"
      dimensions  = local.function
      stat        = "Sum"
      period      = 300
    }
  }
}
