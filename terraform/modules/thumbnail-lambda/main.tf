# The thumbnail function: built zip in, a least-privilege role, its own log group, and an
# encrypted dead-letter queue for events that still fail after Lambda's retries.

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
}

resource "aws_cloudwatch_log_group" "lambda" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.function_name}-failures"
  message_retention_seconds = var.dead_letter_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lambda" {
  name               = "${var.function_name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
  tags               = var.tags
}

# Exactly what the handler does, nothing more: read originals, write thumbnails, log, dead-letter;
# for the S3-triggered entry, delete the thumbnails of a deleted original; for the on-demand entry
# only, look up existing thumbnails.
data "aws_iam_policy_document" "lambda" {
  statement {
    sid       = "ReadOriginals"
    actions   = ["s3:GetObject"]
    resources = ["arn:${local.partition}:s3:::${var.source_bucket}/*"]
  }

  statement {
    sid       = "WriteThumbnails"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::${var.resized_bucket}/*"]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda.arn}:*"]
  }

  statement {
    sid       = "DeadLetter"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letter.arn]
  }

  # The S3-triggered entry invalidates a deleted original's CDN paths, on its own distribution only.
  dynamic "statement" {
    for_each = var.cdn_distribution != null && var.allow_thumbnail_delete ? ["invalidate"] : []
    content {
      sid       = "InvalidateDeletedOriginals"
      actions   = ["cloudfront:CreateInvalidation"]
      resources = [var.cdn_distribution.arn]
    }
  }

  dynamic "statement" {
    for_each = var.allow_thumbnail_delete ? ["delete"] : []
    content {
      sid       = "DeleteThumbnails"
      actions   = ["s3:DeleteObject"]
      resources = ["arn:${local.partition}:s3:::${var.resized_bucket}/*"]
    }
  }

  # Without s3:ListBucket S3 answers 403, not 404, for an original that is gone. The code retries every
  # 403 (a wrong role, a KMS key, a bucket policy), so both entries need 404s for missing originals: the
  # GET of a deleted upload, the delete path's HEAD, and /thumb of a key that never existed.
  statement {
    sid       = "CheckOriginalIsGone"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::${var.source_bucket}"]
  }

  # Thumbnails of any size (other /thumb presets, sizes since removed) are found by listing the resized
  # bucket under the original's thumbnail prefix. No s3:prefix condition: the prefix is each deleted key's.
  dynamic "statement" {
    for_each = var.allow_thumbnail_delete ? ["list"] : []
    content {
      sid       = "FindThumbnailsOfAnySize"
      actions   = ["s3:ListBucket"]
      resources = ["arn:${local.partition}:s3:::${var.resized_bucket}"]
    }
  }

  # SSE-KMS buckets: reading an original decrypts, writing a thumbnail needs a data key. Without these
  # every GET answers 403 and every PUT fails.
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "UseBucketKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.allow_thumbnail_lookup ? ["lookup"] : []
    content {
      sid       = "LookUpThumbnails"
      actions   = ["s3:GetObject", "s3:ListBucket"]
      resources = ["arn:${local.partition}:s3:::${var.resized_bucket}", "arn:${local.partition}:s3:::${var.resized_bucket}/*"]
    }
  }
}

resource "aws_iam_role_policy" "lambda" {
  name   = "thumbnails"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.lambda.json
}

resource "aws_lambda_function" "this" {
  function_name = var.function_name
  role          = aws_iam_role.lambda.arn
  handler       = var.handler
  runtime       = var.runtime
  architectures = [var.architecture]
  memory_size   = var.memory_size
  timeout       = var.timeout

  # The zip is reproducible, so its hash changes only when code or wheels change.
  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)

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
      condition     = var.resized_bucket != var.source_bucket
      error_message = "resized_bucket must differ from source_bucket, or every thumbnail would trigger the function again."
    }
  }

  # The role must be able to log before the first invocation.
  depends_on = [aws_iam_role_policy.lambda, aws_cloudwatch_log_group.lambda]
}

# Asynchronous (S3-triggered) invocations: bounded retries, then the event goes to the queue.
resource "aws_lambda_function_event_invoke_config" "async" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.async_invoke.maximum_retry_attempts
  maximum_event_age_in_seconds = var.async_invoke.maximum_event_age_in_seconds

  destination_config {
    on_failure {
      destination = aws_sqs_queue.dead_letter.arn
    }
  }
}

# Terminate is Lambda's default; stating it keeps a console change from silently allowing loops.
resource "aws_lambda_function_recursion_config" "loop_detection" {
  function_name  = aws_lambda_function.this.function_name
  recursive_loop = "Terminate"
}
