# Names are a contract with `thumbrouter deploy ENV output` (it maps them to THUMBROUTER_* variables).

output "source_bucket" {
  description = "Source bucket (THUMBROUTER_S3_BUCKET)."
  value       = module.thumbnails.source_bucket
}

output "resized_bucket" {
  description = "Thumbnail bucket, \"<source_bucket>resized\"."
  value       = module.thumbnails.resized_bucket
}

output "region" {
  description = "AWS region (THUMBROUTER_S3_REGION)."
  value       = local.region
}

output "function_name" {
  description = "S3-triggered thumbnail function (the plan fails when the zip does not match lambda_python/architecture)."
  value       = module.thumbnails.function_name
}

output "function_arn" {
  description = "Thumbnail function ARN."
  value       = module.thumbnails.function_arn
}

output "dead_letter_queue_url" {
  description = "SQS queue holding S3 events that failed every retry."
  value       = module.thumbnails.dead_letter_queue_url
}

output "on_demand_function_name" {
  description = "On-demand function name (THUMBROUTER_GENERATION_LAMBDA), null unless on_demand_enabled."
  value       = module.thumbnails.on_demand_function_name
}

output "thumbnail_spec" {
  description = "The functions' ThumbnailSpec (THUMBROUTER_THN_BUCKET, _THUMBNAIL_SIZES, _THUMBNAIL_FIT, _JPEG_QUALITY, _CACHE_CONTROL)."
  value       = module.thumbnails.thumbnail_spec
}

output "router_policy_arn" {
  description = "The router's least-privilege policy (router-access); attach it to the identity that runs the router."
  value       = module.router_access.policy_arn
}

output "router_role_arn" {
  description = "The router's role (the router function runs as it)."
  value       = module.router_access.role_arn
}

output "cdn" {
  description = "CloudFront domain (THUMBROUTER_CDN_DOMAIN), signing key id (THUMBROUTER_CDN_KEY_ID) and distribution id; null without a CDN."
  value       = module.thumbnails.cdn
}

output "router_url" {
  description = "The router's HTTPS endpoint (its Function URL, ending with a slash): `thumbrouter deploy ENV check` calls it."
  value       = module.router.function_url
}

output "router_function_name" {
  description = "The router function (its log group /aws/lambda/<name> holds its log and Embedded Metric Format lines)."
  value       = module.router.function_name
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (pipeline, router, health check): subscribe the on-call address."
  value       = module.thumbnails.alarm_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the pipeline and the router."
  value       = module.thumbnails.dashboard_name
}
