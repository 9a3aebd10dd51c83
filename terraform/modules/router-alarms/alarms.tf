# The router function's alarms as data (only variables in, so a test evaluates them with real Terraform).
# Its 5xx rate is metric math over the Function URL's own counts, in main.tf.

locals {
  function = { FunctionName = var.router_function_name }

  alarms = {
    router-errors = {
      description = "The router function raised or timed out (the Function URL answered 502): read its log."
      metric      = "Errors", stat = "Sum", threshold = var.thresholds.errors
    }
    router-throttles = {
      description = "Requests beyond the router's reserved concurrency got 429: the spike bound was reached."
      metric      = "Throttles", stat = "Sum", threshold = var.thresholds.throttles
    }
    router-p99-duration = {
      description = "p99 of the router's request time (ms) is over its bound: S3, DynamoDB or the on-demand function is slow."
      metric      = "Duration", stat = "p99", threshold = var.thresholds.p99_duration_ms
    }
  }
}
