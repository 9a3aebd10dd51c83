# The test environment: the thumbnail stack for test-demo. Every value that sets test apart is here.

locals {
  region = "us-east-1" # where the seed's buckets live: `aws s3api get-bucket-location`
}

provider "aws" {
  region = local.region

  default_tags {
    tags = {
      Environment = "test"
      Project     = "thumbrouter"
      ManagedBy   = "terraform"
    }
  }
}

module "thumbnails" {
  source = "../../modules/thumbnail-stack"

  source_bucket = "test-demo" # thumbnails go to test-demoresized
  function_name = "test-CreateThumbnail"
  # test-demo already exists (created by hand for the seed); Terraform adopts it and never deletes it.
  create_source_bucket = false

  lambda_zip_path     = var.lambda_zip_path
  lambda_python       = var.lambda_python
  lambda_architecture = var.lambda_architecture

  reserved_concurrency = 5
  log_retention_days   = 14

  # If the CDN is turned on, the bucket policies deny objects to every identity but the distribution,
  # the stack's functions, these router roles and the operators named in operator_arns (none yet: add
  # the backfill operators' roles before running backfill here).
  router_role_arns = [module.router_access.role_arn]

  # The router's widgets and alarms join the pipeline's on the stack's dashboard.
  router_monitoring = {
    function_name   = module.router.function_name
    health_check_id = module.router_health.health_check_id
    alarm_arns      = concat(values(module.router_alarms.alarm_arns), [module.router_health.alarm_arn])
  }

  # Thumbnails of the test environment are cheap to regenerate: expire them after 30 days.
  resized_lifecycle = {
    expiration_days = 30
  }
}

# The router's identity: a role the router function runs as (router_policy_arn can also be attached
# to another identity that runs the router, such as a gunicorn host's).
module "router_access" {
  source = "../../modules/router-access"

  name                   = module.thumbnails.function_name
  source_bucket          = module.thumbnails.source_bucket
  resized_bucket         = module.thumbnails.resized_bucket
  on_demand_function_arn = module.thumbnails.on_demand_function_arn
  kms_key_arn            = module.thumbnails.kms_key_arn
  trusted_principal      = { type = "Service", identifiers = ["lambda.amazonaws.com"] }
}

# The router on Lambda. Its Function URL is public (NONE) on purpose: Route 53's health checkers and
# `thumbrouter deploy test check` call it unsigned. The router authenticates /v1 itself by API token
# (read at start-up from the SSM parameter below, which the operator creates; without a token the router
# refuses to start) and /thumb (off until the stack's on-demand function is on) by URL signature;
# /healthz and /readyz are public by design.
module "router" {
  source = "../../modules/router-function"

  function_name = "test-ThumbRouter"
  package_path  = var.router_zip_path
  runtime       = "python${var.lambda_python}" # the router zip is built for the same Python
  architecture  = var.router_architecture
  role_arn      = module.router_access.role_arn

  source_bucket           = module.thumbnails.source_bucket
  thumbnail_spec          = module.thumbnails.thumbnail_spec
  on_demand_function_name = module.thumbnails.on_demand_function_name

  function_url_auth = "NONE"
  secret_parameters = { api_tokens = "/thumbrouter/test/api-tokens" }

  reserved_concurrency = 10
  log_retention_days   = 14
}

module "router_alarms" {
  source = "../../modules/router-alarms"

  name_prefix          = module.thumbnails.function_name # <name>-router-errors, beside the pipeline's alarms
  alarm_topic_arn      = module.thumbnails.alarm_topic_arn
  router_function_name = module.router.function_name
}

# Route 53 calls https://<function-url-host>/healthz; the alarm notifies the stack's topic (us-east-1).
module "router_health" {
  source = "../../modules/health-check"

  name            = module.router.function_name
  host            = module.router.function_url_host
  alarm_topic_arn = module.thumbnails.alarm_topic_arn
}
