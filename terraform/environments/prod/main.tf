# The prod environment: the thumbnail stack for demo. Every value that sets prod apart is here.

locals {
  region = "us-east-1" # where the seed's buckets live: `aws s3api get-bucket-location`

  # The CDN key group's public keys: the files in cdn-keys/, oldest first by name (the router signs with
  # the last); their private keys live in the secret store (terraform/modules/cdn/README.md).
  cdn_signing_keys = [for key_file in sort(fileset(path.module, "cdn-keys/*.pub.pem")) : {
    name = trimsuffix(basename(key_file), ".pub.pem")
    pem  = file("${path.module}/${key_file}")
  }]
}

provider "aws" {
  region = local.region

  default_tags {
    tags = {
      Environment = "prod"
      Project     = "thumbrouter"
      ManagedBy   = "terraform"
    }
  }
}

module "thumbnails" {
  source = "../../modules/thumbnail-stack"

  source_bucket = "demo" # thumbnails go to demoresized
  function_name = "CreateThumbnail"
  # demo already exists and holds users' originals; Terraform adopts it and never deletes it.
  create_source_bucket = false

  lambda_zip_path     = var.lambda_zip_path
  lambda_python       = var.lambda_python
  lambda_architecture = var.lambda_architecture

  reserved_concurrency = 50
  log_retention_days   = 90

  # CloudFront in front of both buckets; the plan fails until an operator has added the first key.
  # No router origin yet: thumbnails come from the bucket as the Lambda wrote them (no edge variants).
  cdn = {
    enabled             = true
    signing_public_keys = local.cdn_signing_keys
  }
}

# The router's identity: attach router_policy_arn to whatever runs the router (set trusted_principal
# here once that is known, and router_role_arn names the role to run as).
module "router_access" {
  source = "../../modules/router-access"

  name                   = module.thumbnails.function_name
  source_bucket          = module.thumbnails.source_bucket
  resized_bucket         = module.thumbnails.resized_bucket
  on_demand_function_arn = module.thumbnails.on_demand_function_arn
  kms_key_arn            = module.thumbnails.kms_key_arn
}
