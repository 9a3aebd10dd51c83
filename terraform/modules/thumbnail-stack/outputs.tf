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
  description = "Where thumbnails go and how both functions make them (THN_BUCKET, THUMBNAIL_SIZES, THUMBNAIL_MODE, JPEG_QUALITY, CACHE_CONTROL): the router must use the same."
  value = {
    dest_bucket   = module.buckets.resized_bucket
    sizes         = var.thumbnail_settings.sizes
    mode          = var.thumbnail_settings.mode
    jpeg_quality  = var.thumbnail_settings.jpeg_quality
    cache_control = var.thumbnail_settings.cache_control
  }
}

output "cdn" {
  description = "The CDN's domain (THUMBROUTER_CDN_DOMAIN), signing key id (THUMBROUTER_CDN_KEY_ID) and distribution id, null unless cdn.enabled."
  value = var.cdn.enabled ? {
    domain_name     = module.cdn[0].domain_name
    signing_key_id  = module.cdn[0].signing_key_id
    distribution_id = module.cdn[0].distribution_id
  } : null
}
