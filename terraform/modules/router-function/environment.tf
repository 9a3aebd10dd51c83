# Every environment variable the router function gets, in one expression a test evaluates with real
# Terraform and feeds to the router's load_settings. A null is left out, so the router's own default
# applies: Terraform sets only what it knows (names of what it created, the thumbnail spec).

locals {
  # Single-flight needs a shared store only where /thumb generates (on the on-demand function).
  on_demand = var.on_demand_function_name != null
  dynamodb  = local.on_demand && var.single_flight == "dynamodb"

  environment_all = {
    THUMBROUTER_S3_BUCKET = var.source_bucket
    # The spec both thumbnail functions use (thumbnail-stack's thumbnail_spec output): the same keys and pictures.
    THUMBROUTER_THN_BUCKET      = var.thumbnail_spec.dest_bucket
    THUMBROUTER_THUMBNAIL_SIZES = var.thumbnail_spec.sizes == null ? null : join(",", var.thumbnail_spec.sizes)
    THUMBROUTER_THUMBNAIL_FIT   = var.thumbnail_spec.mode
    THUMBROUTER_JPEG_QUALITY    = var.thumbnail_spec.jpeg_quality == null ? null : tostring(var.thumbnail_spec.jpeg_quality)
    THUMBROUTER_CACHE_CONTROL   = var.thumbnail_spec.cache_control
    THUMBROUTER_PRESETS         = var.thumbnail_spec.presets
    # The module configures no Qiniu, so nobody is routed there unless the caller lists countries.
    THUMBROUTER_DOMESTIC_COUNTRIES = join(",", var.domestic_countries)
    # The zip carries no image stack: /thumb generates on the on-demand function, or is off.
    THUMBROUTER_ONDEMAND           = local.on_demand ? null : "0"
    THUMBROUTER_GENERATION_BACKEND = local.on_demand ? "lambda" : null
    THUMBROUTER_GENERATION_LAMBDA  = var.on_demand_function_name
    THUMBROUTER_DYNAMODB_TABLE     = local.dynamodb ? local.table_name : null
    # Secrets by SSM parameter name, read by the router at start-up: the values never pass through Terraform.
    THUMBROUTER_API_TOKENS_PARAMETER       = var.secret_parameters.api_tokens
    THUMBROUTER_URL_SIGNING_KEYS_PARAMETER = var.secret_parameters.url_signing_keys
    THUMBROUTER_QINIU_SECRET_KEY_PARAMETER = var.secret_parameters.qiniu_secret_key
  }

  secret_parameter_names = [for name in values(var.secret_parameters) : name if name != null]

  environment = merge(
    { for name, value in local.environment_all : name => value if value != null },
    var.extra_environment,
  )
}
