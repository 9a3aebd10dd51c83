# What an operator's identity needs to run `thumbrouter backfill` over these buckets: list and read the
# originals, HEAD (so a missing thumbnail is a 404) and write the thumbnails. Nothing deletes. Attach
# the `backfill_policy_json` output to the operator's role; the stack's functions have their own roles.

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
}

data "aws_iam_policy_document" "backfill" {
  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::${var.source_bucket}", "arn:${local.partition}:s3:::${local.resized_bucket}"]
  }

  statement {
    sid       = "ReadOriginalsAndThumbnails"
    actions   = ["s3:GetObject"]
    resources = ["arn:${local.partition}:s3:::${var.source_bucket}/*", "arn:${local.partition}:s3:::${local.resized_bucket}/*"]
  }

  statement {
    sid       = "WriteThumbnails"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::${local.resized_bucket}/*"]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "UseBucketKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}
