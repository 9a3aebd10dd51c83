variable "name" {
  description = "Name of the dashboard."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.name))
    error_message = "name must be 1 to 255 letters, digits, hyphens or underscores."
  }
}

variable "thumbnail_function_name" {
  description = "Name of the S3-triggered thumbnail function."
  type        = string
}

variable "dead_letter_queue_name" {
  description = "Name of the SQS queue of S3 events that failed every retry."
  type        = string
}

variable "thumbnails_created_metric" {
  description = "The metric counting thumbnails created (pipeline-alarms' thumbnails_created_metric); its namespace is also where the router's own metrics are."
  type = object({
    namespace = string
    name      = string
  })
  default = {
    namespace = "thumbrouter"
    name      = "ThumbnailsCreated"
  }
}

variable "on_demand_function_name" {
  description = "Name of the on-demand thumbnail function, null when there is none."
  type        = string
  default     = null
}

variable "router_function_name" {
  description = "Name of the router function, null when the router does not run on Lambda."
  type        = string
  default     = null
}

variable "router_service" {
  description = "The `service` dimension of the router's Embedded Metric Format metrics (thumbrouter.router.emf's SERVICE)."
  type        = string
  default     = "router"
}

variable "health_check_id" {
  description = "ID of the Route 53 health check of /healthz, null when there is none."
  type        = string
  default     = null
}

variable "alarm_arns" {
  description = "Alarms shown in the dashboard's alarm-status widget."
  type        = list(string)
  default     = []

  validation {
    # CloudWatch's alarm widget shows at most 100 alarms.
    condition     = length(var.alarm_arns) <= 100
    error_message = "alarm_arns holds at most 100 alarms (the alarm widget's limit)."
  }
}
