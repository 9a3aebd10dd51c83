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
