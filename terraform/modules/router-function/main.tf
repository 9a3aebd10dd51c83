# The router as a Lambda function behind a Function URL: the built zip in, the caller's role (the
# router-access module's) given exactly its log group and single-flight table, reserved concurrency
# as the spike bound, and the DynamoDB table single-flight shares when /thumb generates.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  parameter_arns = [for name in local.secret_parameter_names :
    "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:parameter/${trimprefix(name, "/")}"
  ]
}

resource "aws_cloudwatch_log_group" "lambda" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# Items: `lock#<name>` (holder token, lease end) and `done#<name>` (outcome); see
# thumbrouter/router/ondemand/dynamolocks.py. Entries live seconds, so backups would hold nothing.
resource "aws_dynamodb_table" "single_flight" {
  #checkov:skip=CKV_AWS_28:Leases and outcomes live seconds and are rebuilt by the next request; a point-in-time backup restores nothing useful.
  #checkov:skip=CKV_AWS_119:Encrypted at rest with the AWS-managed key; the items are thumbnail names and statuses, no data a customer key would protect.
  count = local.dynamodb ? 1 : 0

  name                        = local.table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "name"
  deletion_protection_enabled = false

  attribute {
    name = "name"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = false
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

# What the function itself needs beyond the router-access policy: its own logs, the secret parameters
# it is given by name and, when single-flight runs on DynamoDB, the item calls dynamolocks makes on
# that one table. (SecureStrings under the default aws/ssm key need no kms grant.)
data "aws_iam_policy_document" "function" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda.arn}:*"]
  }

  dynamic "statement" {
    for_each = length(local.parameter_arns) > 0 ? ["secrets"] : []
    content {
      sid       = "ReadSecretParameters"
      actions   = ["ssm:GetParameter"] # router.secrets reads each one with GetParameter
      resources = local.parameter_arns
    }
  }

  dynamic "statement" {
    for_each = local.dynamodb ? ["single-flight"] : []
    content {
      sid       = "SingleFlightTable"
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      resources = [aws_dynamodb_table.single_flight[0].arn]
    }
  }
}

resource "aws_iam_role_policy" "function" {
  name   = "router-function"
  role   = local.role_name
  policy = data.aws_iam_policy_document.function.json
}

resource "aws_lambda_function" "this" {
  function_name = var.function_name
  role          = var.role_arn
  handler       = var.handler
  runtime       = var.runtime
  architectures = [var.architecture]
  memory_size   = var.memory_size
  timeout       = var.timeout

  # The zip is reproducible, so its hash changes only when code or wheels change.
  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)

  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = local.environment
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.lambda.name
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(setintersection(keys(var.extra_environment), keys(local.environment_all))) == 0
      error_message = "extra_environment must not set a variable this module owns (the buckets, spec, generation and single-flight settings)."
    }
  }

  # The role must be able to log before the first invocation.
  depends_on = [aws_iam_role_policy.function, aws_cloudwatch_log_group.lambda]
}

# With NONE the AWS provider (6.x) adds the two public statements Lambda requires for a Function URL
# (lambda:InvokeFunctionUrl, and lambda:InvokeFunction only when invoked via the URL).
resource "aws_lambda_function_url" "this" {
  function_name      = aws_lambda_function.this.function_name
  authorization_type = var.function_url_auth
  invoke_mode        = "BUFFERED"
}
