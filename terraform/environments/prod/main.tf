# The prod environment: the thumbnail stack for demo. Every value that sets prod apart is here.

locals {
  region = "us-east-1" # where the seed's buckets live: `aws s3api get-bucket-location`
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
}
