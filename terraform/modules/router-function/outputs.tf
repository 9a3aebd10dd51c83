output "function_name" {
  description = "Name of the router function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the router function."
  value       = aws_lambda_function.this.arn
}

output "function_url" {
  description = "HTTPS endpoint of the router (the Function URL), ending with a slash."
  value       = aws_lambda_function_url.this.function_url
}

output "function_url_host" {
  description = "Host name of the Function URL (for the Route 53 health check)."
  value       = regex("^https://([^/]+)/", aws_lambda_function_url.this.function_url)[0]
}

output "log_group_name" {
  description = "CloudWatch log group of the router (its Embedded Metric Format lines land here)."
  value       = aws_cloudwatch_log_group.lambda.name
}

output "single_flight_table" {
  description = "Name of the DynamoDB single-flight table, null when single-flight is per instance."
  value       = one(aws_dynamodb_table.single_flight[*].name)
}

output "environment" {
  description = "The environment variables the function gets (no secrets: those stay in a parameter store)."
  value       = local.environment
}
