# The whole thumbnail pipeline for one source bucket: buckets, the S3-triggered function (plus the
# optional on-demand one) and the notification that connects them. Roots choose the values.

locals {
  # The artifact's Python and CPU decide the runtime; a mismatch fails to import Pillow at run time.
  runtime = "python${var.lambda_python}"
}

module "buckets" {
  source = "../image-buckets"

  source_bucket        = var.source_bucket
  create_source_bucket = var.create_source_bucket
  resized_lifecycle    = var.resized_lifecycle
  kms_key_arn          = var.kms_key_arn
  upload_cors          = var.upload_cors
  cdn_read_policies    = var.cdn.enabled ? module.cdn[0].origin_read_policies : {}
  object_access        = local.object_access
}

# With the CDN, only these touch the buckets' objects. The roles need the bucket names only, never the
# bucket policy, so listing them here makes no cycle.
locals {
  object_access = !var.cdn.enabled ? null : {
    distribution_arn = module.cdn[0].distribution_arn
    principal_arns   = concat([module.thumbnailer.role_arn], module.on_demand[*].role_arn, var.router_role_arns, var.operator_arns)
  }
}

# Optional: CloudFront in front of both buckets (signed URLs, format variants at the edge).
module "cdn" {
  source = "../cdn"
  count  = var.cdn.enabled ? 1 : 0

  name                = var.function_name
  resized_bucket      = module.buckets.buckets.resized
  source_bucket       = module.buckets.buckets.source
  signing_public_keys = var.cdn.signing_public_keys
  router_origin       = var.cdn.router_origin
  price_class         = var.cdn.price_class
  logging             = var.cdn.logging
}

module "thumbnailer" {
  source = "../thumbnail-lambda"

  function_name        = var.function_name
  zip_path             = var.lambda_zip_path
  runtime              = local.runtime
  architecture         = var.lambda_architecture
  reserved_concurrency = var.reserved_concurrency
  source_bucket        = module.buckets.source_bucket
  resized_bucket       = module.buckets.resized_bucket
  settings             = var.thumbnail_settings
  log_retention_days   = var.log_retention_days
  kms_key_arn          = var.kms_key_arn
  cdn_distribution     = var.cdn.enabled ? { id = module.cdn[0].distribution_id, arn = module.cdn[0].distribution_arn } : null
}

# Optional: the same artifact behind the router's synchronous on-demand path. It gets
# a least-privilege role of its own (plus thumbnail lookup) and no S3 trigger.
module "on_demand" {
  source = "../thumbnail-lambda"
  count  = var.on_demand_enabled ? 1 : 0

  function_name        = "${var.function_name}-OnDemand"
  handler              = "on_demand.handler"
  zip_path             = var.lambda_zip_path
  runtime              = local.runtime
  architecture         = var.lambda_architecture
  reserved_concurrency = var.on_demand_reserved_concurrency
  source_bucket        = module.buckets.source_bucket
  resized_bucket       = module.buckets.resized_bucket
  settings             = var.thumbnail_settings
  log_retention_days   = var.log_retention_days
  kms_key_arn          = var.kms_key_arn

  # It HEADs the thumbnail first, and must tell "missing" (404) from "forbidden" (403).
  allow_thumbnail_lookup = true
  # It has no S3 trigger, so no ObjectRemoved or LifecycleExpiration events: it never deletes thumbnails.
  allow_thumbnail_delete = false
}

module "notification" {
  source = "../bucket-notification"

  bucket       = module.buckets.source_bucket
  bucket_arn   = module.buckets.source_bucket_arn
  function_arn = module.thumbnailer.function_arn
}

# Watching the pipeline: one alarm topic, the pipeline's alarms and a dashboard (with the router's
# widgets and alarms when the caller runs the router on Lambda and passes router_monitoring).
module "alarm_topic" {
  source = "../alarm-topic"

  name  = "${var.function_name}-alarms"
  email = var.alarm_email
}

module "pipeline_alarms" {
  source = "../pipeline-alarms"

  name_prefix     = var.function_name
  alarm_topic_arn = module.alarm_topic.topic_arn
  thumbnail_function = {
    name            = module.thumbnailer.function_name
    timeout_seconds = module.thumbnailer.timeout
    log_group_name  = module.thumbnailer.log_group_name
  }
  dead_letter_queue_name  = module.thumbnailer.dead_letter_queue_name
  on_demand_function_name = one(module.on_demand[*].function_name)
}

module "dashboard" {
  source = "../dashboard"

  name                      = var.function_name
  thumbnail_function_name   = module.thumbnailer.function_name
  dead_letter_queue_name    = module.thumbnailer.dead_letter_queue_name
  thumbnails_created_metric = module.pipeline_alarms.thumbnails_created_metric
  on_demand_function_name   = one(module.on_demand[*].function_name)
  router_function_name      = try(var.router_monitoring.function_name, null)
  health_check_id           = try(var.router_monitoring.health_check_id, null)
  alarm_arns                = concat(values(module.pipeline_alarms.alarm_arns), try(var.router_monitoring.alarm_arns, []))
}
