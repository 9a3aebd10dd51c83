# The pipeline's alarms as data (only variables in, so a test evaluates them with real Terraform).
# stat: a CloudWatch statistic, or a percentile such as p99 (an extended statistic).

locals {
  function  = { FunctionName = var.thumbnail_function.name }
  queue     = { QueueName = var.dead_letter_queue_name }
  on_demand = var.on_demand_function_name == null ? {} : { FunctionName = var.on_demand_function_name }

  thumbnail_alarms = {
    failures-waiting = {
      description = "S3 events failed every retry and wait in the failure queue: read them, fix the cause, replay them."
      namespace   = "AWS/SQS", metric = "ApproximateNumberOfMessagesVisible", stat = "Maximum", dimensions = local.queue
      threshold   = var.thresholds.failures_waiting, period = 300
    }
    oldest-failure-age = {
      description = "The oldest failed event has waited this long (seconds): the queue deletes it at its retention."
      namespace   = "AWS/SQS", metric = "ApproximateAgeOfOldestMessage", stat = "Maximum", dimensions = local.queue
      threshold   = var.thresholds.oldest_failure_seconds, period = 300
    }
    thumbnail-errors = {
      description = "The thumbnail function raised (events are retried, then queued as failures): read its log."
      namespace   = "AWS/Lambda", metric = "Errors", stat = "Sum", dimensions = local.function
      threshold   = var.thresholds.errors, period = 300
    }
    thumbnail-throttles = {
      description = "Uploads outran the thumbnail function's reserved concurrency: events wait and age."
      namespace   = "AWS/Lambda", metric = "Throttles", stat = "Sum", dimensions = local.function
      threshold   = var.thresholds.throttles, period = 300
    }
    thumbnail-duration = {
      description = "p99 duration is near the function's timeout (ms): large originals will start timing out."
      namespace   = "AWS/Lambda", metric = "Duration", stat = "p99", dimensions = local.function
      threshold   = floor(var.thumbnail_function.timeout_seconds * 1000 * var.thresholds.duration_share_of_timeout)
      period      = 300
    }
    async-event-age = {
      description = "S3 events wait this long (ms) before the function runs them: throttling or retries pile up."
      namespace   = "AWS/Lambda", metric = "AsyncEventAge", stat = "Maximum", dimensions = local.function
      threshold   = var.thresholds.async_event_age_ms, period = 300
    }
    async-events-dropped = {
      description = "Lambda dropped S3 events (too old or out of retries) without running them to success."
      namespace   = "AWS/Lambda", metric = "AsyncEventsDropped", stat = "Sum", dimensions = local.function
      threshold   = 1, period = 300
    }
  }

  on_demand_alarms = var.on_demand_function_name == null ? {} : {
    on-demand-errors = {
      description = "The on-demand function raised: /thumb answers 502 for the thumbnails it was asked for."
      namespace   = "AWS/Lambda", metric = "Errors", stat = "Sum", dimensions = local.on_demand
      threshold   = var.thresholds.errors, period = 300
    }
    on-demand-throttles = {
      description = "/thumb asked for more generations than the on-demand function's reserved concurrency."
      namespace   = "AWS/Lambda", metric = "Throttles", stat = "Sum", dimensions = local.on_demand
      threshold   = var.thresholds.throttles, period = 300
    }
  }

  alarms = merge(local.thumbnail_alarms, local.on_demand_alarms)

  # One JSON log line per record (thumbrouter.s3job's Outcome.log_line) says "outcome": "created".
  created_pattern = "\"\\\"outcome\\\": \\\"created\\\"\""
}
