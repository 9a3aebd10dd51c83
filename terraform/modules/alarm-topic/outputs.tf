output "topic_arn" {
  description = "ARN of the SNS topic every alarm notifies."
  value       = aws_sns_topic.this.arn
}

output "key_arn" {
  description = "ARN of the KMS key encrypting the topic."
  value       = aws_kms_key.this.arn
}
