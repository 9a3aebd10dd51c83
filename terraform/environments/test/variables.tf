variable "environment" {
  description = "Environment name, applied to every resource as the Environment tag."
  type        = string

  validation {
    condition     = contains(["test", "prod"], var.environment)
    error_message = "environment must be test or prod."
  }
}

variable "region" {
  description = "AWS region of the buckets and the function."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "source_bucket" {
  description = "Bucket users upload originals to; thumbnails go to \"<source_bucket>resized\"."
  type        = string
}

variable "create_source_bucket" {
  description = "false adopts the existing source bucket instead of creating it (Terraform never deletes users' originals)."
  type        = bool
  default     = false
}

variable "function_name" {
  description = "Name of the thumbnail Lambda function."
  type        = string
}

variable "lambda_zip_path" {
  description = "Path to the artifact from `thumbrouter build-lambda` (passed by `thumbrouter deploy`)."
  type        = string

  validation {
    condition     = can(regex("thumbnailer-[0-9]+\\.[0-9]+-(x86_64|arm64)\\.zip$", var.lambda_zip_path))
    error_message = "lambda_zip_path must be a dist/thumbnailer-<python>-<arch>.zip built by `thumbrouter build-lambda`."
  }
}

variable "lambda_python" {
  description = "Python version the artifact was built for (3.12 gives runtime python3.12)."
  type        = string
  default     = "3.12"

  validation {
    condition     = contains(["3.11", "3.12", "3.13"], var.lambda_python)
    error_message = "lambda_python must be 3.11, 3.12 or 3.13."
  }
}

variable "lambda_architecture" {
  description = "CPU architecture the artifact was built for."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for (and capped at) the function."
  type        = number
  default     = 20
}

variable "on_demand_enabled" {
  description = "Also deploy \"<function_name>-OnDemand\" (handler on_demand.handler) for the router's lambda generation backend."
  type        = bool
  default     = false
}

variable "on_demand_reserved_concurrency" {
  description = "Concurrent executions reserved for (and capped at) the on-demand function."
  type        = number
  default     = 10
}

variable "thumbnail_settings" {
  description = "Thumbnail sizes, mode and limits given to the function (THUMBNAIL_SIZES, THUMBNAIL_MODE, ...)."
  type = object({
    sizes         = optional(list(string), ["50x50"])
    mode          = optional(string, "fit")
    max_pixels    = optional(number, 100000000)
    max_bytes     = optional(number, 52428800)
    jpeg_quality  = optional(number, 85)
    cache_control = optional(string, "public, max-age=86400")
  })
  default = {}
}

variable "resized_lifecycle" {
  description = "Lifecycle of the resized bucket (optional thumbnail expiry, multipart cleanup)."
  type = object({
    expiration_days                 = optional(number)
    noncurrent_expiration_days      = optional(number, 30)
    abort_incomplete_multipart_days = optional(number, 7)
  })
  default = {}
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the function's logs."
  type        = number
  default     = 30
}
