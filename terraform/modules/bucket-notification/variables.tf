variable "bucket" {
  description = "Name of the bucket whose new and deleted objects invoke the function. Its whole notification configuration is owned here."
  type        = string
}

variable "bucket_arn" {
  description = "ARN of that bucket; the only source S3 may invoke the function for."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", var.bucket_arn))
    error_message = "bucket_arn must be an S3 bucket ARN such as arn:aws:s3:::demo."
  }
}

variable "function_arn" {
  description = "ARN of the Lambda function to invoke."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", var.function_arn))
    error_message = "function_arn must be an unqualified Lambda function ARN."
  }
}

variable "events" {
  description = "S3 event types that invoke the function: created objects get thumbnails, removed or lifecycle-expired ones lose them."
  type        = list(string)
  default     = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:LifecycleExpiration:*"]

  validation {
    condition = length(var.events) > 0 && alltrue([
      for event in var.events : anytrue([
        for family in ["s3:ObjectCreated:", "s3:ObjectRemoved:", "s3:LifecycleExpiration:"] : startswith(event, family)
      ])
    ])
    error_message = "events must be a non-empty list of s3:ObjectCreated:*, s3:ObjectRemoved:* and s3:LifecycleExpiration:* event types."
  }
}

variable "suffixes" {
  description = "Key suffixes that invoke the function, one filter each. S3 matches them case-sensitively, hence both cases."
  type        = list(string)
  default = [
    ".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".heif", ".avif",
    ".JPG", ".JPEG", ".PNG", ".WEBP", ".GIF", ".HEIC", ".HEIF", ".AVIF",
  ]

  validation {
    condition     = length(var.suffixes) > 0 && length(distinct(var.suffixes)) == length(var.suffixes)
    error_message = "suffixes must be a non-empty list without duplicates."
  }

  validation {
    # S3 rejects a configuration whose filters overlap: with no prefix, one suffix ending with another.
    condition     = alltrue([for a in var.suffixes : alltrue([for b in var.suffixes : a == b || !endswith(a, b)])])
    error_message = "suffixes must not overlap (no suffix may end with another one), or S3 rejects the configuration."
  }
}
