# Names derived from variables alone (a test evaluates them with real Terraform).

locals {
  table_name = "${var.function_name}-single-flight"
  # The policy attaches by role name; an ARN may carry a path (role/service/name).
  role_name = regex("[^/]+$", var.role_arn)
}
