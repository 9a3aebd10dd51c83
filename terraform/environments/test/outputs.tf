# Names are a contract with `thumbrouter deploy ENV output` (it maps them to THUMBROUTER_* variables).

output "source_bucket" {
  description = "Source bucket (THUMBROUTER_S3_BUCKET)."
  value       = module.buckets.source_bucket
}

output "resized_bucket" {
  description = "Thumbnail bucket, \"<source_bucket>resized\"."
  value       = module.buckets.resized_bucket
}

output "region" {
  description = "AWS region (THUMBROUTER_S3_REGION)."
  value       = var.region
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
  description = "Thumbnail function ARN."
  value       = module.thumbnailer.function_arn
}

output "dead_letter_queue_url" {
  description = "SQS queue holding S3 events that failed every retry."
  value       = module.thumbnailer.dead_letter_queue_url
}

output "on_demand_function_name" {
  description = "On-demand function name (THUMBROUTER_GENERATION_LAMBDA), null unless on_demand_enabled."
  value       = one(module.on_demand[*].function_name)
}
