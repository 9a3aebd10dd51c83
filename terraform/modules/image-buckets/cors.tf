# Browser uploads: a web page on another origin PUTs to a presigned URL of the source bucket, and the
# browser first sends a CORS preflight, which S3 refuses unless a rule allows it. The rule lets the
# named sites PUT with exactly the headers the router's upload target signs (Content-Length is set by
# the browser and never preflighted) and read the ETag. No origins: no rule, no browser uploads.
# Only locals here (no resources), so a test renders the rule with real Terraform and applies it to an
# S3 server that enforces CORS; main.tf turns it into the bucket's configuration.

locals {
  upload_cors_rules = length(var.upload_cors.allowed_origins) == 0 ? [] : [{
    id              = "browser-uploads"
    allowed_methods = ["PUT"]
    allowed_origins = var.upload_cors.allowed_origins
    allowed_headers = ["content-type", "if-none-match"]
    expose_headers  = ["ETag"]
    max_age_seconds = var.upload_cors.max_age_seconds
  }]
}
