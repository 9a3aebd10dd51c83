# The viewer-request function's code as Terraform renders it (no resources here, so a test renders it
# with real Terraform and runs the result under Node).

locals {
  viewer_request_code = templatefile("${path.module}/functions/viewer_request.js", {
    variants = var.router_origin != null
  })
}
