output "policy_arn" {
  description = "ARN of the router's least-privilege policy; attach it to whatever identity runs the router."
  value       = aws_iam_policy.this.arn
}

output "policy_json" {
  description = "The policy document itself (for review, or a permission boundary)."
  value       = data.aws_iam_policy_document.this.json
}

output "role_arn" {
  description = "ARN of the router's role (router-function and ECS task definitions take it), null without trusted_principal."
  value       = one(aws_iam_role.router[*].arn)
}

output "role_name" {
  description = "Name of the router's role, null without trusted_principal."
  value       = one(aws_iam_role.router[*].name)
}
