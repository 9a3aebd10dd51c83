variable "source_bucket" {
  description = "Name of the bucket users upload originals to. The thumbnail bucket is always \"<source_bucket>resized\"."
  type        = string

  validation {
    # 56 characters at most so that "<name>resized" still fits S3's 63-character limit.
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,54}[a-z0-9]$", var.source_bucket)) && !strcontains(var.source_bucket, "..")
    error_message = "source_bucket must be a valid S3 bucket name of 3 to 56 characters (lower case, digits, dots, hyphens)."
  }
}

variable "create_source_bucket" {
  description = "true creates the source bucket; false adopts an existing one (looked up, never created or deleted by Terraform)."
  type        = bool
  default     = true
}

variable "versioning" {
  description = "Object versioning per bucket. Originals are user data (on by default); thumbnails can be regenerated (off by default)."
  type = object({
    source  = optional(bool, true)
    resized = optional(bool, false)
  })
  default = {}
}

variable "kms_key_arn" {
  description = "KMS key ARN for SSE-KMS default encryption of both buckets; null keeps SSE-S3 (AES256)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key or alias ARN."
  }
}

variable "resized_lifecycle" {
  description = "Lifecycle of the resized bucket: optional expiry of thumbnails, expiry of old versions, and cleanup of abandoned multipart uploads."
  type = object({
    expiration_days                 = optional(number)
    noncurrent_expiration_days      = optional(number, 30)
    abort_incomplete_multipart_days = optional(number, 7)
  })
  default = {}

  validation {
    condition = alltrue([
      for days in [var.resized_lifecycle.expiration_days, var.resized_lifecycle.noncurrent_expiration_days, var.resized_lifecycle.abort_incomplete_multipart_days] :
      days == null ? true : days >= 1
    ])
    error_message = "resized_lifecycle day counts must be at least 1 (or null to leave a rule out)."
  }
}

variable "force_destroy_resized" {
  description = "Let `terraform destroy` delete the resized bucket even when it holds thumbnails (they can be regenerated). Never applies to the source bucket."
  type        = bool
  default     = false
}

variable "cdn_read_policies" {
  description = "Policy JSON per bucket role (source, resized) added to that bucket's policy: the cdn module's origin_read_policies. Empty: no CDN reads."
  type = object({
    source  = optional(string)
    resized = optional(string)
  })
  default = {}
}

variable "object_access" {
  description = "With a CDN: the only callers allowed to touch objects of either bucket: CloudFront for distribution_arn, and the IAM roles or users in principal_arns (the stack's function roles, the router's role, operators; ArnLike patterns). Everyone else is denied by the bucket policy. null (no CDN): IAM policies alone decide."
  type = object({
    distribution_arn = string
    principal_arns   = list(string)
  })
  default = null

  validation {
    condition     = var.object_access == null ? true : can(regex("^arn:aws[a-z-]*:cloudfront::[0-9]{12}:distribution/[A-Z0-9]+$", var.object_access.distribution_arn))
    error_message = "object_access.distribution_arn must be a CloudFront distribution ARN."
  }

  validation {
    # An account root, a bare "*" or role/* would let the whole account back in; role/operators/* is a path.
    condition = var.object_access == null ? true : length(var.object_access.principal_arns) > 0 && alltrue([
      for arn in var.object_access.principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+[A-Za-z0-9+=,.@_/*-]*$", arn))
    ])
    error_message = "object_access.principal_arns must name at least one IAM role or user ARN (arn:aws:iam::<account>:role/... or :user/...), never an account root or every role (role/*)."
  }
}

variable "upload_cors" {
  description = "Sites (scheme://host[:port]) whose pages may upload to the source bucket from a browser, and how long a browser caches the preflight. No origins (the default): no CORS rule, so no browser can upload."
  type = object({
    allowed_origins = optional(list(string), [])
    max_age_seconds = optional(number, 3600)
  })
  default = {}

  validation {
    # A wildcard would let any site's scripts upload with a URL they obtained.
    condition     = alltrue([for origin in var.upload_cors.allowed_origins : can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$", origin))])
    error_message = "upload_cors.allowed_origins must be origins like https://app.example.com (no wildcard, path or trailing slash)."
  }

  validation {
    condition     = var.upload_cors.max_age_seconds >= 0 && var.upload_cors.max_age_seconds <= 86400
    error_message = "upload_cors.max_age_seconds must be 0 to 86400 (browsers cap it lower anyway)."
  }
}

variable "tags" {
  description = "Tags added to both buckets (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
