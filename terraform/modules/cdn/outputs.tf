output "domain_name" {
  description = "The distribution's domain (d123.cloudfront.net): THUMBROUTER_CDN_DOMAIN."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "distribution_id" {
  description = "The distribution's id (invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "The distribution's ARN (the only CloudFront caller the bucket policies let in)."
  value       = aws_cloudfront_distribution.this.arn
}

output "signing_key_id" {
  description = "Id of the newest public key (the last of signing_public_keys): THUMBROUTER_CDN_KEY_ID, the Key-Pair-Id of signed URLs."
  value       = aws_cloudfront_public_key.this[local.newest_key].id
}

output "origin_read_policies" {
  description = "Per bucket role (resized, source): the policy JSON that lets this distribution read it; image-buckets merges it into the bucket policy."
  value       = { for role, document in data.aws_iam_policy_document.origin_read : role => document.json }
}
