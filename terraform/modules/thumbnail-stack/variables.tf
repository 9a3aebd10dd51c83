# Values that one building block checks (bucket name, function name, retention, concurrency,
# settings) are validated there; this file validates what the composition itself adds.

variable "source_bucket" {
  description = "Bucket users upload originals to; thumbnails go to \"<source_bucket>resized\"."
  type        = string
}

variable "create_source_bucket" {
  description = "true creates the source bucket; false (the default) adopts an existing one, which Terraform never creates or deletes."
  type        = bool
  default     = false
}

variable "function_name" {
  description = "Name of the S3-triggered thumbnail function; the on-demand one is \"<function_name>-OnDemand\"."
  type        = string
}

variable "lambda_zip_path" {
  description = "Path to the artifact from `thumbrouter build-lambda` (dist/thumbnailer-<python>-<arch>.zip)."
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
  description = "Concurrent executions reserved for (and capped at) the S3-triggered function."
  type        = number
  default     = 20
}

variable "on_demand_enabled" {
  description = "Also deploy \"<function_name>-OnDemand\" (handler on_demand.handler, no S3 trigger) for the router's lambda generation backend."
  type        = bool
  default     = false
}

variable "on_demand_reserved_concurrency" {
  description = "Concurrent executions reserved for (and capped at) the on-demand function."
  type        = number
  default     = 10
}

variable "thumbnail_settings" {
  description = "Thumbnail sizes, mode and limits given to both functions (THUMBNAILER_THUMBNAIL_SIZES, _THUMBNAIL_FIT, ...); null settings are left to the code's defaults (thumbrouter/s3job/settings.py)."
  type = object({
    sizes         = optional(list(string))
    mode          = optional(string)
    max_pixels    = optional(number)
    max_bytes     = optional(number)
    jpeg_quality  = optional(number)
    cache_control = optional(string)
    presets       = optional(string) # the router's THUMBROUTER_PRESETS: a crowded delete removes every preset size
  })
  default = {}
}

variable "kms_key_arn" {
  description = "KMS key ARN for SSE-KMS on both buckets; both functions (and router-access, when given it) get kms:Decrypt and kms:GenerateDataKey on it. null keeps SSE-S3."
  type        = string
  default     = null
}

variable "resized_lifecycle" {
  description = "Lifecycle of the resized bucket (optional thumbnail expiry, old versions, multipart cleanup)."
  type = object({
    expiration_days                 = optional(number)
    noncurrent_expiration_days      = optional(number, 30)
    abort_incomplete_multipart_days = optional(number, 7)
  })
  default = {}
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the functions' logs."
  type        = number
  default     = 30
}

variable "alarm_email" {
  description = "An address subscribed to the pipeline's alarm topic (it must confirm the first mail); null subscribes nobody."
  type        = string
  default     = null
}

variable "cdn" {
  description = "CloudFront in front of both buckets (off by default): the key group's public keys, oldest first (the router signs with the last), the router as failover origin for missing thumbnails, price class and access logs."
  type = object({
    enabled = optional(bool, false)
    signing_public_keys = optional(list(object({
      name = string
      pem  = string
    })), [])
    price_class = optional(string, "PriceClass_100")
    router_origin = optional(object({
      domain_name = string
      secret_id   = string
    }))
    logging = optional(object({
      bucket = string
      prefix = optional(string, "cdn/")
    }))
  })
  default = {}
}

variable "router_role_arns" {
  description = "The router's IAM role ARNs (router-access role_arn). With the CDN they are, beside the stack's own function roles, the only roles the bucket policies let touch objects; the router presigns with them."
  type        = list(string)
  default     = []
}

variable "operator_arns" {
  description = "Operators' IAM role or user ARNs (ArnLike patterns allowed) who run `thumbrouter backfill` or replays against the buckets; with the CDN everyone else is denied object access. Their own policy (image-buckets backfill_policy_json) still grants what they may do. Add the deploying role if it must empty the resized bucket (force_destroy)."
  type        = list(string)
  default     = []
}

variable "upload_cors" {
  description = "Sites whose pages may upload originals from a browser (the source bucket's CORS rule) and the preflight cache time; none by default."
  type = object({
    allowed_origins = optional(list(string), [])
    max_age_seconds = optional(number, 3600)
  })
  default = {}
}

variable "router_monitoring" {
  description = "The router on Lambda, shown on the stack's dashboard: its function name, the /healthz health check's id and the router's alarms (router-function, health-check, router-alarms outputs). null: the dashboard shows the pipeline only."
  type = object({
    function_name   = string
    health_check_id = optional(string)
    alarm_arns      = optional(list(string), [])
  })
  default = null
}
