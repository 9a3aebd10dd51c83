# With a CDN, the objects of both buckets are the stack's alone: a Deny for every principal except the
# listed IAM roles and users (the stack's functions, the router, named operators) and CloudFront acting
# for the one distribution. IAM policies still decide what each of those may do; this only shuts out
# everyone else of the account (an admin role included), which an identity policy cannot.
#
# Negated operators match when the key is absent: CloudFront's service-principal request carries no
# aws:PrincipalArn (so ArnNotLike is true for it) and only its aws:SourceArn (StringNotEquals is false
# for this distribution); an IAM caller carries no aws:SourceArn. Both must hold for the Deny to apply.
# Provider-free (local.partition comes from operator.tf), so the tests render it with real Terraform.
locals {
  bucket_names = {
    source  = var.source_bucket
    resized = local.resized_bucket
  }

  object_access_policies = var.object_access == null ? {} : {
    for role, name in local.bucket_names : role => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Sid       = "DenyObjectAccessOutsideTheStack"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = "arn:${local.partition}:s3:::${name}/*"
        Condition = {
          ArnNotLike      = { "aws:PrincipalArn" = var.object_access.principal_arns }
          StringNotEquals = { "aws:SourceArn" = var.object_access.distribution_arn }
        }
      }]
    })
  }
}
