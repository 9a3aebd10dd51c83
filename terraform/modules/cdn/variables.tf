variable "name" {
  description = "Prefix of the distribution's named parts (origin access control, function, policies, key group)."
  type        = string

  validation {
    # CloudFront Function names allow 64 characters; the longest suffix here is "-thumbnails" (11).
    condition     = can(regex("^[A-Za-z0-9_-]{1,52}$", var.name))
    error_message = "name must be 1 to 52 letters, digits, hyphens or underscores."
  }
}

variable "resized_bucket" {
  description = "The thumbnail bucket (\"<source>resized\"): name and regional domain name. The default behaviour serves it."
  type = object({
    name                 = string
    regional_domain_name = string
  })
}

variable "source_bucket" {
  description = "The originals bucket: name and regional domain name, served under /originals/* for download URLs."
  type = object({
    name                 = string
    regional_domain_name = string
  })
}

variable "signing_public_keys" {
  description = "PEM public keys of the key group that signs CDN URLs, oldest first: the router signs with the last. Two during a rotation."
  type = list(object({
    name = string
    pem  = string
  }))

  validation {
    condition     = length(var.signing_public_keys) >= 1 && length(var.signing_public_keys) <= 2
    error_message = "signing_public_keys must hold one key, or two while rotating (every URL must be signed)."
  }

  validation {
    condition = alltrue([for key in var.signing_public_keys :
    can(regex("^-----BEGIN PUBLIC KEY-----", trimspace(key.pem))) && can(regex("^[A-Za-z0-9_-]{1,64}$", key.name))])
    error_message = "each signing key needs a name (letters, digits, - or _) and a PEM \"BEGIN PUBLIC KEY\" block, never a private key."
  }
}

variable "router_origin" {
  description = "The router as failover origin for missing thumbnails: its public HTTPS host and the Secrets Manager id of the origin secret (the value of THUMBROUTER_CDN_ORIGIN_SECRET). null: thumbnails come from the bucket only."
  type = object({
    domain_name = string
    secret_id   = string
  })
  default = null

  validation {
    condition     = var.router_origin == null ? true : can(regex("^[A-Za-z0-9.-]+$", var.router_origin.domain_name))
    error_message = "router_origin.domain_name must be a host name (no scheme, port or path): CloudFront reaches it on 443."
  }
}

variable "price_class" {
  description = "Edge locations the distribution uses: PriceClass_100 (North America, Europe), _200 or _All."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "logging" {
  description = "Standard access logs: the log bucket's domain name (\"<bucket>.s3.amazonaws.com\", ACLs enabled, as CloudFront requires) and a prefix; null logs nothing."
  type = object({
    bucket = string
    prefix = optional(string, "cdn/")
  })
  default = null

  validation {
    condition     = var.logging == null || can(regex("\\.s3\\.amazonaws\\.com$", var.logging.bucket))
    error_message = "logging.bucket must be a bucket domain name ending in .s3.amazonaws.com."
  }
}

variable "ttl_seconds" {
  description = "Edge cache lifetimes of thumbnails: min, default (when the origin sends no Cache-Control) and max."
  type = object({
    min     = optional(number, 0)
    default = optional(number, 86400)
    max     = optional(number, 31536000)
  })
  default = {}

  validation {
    condition     = var.ttl_seconds.min >= 0 && var.ttl_seconds.min <= var.ttl_seconds.default && var.ttl_seconds.default <= var.ttl_seconds.max
    error_message = "ttl_seconds must satisfy 0 <= min <= default <= max."
  }
}

variable "custom_domain" {
  description = "A domain of the operator's for the distribution (an alias) and its ACM certificate in us-east-1; null serves on *.cloudfront.net."
  type = object({
    name                = string
    acm_certificate_arn = string
  })
  default = null

  validation {
    condition     = var.custom_domain == null ? true : can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", var.custom_domain.acm_certificate_arn))
    error_message = "custom_domain.acm_certificate_arn must be an ACM certificate ARN in us-east-1 (CloudFront reads certificates only there)."
  }
}

variable "web_acl_arn" {
  description = "ARN of a WAFv2 web ACL (scope CLOUDFRONT, in us-east-1) to attach; null attaches none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to the distribution (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
