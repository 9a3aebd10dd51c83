variable "name_prefix" {
  description = "Prefix of every alarm name (<prefix>-thumbnail-errors, ...)."
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

variable "thumbnail_function" {
  description = "The S3-triggered thumbnail function: its name, timeout (the duration alarm's reference) and log group."
  type = object({
    name            = string
    timeout_seconds = number
    log_group_name  = string
  })

  validation {
    condition     = var.thumbnail_function.timeout_seconds >= 1 && var.thumbnail_function.timeout_seconds <= 900
    error_message = "thumbnail_function.timeout_seconds must be a Lambda timeout (1 to 900)."
  }
}

variable "dead_letter_queue_name" {
  description = "Name of the SQS queue that receives S3 events which failed every retry."
  type        = string
}

variable "on_demand_function_name" {
  description = "The on-demand thumbnail function (errors and throttles alarms), null when there is none."
  type        = string
  default     = null
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the project's own metrics (the router's Embedded Metric Format lines use it too)."
  type        = string
  default     = "thumbrouter"
}

variable "thresholds" {
  description = "When each alarm fires: counts per 5 minutes, ages in seconds or ms as named, the duration alarm at this share of the timeout."
  type = object({
    failures_waiting          = optional(number, 1)
    oldest_failure_seconds    = optional(number, 3600)
    errors                    = optional(number, 1)
    throttles                 = optional(number, 1)
    duration_share_of_timeout = optional(number, 0.8)
    async_event_age_ms        = optional(number, 300000)
  })
  default = {}

  validation {
    condition     = var.thresholds.duration_share_of_timeout > 0 && var.thresholds.duration_share_of_timeout < 1
    error_message = "thresholds.duration_share_of_timeout must be between 0 and 1 (exclusive)."
  }

  validation {
    condition     = alltrue([for v in [var.thresholds.failures_waiting, var.thresholds.oldest_failure_seconds, var.thresholds.errors, var.thresholds.throttles, var.thresholds.async_event_age_ms] : v >= 1])
    error_message = "thresholds must be at least 1."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
