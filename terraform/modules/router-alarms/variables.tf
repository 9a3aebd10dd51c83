variable "name_prefix" {
  description = "Prefix of every alarm name (<prefix>-router-errors, ...)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 100 letters, digits, hyphens or underscores."
  }
}

variable "alarm_topic_arn" {
  description = "SNS topic every alarm notifies when it fires and when it recovers (alarm-topic's topic_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN."
  }
}

variable "router_function_name" {
  description = "Name of the router function (router-function's function_name)."
  type        = string
}

variable "thresholds" {
  description = "When each alarm fires: errors and throttles per 5 minutes, p99 duration in ms, the 5xx share in percent."
  type = object({
    errors               = optional(number, 1)
    throttles            = optional(number, 1)
    p99_duration_ms      = optional(number, 5000)
    server_error_percent = optional(number, 1)
  })
  default = {}

  validation {
    condition     = var.thresholds.errors >= 1 && var.thresholds.throttles >= 1 && var.thresholds.p99_duration_ms >= 1
    error_message = "thresholds.errors, throttles and p99_duration_ms must be at least 1."
  }

  validation {
    condition     = var.thresholds.server_error_percent > 0 && var.thresholds.server_error_percent < 100
    error_message = "thresholds.server_error_percent must be between 0 and 100 (exclusive)."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
