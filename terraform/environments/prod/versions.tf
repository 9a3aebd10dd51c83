terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # Partial configuration: bucket, key, region and locking come from backend.hcl
  # (`terraform init -backend-config=backend.hcl`; see backend.hcl.example).
  backend "s3" {}
}
