# The dashboard body as data: variables and local.region in (main.tf reads it from the provider), so a
# test evaluates it with real Terraform. Widgets are laid out two per row in the order listed.

locals {
  fn        = "FunctionName"
  sum       = { stat = "Sum", period = 60 }
  namespace = var.thumbnails_created_metric.namespace

  pipeline_widgets = [
    {
      title   = "Thumbnails created per minute"
      metrics = [[var.thumbnails_created_metric.namespace, var.thumbnails_created_metric.name, local.sum]]
    },
    {
      title = "Thumbnail function: invocations, errors, throttles"
      metrics = [for m in ["Invocations", "Errors", "Throttles"] :
      ["AWS/Lambda", m, local.fn, var.thumbnail_function_name, local.sum]]
    },
    {
      title = "Thumbnail function: duration (ms)"
      metrics = [["AWS/Lambda", "Duration", local.fn, var.thumbnail_function_name, { stat = "p99", period = 300 }],
      ["AWS/Lambda", "Duration", local.fn, var.thumbnail_function_name, { stat = "Maximum", period = 300 }]]
    },
    {
      title = "S3 events: age before running (ms), dropped"
      metrics = [["AWS/Lambda", "AsyncEventAge", local.fn, var.thumbnail_function_name, { stat = "Maximum", period = 300 }],
      ["AWS/Lambda", "AsyncEventsDropped", local.fn, var.thumbnail_function_name, { stat = "Sum", period = 300 }]]
    },
    {
      title = "Failure queue: events waiting, oldest age (s)"
      metrics = [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dead_letter_queue_name, { stat = "Maximum", period = 300 }],
      ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.dead_letter_queue_name, { stat = "Maximum", period = 300 }]]
    },
  ]

  on_demand_widgets = [for w in [
    {
      title = "On-demand generations per minute"
      metrics = [for m in ["Invocations", "Errors", "Throttles"] :
      ["AWS/Lambda", m, local.fn, var.on_demand_function_name, local.sum]]
    },
  ] : w if var.on_demand_function_name != null]

  router_widgets = [for w in [
    {
      title = "Router: requests and 4xx/5xx per minute (Function URL)"
      metrics = [for m in ["UrlRequestCount", "Url4xxCount", "Url5xxCount"] :
      ["AWS/Lambda", m, local.fn, var.router_function_name, local.sum]]
    },
    {
      title = "Router: duration (ms), concurrency"
      metrics = [["AWS/Lambda", "Duration", local.fn, var.router_function_name, { stat = "p99", period = 60 }],
      ["AWS/Lambda", "ConcurrentExecutions", local.fn, var.router_function_name, { stat = "Maximum", period = 60, yAxis = "right" }]]
    },
    {
      # The router's own Embedded Metric Format lines (thumbrouter.router.emf): dimension service.
      title = "Router: requests, 4xx, 5xx per minute (the app's own count)"
      metrics = [for m in ["Requests", "ClientErrors", "ServerErrors"] :
      [local.namespace, m, "service", var.router_service, local.sum]]
    },
    {
      title   = "Router: request latency in the app (ms)"
      metrics = [for stat in ["p50", "p99"] : [local.namespace, "Latency", "service", var.router_service, { stat = stat, period = 60 }]]
    },
  ] : w if var.router_function_name != null]

  health_widgets = [for w in [
    {
      title   = "Health check of /healthz (1 = healthy)"
      region  = "us-east-1" # Route 53 publishes health-check metrics there only
      metrics = [["AWS/Route53", "HealthCheckStatus", "HealthCheckId", var.health_check_id, { stat = "Minimum", period = 60 }]]
    },
  ] : w if var.health_check_id != null]

  metric_widgets = concat(local.pipeline_widgets, local.on_demand_widgets, local.router_widgets, local.health_widgets)

  widgets = concat(
    [for i, w in local.metric_widgets : {
      type = "metric", x = (i % 2) * 12, y = floor(i / 2) * 6, width = 12, height = 6
      properties = {
        title = w.title, metrics = w.metrics, region = lookup(w, "region", local.region), view = "timeSeries"
      }
    }],
    length(var.alarm_arns) == 0 ? [] : [{
      type       = "alarm", x = 0, y = ceil(length(local.metric_widgets) / 2) * 6, width = 24, height = 4
      properties = { title = "Alarms", alarms = var.alarm_arns }
    }],
  )

  body = { widgets = local.widgets }
}
