variable "name" {
  description = "Prefix of the policy and role names (\"<name>-router\"); the stack's function name is a good choice."
  type        = string

  validation {
    # IAM role names allow 64 characters; "-router" takes 7.
    condition     = can(regex("^[A-Za-z0-9_+=,.@-]{1,57}$", var.name))
    error_message = "name must be 1 to 57 characters of letters, digits and _+=,.@-."
  }
}

variable "source_bucket" {
  description = "Bucket of the originals: the router presigns downloads (s3:GetObject) and uploads (s3:PutObject) there."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.source_bucket))
    error_message = "source_bucket must be an S3 bucket name."
  }
}

variable "resized_bucket" {
  description = "Bucket of the thumbnails: the router presigns and HEADs them (s3:GetObject, s3:ListBucket)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.resized_bucket))
    error_message = "resized_bucket must be an S3 bucket name."
  }
}

variable "on_demand_function_arn" {
  description = "ARN of the on-demand function (thumbnail-stack's on_demand_function_arn); set, the router may invoke it and nothing else. null: no lambda:InvokeFunction."
  type        = string
  default     = null

  validation {
    condition     = var.on_demand_function_arn == null ? true : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", var.on_demand_function_arn))
    error_message = "on_demand_function_arn must be null or an unqualified Lambda function ARN."
  }
}

variable "allow_local_generation" {
  description = "The router generates thumbnails itself (THUMBROUTER_GENERATION_BACKEND=local): adds s3:PutObject on the resized objects."
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

variable "trusted_principal" {
  description = "Who may assume the router's role, e.g. { type = \"Service\", identifiers = [\"ecs-tasks.amazonaws.com\"] } (or lambda.amazonaws.com, ec2.amazonaws.com), or { type = \"AWS\", identifiers = [<role ARN>] }. null: no role, only the policy."
  type = object({
    type        = string
    identifiers = list(string)
  })
  default = null

  validation {
    condition     = var.trusted_principal == null ? true : contains(["Service", "AWS"], var.trusted_principal.type) && length(var.trusted_principal.identifiers) > 0
    error_message = "trusted_principal.type must be \"Service\" or \"AWS\" with at least one identifier."
  }

  validation {
    condition = var.trusted_principal == null ? true : alltrue([
      for id in var.trusted_principal.identifiers : var.trusted_principal.type == "Service" ? can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", id)) : can(regex("^(arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+|[0-9]{12})$", id))
    ])
    error_message = "trusted_principal.identifiers must be service principals (*.amazonaws.com) for \"Service\", or IAM role/user ARNs or account ids for \"AWS\" (never \"*\")."
  }
}

variable "tags" {
  description = "Tags added to the policy and role (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
