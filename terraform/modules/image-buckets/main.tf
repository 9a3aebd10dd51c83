# The source bucket holds users' originals; "<source>resized" holds the thumbnails the Lambda writes.
# Both get the same guard rails: no public access, no ACLs, default encryption, TLS-only access.

resource "aws_s3_bucket" "source" {
  count = var.create_source_bucket ? 1 : 0

  bucket = var.source_bucket
  tags   = var.tags

  lifecycle {
    # Originals are user data: a plan that would delete them must be changed by hand first.
    prevent_destroy = true
  }
}

# Adopting an existing bucket: the lookup fails at plan time when the bucket does not exist.
data "aws_s3_bucket" "source" {
  count = var.create_source_bucket ? 0 : 1

  bucket = var.source_bucket
}

resource "aws_s3_bucket" "resized" {
  bucket        = local.resized_bucket
  force_destroy = var.force_destroy_resized
  tags          = var.tags
}

locals {
  source_id  = var.create_source_bucket ? aws_s3_bucket.source[0].id : data.aws_s3_bucket.source[0].id
  source_arn = var.create_source_bucket ? aws_s3_bucket.source[0].arn : data.aws_s3_bucket.source[0].arn

  buckets = {
    source  = { id = local.source_id, arn = local.source_arn, versioning = var.versioning.source }
    resized = { id = aws_s3_bucket.resized.id, arn = aws_s3_bucket.resized.arn, versioning = var.versioning.resized }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = each.value.id

  rule {
    # Disables ACLs entirely; the bucket owner owns every object.
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets

  bucket = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_versioning" "this" {
  # Only buckets that want versioning get the resource, so "off" never fights an existing setting.
  for_each = { for role, bucket in local.buckets : role => bucket if bucket.versioning }

  bucket = each.value.id

  versioning_configuration {
    status = "Enabled"
  }
}

data "aws_iam_policy_document" "tls_only" {
  for_each = local.buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

# TLS-only, plus (with a CDN) the statement that lets exactly one distribution read through OAC and
# the Deny that keeps everyone but the stack's principals and that distribution out (access.tf).
data "aws_iam_policy_document" "bucket" {
  for_each = local.buckets

  source_policy_documents = compact([
    data.aws_iam_policy_document.tls_only[each.key].json,
    var.cdn_read_policies[each.key],
    lookup(local.object_access_policies, each.key, null),
  ])
}

resource "aws_s3_bucket_policy" "this" {
  for_each = local.buckets

  bucket = each.value.id
  policy = data.aws_iam_policy_document.bucket[each.key].json

  # S3 rejects a policy with a "*" principal until Block Public Access is in place.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "resized" {
  bucket = aws_s3_bucket.resized.id

  rule {
    id     = "thumbnails"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.resized_lifecycle.abort_incomplete_multipart_days
    }

    dynamic "expiration" {
      for_each = var.resized_lifecycle.expiration_days == null ? [] : [var.resized_lifecycle.expiration_days]
      content {
        days = expiration.value
      }
    }

    dynamic "noncurrent_version_expiration" {
      for_each = var.versioning.resized && var.resized_lifecycle.noncurrent_expiration_days != null ? [var.resized_lifecycle.noncurrent_expiration_days] : []
      content {
        noncurrent_days = noncurrent_version_expiration.value
      }
    }
  }
}

# The browser-upload rule from cors.tf; absent when no site is allowed.
resource "aws_s3_bucket_cors_configuration" "source" {
  count = length(local.upload_cors_rules) == 0 ? 0 : 1

  bucket = local.source_id

  dynamic "cors_rule" {
    for_each = local.upload_cors_rules
    content {
      id              = cors_rule.value.id
      allowed_methods = cors_rule.value.allowed_methods
      allowed_origins = cors_rule.value.allowed_origins
      allowed_headers = cors_rule.value.allowed_headers
      expose_headers  = cors_rule.value.expose_headers
      max_age_seconds = cors_rule.value.max_age_seconds
    }
  }
}
