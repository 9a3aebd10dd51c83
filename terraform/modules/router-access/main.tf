# The router's identity: exactly what its S3 backend, /thumb and /readyz do, nothing more. Nothing in
# it deletes: originals are user data and thumbnails are removed only by the S3-triggered function.

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
  source    = "arn:${local.partition}:s3:::${var.source_bucket}"
  resized   = "arn:${local.partition}:s3:::${var.resized_bucket}"
}

data "aws_iam_policy_document" "this" {
  # A presigned URL acts with the signer's permissions: download links for originals and thumbnails,
  # and /thumb's HEAD (and, with local generation, its read of the original).
  statement {
    sid       = "PresignDownloads"
    actions   = ["s3:GetObject"]
    resources = ["${local.source}/*", "${local.resized}/*"]
  }

  # /readyz HEADs both buckets (HeadBucket is s3:ListBucket), and with it a HEAD of a missing
  # thumbnail answers 404, not 403, so /thumb can tell "generate it" from "forbidden".
  statement {
    sid       = "ProbeBuckets"
    actions   = ["s3:ListBucket"]
    resources = [local.source, local.resized]
  }

  # Upload targets: a presigned PUT of a new original (If-None-Match: * keeps it from overwriting).
  statement {
    sid       = "PresignUploads"
    actions   = ["s3:PutObject"]
    resources = ["${local.source}/*"]
  }

  # THUMBROUTER_GENERATION_BACKEND=local: /thumb writes the thumbnail itself.
  dynamic "statement" {
    for_each = var.allow_local_generation ? ["local"] : []
    content {
      sid       = "WriteThumbnails"
      actions   = ["s3:PutObject"]
      resources = ["${local.resized}/*"]
    }
  }

  # THUMBROUTER_GENERATION_BACKEND=lambda: /thumb invokes the on-demand function, and only it.
  dynamic "statement" {
    for_each = var.on_demand_function_arn == null ? [] : [var.on_demand_function_arn]
    content {
      sid       = "InvokeOnDemand"
      actions   = ["lambda:InvokeFunction"]
      resources = [statement.value]
    }
  }

  # With SSE-KMS buckets, downloads decrypt and uploads (and locally generated thumbnails) need a data key.
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "UseBucketKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_policy" "this" {
  name        = "${var.name}-router"
  description = "thumbrouter router: presign downloads and uploads for ${var.source_bucket}, read thumbnails in ${var.resized_bucket}."
  policy      = data.aws_iam_policy_document.this.json
  tags        = var.tags
}

data "aws_iam_policy_document" "assume" {
  count = var.trusted_principal == null ? 0 : 1

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = var.trusted_principal.type
      identifiers = var.trusted_principal.identifiers
    }
  }
}

# Optional: a role for the router to run as (ECS task, Lambda, EC2 instance profile, another account).
resource "aws_iam_role" "router" {
  count = var.trusted_principal == null ? 0 : 1

  name               = "${var.name}-router"
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "router" {
  count = var.trusted_principal == null ? 0 : 1

  role       = aws_iam_role.router[0].name
  policy_arn = aws_iam_policy.this.arn
}
