# Only what `thumbrouter deploy` passes; the thumbnail-stack module validates the values.

variable "lambda_zip_path" {
  description = "Path to the artifact from `thumbrouter build-lambda` (passed by `thumbrouter deploy`)."
  type        = string
}

variable "lambda_python" {
  description = "Python version the artifact was built for (terraform.tfvars, or -var from `thumbrouter deploy`)."
  type        = string
  default     = "3.12"
}

variable "lambda_architecture" {
  description = "CPU architecture the artifact was built for: x86_64 or arm64."
  type        = string
  default     = "x86_64"
}

variable "router_zip_path" {
  description = "Path to the router artifact from `thumbrouter build-lambda --function router` (passed by `thumbrouter deploy`)."
  type        = string
}

variable "router_architecture" {
  description = "CPU architecture the router artifact was built for (its Python is lambda_python): arm64 or x86_64."
  type        = string
  default     = "arm64"
}
