variable "function_name" {
  description = "Name of the router function; also names its log group and single-flight table."
  type        = string

  validation {
    # 50 characters leave room for the "-single-flight" table suffix.
    condition     = can(regex("^[A-Za-z0-9_-]{1,50}$", var.function_name))
    error_message = "function_name must be 1 to 50 letters, digits, hyphens or underscores."
  }
}

variable "package_path" {
  description = "Path to the router artifact built by `thumbrouter build-lambda` (a .zip)."
  type        = string

  validation {
    condition     = can(regex("\\.zip$", var.package_path))
    error_message = "package_path must point to a .zip file built by `thumbrouter build-lambda`."
  }
}

variable "handler" {
  description = "Module and function Lambda calls, inside the zip."
  type        = string
  default     = "router_lambda.handler"
}

variable "role_arn" {
  description = "ARN of the router's execution role (the router-access module's role); this module adds only its log and single-flight table grants to it."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", var.role_arn))
    error_message = "role_arn must be an IAM role ARN (arn:aws:iam::123456789012:role/name)."
  }
}

variable "runtime" {
  description = "Lambda Python runtime; must match the Python the artifact was built for."
  type        = string
  default     = "python3.12"

  validation {
    condition     = contains(["python3.11", "python3.12", "python3.13"], var.runtime)
    error_message = "runtime must be one of python3.11, python3.12, python3.13."
  }
}

variable "architecture" {
  description = "Lambda CPU architecture; arm64 costs less per GB-second and the router needs no x86 wheels."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "memory_size" {
  description = "Memory in MB (CPU share grows with it); the router signs URLs and waits on the on-demand function."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Seconds one request may run; above the router's wait for a generation (10 s) plus one generation (30 s)."
  type        = number
  default     = 45

  validation {
    condition     = var.timeout >= 3 && var.timeout <= 900
    error_message = "timeout must be between 3 and 900 seconds."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for and capped at the router: the spike bound (requests beyond it get 429 from the Function URL)."
  type        = number
  default     = 50

  validation {
    condition     = var.reserved_concurrency >= 1
    error_message = "reserved_concurrency must be at least 1: the router's spike bound is required (0 would stop it)."
  }
}

variable "function_url_auth" {
  description = "Function URL auth: AWS_IAM (SigV4-signed callers only, the default) or NONE (public; the app then authenticates /v1 by token and /thumb by signature). Choose explicitly."
  type        = string
  default     = "AWS_IAM"

  validation {
    condition     = contains(["AWS_IAM", "NONE"], var.function_url_auth)
    error_message = "function_url_auth must be AWS_IAM or NONE."
  }
}

variable "source_bucket" {
  description = "Bucket of originals the router signs download URLs and upload targets for (THUMBROUTER_S3_BUCKET)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.source_bucket))
    error_message = "source_bucket must be an S3 bucket name."
  }
}

variable "thumbnail_spec" {
  description = "Where thumbnails are and how they are made: thumbnail-stack's thumbnail_spec output, given to the router as THUMBROUTER_THN_BUCKET, _THUMBNAIL_SIZES, _THUMBNAIL_FIT, _JPEG_QUALITY, _CACHE_CONTROL, _PRESETS. A null field is left to the router's default (the functions' default too)."
  type = object({
    dest_bucket   = string
    sizes         = optional(list(string))
    mode          = optional(string)
    jpeg_quality  = optional(number)
    cache_control = optional(string)
    presets       = optional(string) # /thumb's presets: the functions delete every preset size of an original
  })

  validation {
    condition     = (var.thumbnail_spec.sizes == null ? true : length(var.thumbnail_spec.sizes) > 0) && var.thumbnail_spec.dest_bucket != var.source_bucket
    error_message = "thumbnail_spec needs a dest_bucket other than source_bucket, and sizes null or not empty."
  }
}

variable "on_demand_function_name" {
  description = "The on-demand thumbnail function /thumb generates on (THUMBROUTER_GENERATION_LAMBDA); null turns /thumb off (the router zip has no image stack)."
  type        = string
  default     = null
}

variable "single_flight" {
  description = "Shared store that makes /thumb generate a missing thumbnail once across router instances: \"dynamodb\" (a table this module creates) or \"none\" (once per instance)."
  type        = string
  default     = "dynamodb"

  validation {
    condition     = contains(["dynamodb", "none"], var.single_flight)
    error_message = "single_flight must be \"dynamodb\" or \"none\" (Redis would need a VPC; it stays the gunicorn deployment's store)."
  }
}

variable "domestic_countries" {
  description = "Countries routed to Qiniu (THUMBROUTER_DOMESTIC_COUNTRIES); empty routes everyone to S3, as this module configures no Qiniu."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.domestic_countries : can(regex("^[A-Z]{2}$", c))])
    error_message = "domestic_countries must be two-letter country codes such as CN."
  }
}

variable "extra_environment" {
  description = "More THUMBROUTER_* settings that are not secrets (presets, URL cache size, ...). Secrets never go here: they stay in a parameter store."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.extra_environment) : can(regex("^THUMBROUTER_[A-Z0-9_]+$", name)) && !can(regex("(TOKEN|SECRET|KEY|PASSWORD|REDIS_URL)", name))])
    error_message = "extra_environment takes THUMBROUTER_* names only, and no secret (tokens, keys, passwords, the Redis URL)."
  }
}

variable "secret_parameters" {
  description = "Names of SSM SecureString parameters holding the router's secrets (THUMBROUTER_<SECRET>_PARAMETER); the function may read exactly these. Values never go through Terraform."
  type = object({
    api_tokens       = optional(string)
    url_signing_keys = optional(string)
    qiniu_secret_key = optional(string)
  })
  default = {}

  validation {
    condition     = alltrue([for name in values(var.secret_parameters) : name == null || can(regex("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", name))])
    error_message = "secret_parameters must be SSM parameter names such as /thumbrouter/prod/api-tokens."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the router's logs (and its Embedded Metric Format lines)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
