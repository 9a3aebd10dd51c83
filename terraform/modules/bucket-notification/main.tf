# S3 -> Lambda wiring: the permission comes first, because S3 checks it when the notification is saved.

data "aws_caller_identity" "current" {}

resource "aws_lambda_permission" "allow_s3" {
  # Statement ids allow letters, digits, - and _ only; bucket names may contain dots.
  statement_id  = "AllowS3Invoke-${replace(var.bucket, ".", "_")}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_arn
  principal     = "s3.amazonaws.com"
  source_arn    = var.bucket_arn
  # Bucket ARNs carry no account id; this stops a same-named bucket elsewhere from invoking us.
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_s3_bucket_notification" "this" {
  bucket = var.bucket

  dynamic "lambda_function" {
    for_each = var.suffixes
    content {
      id                  = "thumbnail${lambda_function.value}"
      lambda_function_arn = var.function_arn
      events              = var.events
      filter_suffix       = lambda_function.value
    }
  }

  depends_on = [aws_lambda_permission.allow_s3]
}
