environment   = "test"
region        = "us-east-1" # where the seed's buckets live: `aws s3api get-bucket-location`
source_bucket = "test-demo"
function_name = "test-CreateThumbnail"

# test-demo already exists (created by hand for the seed); Terraform adopts it and never deletes it.
create_source_bucket = false

reserved_concurrency = 5
log_retention_days   = 14

# Thumbnails of the test environment are cheap to regenerate: expire them after 30 days.
resized_lifecycle = {
  expiration_days = 30
}
