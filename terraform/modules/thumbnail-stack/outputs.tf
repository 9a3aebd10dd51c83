output "source_bucket" {
  description = "Source (originals) bucket."
  value       = module.buckets.source_bucket
}

output "resized_bucket" {
  description = "Thumbnail bucket, always \"<source_bucket>resized\"."
  value       = module.buckets.resized_bucket
}

output "function_name" {
  description = "Name of the S3-triggered thumbnail function."
  value       = module.thumbnailer.function_name

  precondition {
    # A zip built for another Python or CPU would deploy fine and then fail to import Pillow.
    condition     = endswith(var.lambda_zip_path, "-${var.lambda_python}-${var.lambda_architecture}.zip")
    error_message = "lambda_zip_path was not built for lambda_python/lambda_architecture; rebuild with `thumbrouter build-lambda`."
  }
}

output "function_arn" {
  description = "ARN of the S3-triggered thumbnail function."
  value       = module.thumbnailer.function_arn
}

output "dead_letter_queue_url" {
  description = "SQS queue holding S3 events that failed every retry."
  value       = module.thumbnailer.dead_letter_queue_url
}

output "on_demand_function_name" {
  description = "Name of the on-demand function, null unless on_demand_enabled."
  value       = one(module.on_demand[*].function_name)
}

output "on_demand_function_arn" {
  description = "ARN of the on-demand function (the router's credentials need lambda:InvokeFunction on it), null unless on_demand_enabled."
  value       = one(module.on_demand[*].function_arn)
}

output "thumbnail_spec" {
  description = "Where thumbnails go and how both functions make them (THUMBNAILER_THN_BUCKET, _THUMBNAIL_SIZES, _THUMBNAIL_FIT, _JPEG_QUALITY, _CACHE_CONTROL): the router must use the same. A null field is the code's default."
  value       = merge({ dest_bucket = module.buckets.resized_bucket }, local.thumbnail_spec)
}

output "backfill_policy_json" {
  description = "IAM policy for the operator who runs `thumbrouter backfill` (image-buckets' backfill_policy_json)."
  value       = module.buckets.backfill_policy_json
}

output "kms_key_arn" {
  description = "The buckets' SSE-KMS key (null: SSE-S3); router-access takes it so the router can use the key too."
  value       = var.kms_key_arn
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm of the stack notifies (router alarms and the health check too)."
  value       = module.alarm_topic.topic_arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard of the pipeline."
  value       = module.dashboard.dashboard_name
}

output "cdn" {
  description = "The CDN's domain (THUMBROUTER_CDN_DOMAIN), signing key id (THUMBROUTER_CDN_KEY_ID) and distribution id, null unless cdn.enabled."
  value = var.cdn.enabled ? {
    domain_name     = module.cdn[0].domain_name
    signing_key_id  = module.cdn[0].signing_key_id
    distribution_id = module.cdn[0].distribution_id
  } : null
}
