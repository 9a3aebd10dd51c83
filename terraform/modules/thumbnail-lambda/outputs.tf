output "function_name" {
  description = "Name of the thumbnail function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the thumbnail function (S3 notifications and synchronous on-demand callers invoke it)."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.lambda.arn
}

output "log_group_name" {
  description = "CloudWatch log group the function writes to."
  value       = aws_cloudwatch_log_group.lambda.name
}

output "dead_letter_queue_url" {
  description = "URL of the SQS queue that receives events which failed all retries."
  value       = aws_sqs_queue.dead_letter.url
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.arn
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue (its CloudWatch metrics' QueueName)."
  value       = aws_sqs_queue.dead_letter.name
}

output "timeout" {
  description = "Seconds one invocation may run (the duration alarm's reference)."
  value       = aws_lambda_function.this.timeout
}
