output "source_bucket" {
  description = "Name of the source (originals) bucket."
  value       = local.source_id
}

output "source_bucket_arn" {
  description = "ARN of the source bucket."
  value       = local.source_arn
}

output "resized_bucket" {
  description = "Name of the thumbnail bucket, always \"<source_bucket>resized\"."
  value       = aws_s3_bucket.resized.id
}

output "resized_bucket_arn" {
  description = "ARN of the thumbnail bucket."
  value       = aws_s3_bucket.resized.arn
}

output "backfill_policy_json" {
  description = "IAM policy for the operator who runs `thumbrouter backfill` on these buckets (list, read, write thumbnails; no delete)."
  value       = data.aws_iam_policy_document.backfill.json
}

output "buckets" {
  description = "Name and regional domain name per bucket role (source, resized): the cdn module's origins."
  value = {
    source = {
      name                 = local.source_id
      regional_domain_name = var.create_source_bucket ? aws_s3_bucket.source[0].bucket_regional_domain_name : data.aws_s3_bucket.source[0].bucket_regional_domain_name
    }
    resized = {
      name                 = aws_s3_bucket.resized.id
      regional_domain_name = aws_s3_bucket.resized.bucket_regional_domain_name
    }
  }
}
