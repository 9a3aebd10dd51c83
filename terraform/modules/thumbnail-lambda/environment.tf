# The function's environment, read once per cold start by thumbrouter/s3job/settings.py (its names:
# ThumbnailSpec.VARIABLES and LambdaSettings.VARIABLES under the job's THUMBNAILER_ prefix). A setting left
# null is left out, so the code's default applies: each default has one owner, the code. This file
# needs nothing but variables.tf, so the tests evaluate it with real Terraform and feed the result to
# the function's own settings parser.
locals {
  settings_environment = {
    THUMBNAILER_THUMBNAIL_SIZES = var.settings.sizes == null ? null : join(",", var.settings.sizes)
    THUMBNAILER_THUMBNAIL_FIT   = var.settings.mode
    THUMBNAILER_MAX_PIXELS      = var.settings.max_pixels == null ? null : tostring(var.settings.max_pixels)
    THUMBNAILER_MAX_BYTES       = var.settings.max_bytes == null ? null : tostring(var.settings.max_bytes)
    THUMBNAILER_JPEG_QUALITY    = var.settings.jpeg_quality == null ? null : tostring(var.settings.jpeg_quality)
    THUMBNAILER_CACHE_CONTROL   = var.settings.cache_control
    THUMBNAILER_PRESETS         = var.settings.presets
    # deleted originals' CDN paths are invalidated there
    THUMBNAILER_CDN_DISTRIBUTION_ID = var.cdn_distribution == null ? null : var.cdn_distribution.id
  }

  environment = merge(
    { THUMBNAILER_THN_BUCKET = var.resized_bucket },
    { for name, value in local.settings_environment : name => value if value != null },
  )
}
