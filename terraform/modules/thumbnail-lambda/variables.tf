variable "function_name" {
  description = "Name of the Lambda function; also names its role, log group and dead-letter queue."
  type        = string

  validation {
    # 50 characters leave room for the "-failures" queue and "-role" suffixes (SQS allows 80, IAM 64).
    condition     = can(regex("^[A-Za-z0-9_-]{1,50}$", var.function_name))
    error_message = "function_name must be 1 to 50 letters, digits, hyphens or underscores."
  }
}

variable "zip_path" {
  description = "Path to the artifact built by `thumbrouter build-lambda` (dist/thumbnailer-<python>-<arch>.zip)."
  type        = string

  validation {
    condition     = can(regex("\\.zip$", var.zip_path))
    error_message = "zip_path must point to a .zip file built by `thumbrouter build-lambda`."
  }
}

variable "handler" {
  description = "Module and function Lambda calls, inside the zip."
  type        = string
  default     = "create_thumbnail.handler"
}

variable "runtime" {
  description = "Lambda Python runtime; must match the Python version the artifact's Pillow wheels were built for."
  type        = string
  default     = "python3.12"

  validation {
    condition     = contains(["python3.11", "python3.12", "python3.13"], var.runtime)
    error_message = "runtime must be one of python3.11, python3.12, python3.13 (supported Lambda runtimes the artifact can be built for)."
  }
}

variable "architecture" {
  description = "Lambda CPU architecture; must match the platform of the artifact's Pillow wheels."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "memory_size" {
  description = "Memory in MB (CPU share grows with it); big photos are decoded in memory."
  type        = number
  default     = 1024

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Seconds one invocation may run."
  type        = number
  default     = 30

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for (and capped at) this function; bounds cost and S3 load during upload bursts. -1 means unreserved."
  type        = number
  default     = 20

  validation {
    condition     = var.reserved_concurrency == -1 || var.reserved_concurrency >= 1
    error_message = "reserved_concurrency must be -1 (unreserved) or at least 1 (0 would stop all thumbnails)."
  }
}

variable "source_bucket" {
  description = "Bucket whose objects the function may read (s3:GetObject only)."
  type        = string
}

variable "resized_bucket" {
  description = "Bucket the function writes thumbnails to (s3:PutObject only); becomes THUMBNAILER_THN_BUCKET."
  type        = string

  validation {
    condition     = length(var.resized_bucket) > 0
    error_message = "resized_bucket must not be empty."
  }
}

variable "allow_thumbnail_delete" {
  description = "Let the function delete a deleted original's thumbnails: s3:DeleteObject on the resized objects, s3:ListBucket on the resized bucket (to find its thumbnails of any size; s3:ListBucket on the source bucket, so that a deleted original answers 404, is granted to every entry). The S3-triggered entry needs it; the on-demand one does not."
  type        = bool
  default     = true
}

variable "cdn_distribution" {
  description = "The CloudFront distribution in front of the buckets (id and ARN): with thumbnail deletion allowed, the function invalidates a deleted original's paths there (THUMBNAILER_CDN_DISTRIBUTION_ID, cloudfront:CreateInvalidation on that ARN). null: no CDN."
  type = object({
    id  = string
    arn = string
  })
  default = null
}

variable "allow_thumbnail_lookup" {
  description = "Also let the function check for an existing thumbnail: s3:GetObject on the resized objects and s3:ListBucket on the resized bucket (without it S3 answers 403, not 404, for a missing key). The on-demand entry needs it; the S3-triggered one does not."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "The buckets' SSE-KMS key (image-buckets' kms_key_arn): adds kms:Decrypt and kms:GenerateDataKey on it. null: SSE-S3, no KMS grant."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (an alias ARN does not match the key in a policy)."
  }
}

variable "settings" {
  description = "Thumbnail settings passed to the function as environment variables (see thumbrouter/s3job/settings.py). A setting left null is not set, and the code's default applies."
  type = object({
    sizes         = optional(list(string))
    mode          = optional(string)
    max_pixels    = optional(number)
    max_bytes     = optional(number)
    jpeg_quality  = optional(number)
    cache_control = optional(string)
    presets       = optional(string)
  })
  default = {}

  validation {
    condition     = var.settings.presets == null ? true : can(regex("^[a-z0-9][a-z0-9_-]{0,31}=[1-9][0-9]{0,3}x[1-9][0-9]{0,3}(:[a-z0-9+]+)?(,[a-z0-9][a-z0-9_-]{0,31}=[1-9][0-9]{0,3}x[1-9][0-9]{0,3}(:[a-z0-9+]+)?)*$", var.settings.presets))
    error_message = "settings.presets must be null or the router's THUMBROUTER_PRESETS, such as \"thumb50=50x50:webp+avif,preview=1440x1440\"."
  }

  validation {
    condition     = var.settings.sizes == null ? true : length(var.settings.sizes) > 0 && alltrue([for size in var.settings.sizes : can(regex("^[1-9][0-9]{0,3}x[1-9][0-9]{0,3}$", size))])
    error_message = "settings.sizes must be null or a non-empty list of WxH sizes such as \"50x50\"."
  }

  validation {
    condition     = var.settings.mode == null ? true : contains(["fit", "cover"], var.settings.mode)
    error_message = "settings.mode must be null, \"fit\" (keep aspect ratio) or \"cover\" (centre crop)."
  }

  validation {
    condition     = alltrue([for limit in [var.settings.max_pixels, var.settings.max_bytes] : limit == null ? true : limit >= 1])
    error_message = "settings.max_pixels and settings.max_bytes must be null or positive (the function refuses values above its own limits at cold start)."
  }

  validation {
    condition     = var.settings.jpeg_quality == null ? true : var.settings.jpeg_quality >= 1 && var.settings.jpeg_quality <= 95
    error_message = "settings.jpeg_quality must be null or 1..95."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the function's logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "async_invoke" {
  description = "Retries and maximum event age for S3-triggered (asynchronous) invocations; events that still fail go to the dead-letter queue."
  type = object({
    maximum_retry_attempts       = optional(number, 2)
    maximum_event_age_in_seconds = optional(number, 3600)
  })
  default = {}

  validation {
    condition     = var.async_invoke.maximum_retry_attempts >= 0 && var.async_invoke.maximum_retry_attempts <= 2
    error_message = "async_invoke.maximum_retry_attempts must be 0, 1 or 2."
  }

  validation {
    condition     = var.async_invoke.maximum_event_age_in_seconds >= 60 && var.async_invoke.maximum_event_age_in_seconds <= 21600
    error_message = "async_invoke.maximum_event_age_in_seconds must be between 60 and 21600."
  }
}

variable "dead_letter_retention_seconds" {
  description = "Seconds failed events stay in the dead-letter queue for inspection or replay."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dead_letter_retention_seconds >= 60 && var.dead_letter_retention_seconds <= 1209600
    error_message = "dead_letter_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
