variable "name" {
  description = "Name of the alarm topic (and alias/<name> of its key)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,200}$", var.name))
    error_message = "name must be 1 to 200 letters, digits, hyphens or underscores."
  }
}

variable "email" {
  description = "An address subscribed to every alarm (it must confirm the first mail); null subscribes nobody."
  type        = string
  default     = null

  validation {
    condition     = var.email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.email))
    error_message = "email must be an e-mail address or null."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
