output "notification_id" {
  description = "ID of the bucket notification configuration (the bucket name)."
  value       = aws_s3_bucket_notification.this.id
}

output "suffixes" {
  description = "Key suffixes that invoke the function."
  value       = var.suffixes
}
