environment   = "prod"
region        = "us-east-1" # where the seed's buckets live: `aws s3api get-bucket-location`
source_bucket = "demo"
function_name = "CreateThumbnail"

# demo already exists and holds users' originals; Terraform adopts it and never deletes it.
create_source_bucket = false

reserved_concurrency = 50
log_retention_days   = 90
