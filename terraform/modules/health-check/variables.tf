variable "name" {
  description = "Names the alarm (<name>-healthz) and the health check's Name tag."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.name))
    error_message = "name must be 1 to 100 letters, digits, hyphens or underscores."
  }
}

variable "host" {
  description = "Host name of the endpoint (router-function's function_url_host); checked over HTTPS on port 443."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", var.host))
    error_message = "host must be a host name without scheme, port or path (such as abc123.lambda-url.us-east-1.on.aws)."
  }
}

variable "path" {
  description = "Path the checkers GET; the router's liveness endpoint by default."
  type        = string
  default     = "/healthz"

  validation {
    condition     = startswith(var.path, "/")
    error_message = "path must start with a slash."
  }
}

variable "request_interval" {
  description = "Seconds between checks from each checker Region (10 or 30)."
  type        = number
  default     = 30

  validation {
    condition     = contains([10, 30], var.request_interval)
    error_message = "request_interval must be 10 or 30 (what Route 53 offers)."
  }
}

variable "failure_threshold" {
  description = "Consecutive failures before a checker counts the endpoint as unhealthy."
  type        = number
  default     = 3

  validation {
    condition     = var.failure_threshold >= 1 && var.failure_threshold <= 10
    error_message = "failure_threshold must be between 1 and 10."
  }
}

variable "alarm_topic_arn" {
  description = "SNS topic (in us-east-1) the alarm notifies when it fires and when it recovers."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:us-east-1:[0-9]{12}:[A-Za-z0-9_-]+$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN in us-east-1 (where Route 53 health-check metrics are)."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
