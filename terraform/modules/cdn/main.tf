# One CloudFront distribution in front of the thumbnail bucket (default behaviour) and the originals
# (/originals/*), both private S3 origins reached through Origin Access Control. Every request must be
# signed with a key of the key group (the router signs; the private key never enters Terraform), HTTPS
# only, and the cache key is the path plus the one format token the viewer-request function computes.

locals {
  origins = {
    resized = var.resized_bucket
    source  = var.source_bucket
  }
  # The router signs with the newest key; the older one stays in the group until its URLs have expired.
  newest_key = var.signing_public_keys[length(var.signing_public_keys) - 1].name
  # The router's failover route (GET /edge/<thumbnail key>) and the header it trusts (router.ondemand.edge).
  router_path          = "/edge"
  origin_secret_header = "X-Thumbrouter-Origin-Secret"
  thumbnail_target     = var.router_origin == null ? "resized" : "thumbnails"
}

# The shared secret the distribution adds on its way to the router; the router reads the same secret
# (THUMBROUTER_CDN_ORIGIN_SECRET). CloudFront keeps origin headers in its configuration, so it is in state.
data "aws_secretsmanager_secret_version" "origin" {
  count = var.router_origin == null ? 0 : 1

  secret_id = var.router_origin.secret_id
}

resource "aws_cloudfront_origin_access_control" "this" {
  name                              = "${var.name}-s3"
  description                       = "CloudFront reads the thumbnail and originals buckets with SigV4."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_public_key" "this" {
  for_each = { for key in var.signing_public_keys : key.name => key }

  name        = "${var.name}-${each.key}"
  comment     = "Verifies CDN URLs signed by the router."
  encoded_key = each.value.pem
}

resource "aws_cloudfront_key_group" "this" {
  name    = "${var.name}-signers"
  comment = "Keys whose signatures the distribution accepts (two while rotating)."
  items   = [for key in aws_cloudfront_public_key.this : key.id]
}

resource "aws_cloudfront_function" "viewer_request" {
  name    = "${var.name}-viewer-request"
  runtime = "cloudfront-js-2.0"
  comment = "Accept -> one format token and the variant's key; /originals/ prefix removed."
  publish = true
  code    = local.viewer_request_code
}

resource "aws_cloudfront_cache_policy" "thumbnails" {
  name        = "${var.name}-thumbnails"
  comment     = "Path plus the function's format token; never raw headers, cookies or the signature query."
  min_ttl     = var.ttl_seconds.min
  default_ttl = var.ttl_seconds.default
  max_ttl     = var.ttl_seconds.max

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = false # images are compressed already
    enable_accept_encoding_gzip   = false

    headers_config {
      header_behavior = "whitelist"
      headers {
        items = ["x-thumb-format"]
      }
    }
    cookies_config {
      cookie_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

resource "aws_cloudfront_cache_policy" "originals" {
  name        = "${var.name}-originals"
  comment     = "Path plus the download name S3 puts in Content-Disposition; never the signature query."
  min_ttl     = var.ttl_seconds.min
  default_ttl = var.ttl_seconds.default
  max_ttl     = var.ttl_seconds.max

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = false
    enable_accept_encoding_gzip   = false

    headers_config {
      header_behavior = "none"
    }
    cookies_config {
      cookie_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "whitelist"
      query_strings {
        items = ["response-content-disposition"]
      }
    }
  }
}

# Images are answered with headers that stop a browser from sniffing them into something else, keep them
# on HTTPS and out of frames; CORS stays off (thumbnails are shown, not read by scripts).
resource "aws_cloudfront_response_headers_policy" "this" {
  name    = "${var.name}-security"
  comment = "nosniff, HSTS, no framing, no referrer leak."

  security_headers_config {
    content_type_options {
      override = true
    }
    # The distribution's host is *.cloudfront.net or an alias of the operator's; the preload list only
    # takes registrable domains, so `preload` here commits no apex domain.
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "no-referrer"
      override        = true
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_305:No default root object: the distribution serves keys, and "/" is no object of either bucket.
  #checkov:skip=CKV_AWS_374:No geo restriction: thumbnails are served wherever the users are; the router's own routing picks the cloud.
  #checkov:skip=CKV2_AWS_47:WAF is optional (web_acl_arn); signed-URL-only image GETs reach no code a Log4j rule protects.
  #checkov:skip=CKV_AWS_174:With custom_domain the minimum is TLSv1.2_2021; the default *.cloudfront.net certificate fixes TLSv1 and cannot be changed.
  #checkov:skip=CKV2_AWS_42:A custom certificate needs the operator's domain (custom_domain); null keeps the CloudFront certificate.
  enabled         = true
  is_ipv6_enabled = true
  comment         = "${var.name}: thumbnails and originals"
  price_class     = var.price_class
  http_version    = "http2and3"
  web_acl_id      = var.web_acl_arn
  tags            = var.tags

  dynamic "origin" {
    for_each = local.origins
    content {
      origin_id                = origin.key
      domain_name              = origin.value.regional_domain_name
      origin_access_control_id = aws_cloudfront_origin_access_control.this.id
    }
  }

  # A thumbnail missing from the bucket (403 without s3:ListBucket, or 404) is asked of the router, which
  # makes it once; its answer is cached like the object, so later views are edge hits.
  dynamic "origin" {
    for_each = var.router_origin == null ? [] : [var.router_origin]
    content {
      origin_id   = "router"
      domain_name = origin.value.domain_name
      origin_path = local.router_path

      custom_origin_config {
        http_port                = 80
        https_port               = 443
        origin_protocol_policy   = "https-only"
        origin_ssl_protocols     = ["TLSv1.2"]
        origin_read_timeout      = 30
        origin_keepalive_timeout = 5
      }

      custom_header {
        name  = local.origin_secret_header
        value = data.aws_secretsmanager_secret_version.origin[0].secret_string
      }
    }
  }

  dynamic "origin_group" {
    for_each = var.router_origin == null ? [] : ["thumbnails"]
    content {
      origin_id = origin_group.value

      failover_criteria {
        status_codes = [403, 404]
      }
      member {
        origin_id = "resized"
      }
      member {
        origin_id = "router"
      }
    }
  }

  default_cache_behavior {
    target_origin_id       = local.thumbnail_target
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = aws_cloudfront_cache_policy.thumbnails.id
    trusted_key_groups     = [aws_cloudfront_key_group.this.id]
    compress               = false

    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.viewer_request.arn
    }
  }

  ordered_cache_behavior {
    path_pattern           = "/originals/*"
    target_origin_id       = "source"
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = aws_cloudfront_cache_policy.originals.id
    trusted_key_groups     = [aws_cloudfront_key_group.this.id]
    compress               = false

    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.viewer_request.arn
    }
  }

  dynamic "logging_config" {
    for_each = var.logging == null ? [] : [var.logging]
    content {
      bucket          = logging_config.value.bucket
      prefix          = logging_config.value.prefix
      include_cookies = false
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  aliases = var.custom_domain == null ? [] : [var.custom_domain.name]

  viewer_certificate {
    cloudfront_default_certificate = var.custom_domain == null
    acm_certificate_arn            = try(var.custom_domain.acm_certificate_arn, null)
    ssl_support_method             = var.custom_domain == null ? null : "sni-only"
    minimum_protocol_version       = var.custom_domain == null ? "TLSv1" : "TLSv1.2_2021"
  }
}

# What the bucket policies must let in: CloudFront's service principal, for this distribution only.
data "aws_iam_policy_document" "origin_read" {
  for_each = local.origins

  statement {
    sid       = "ReadThroughThisDistributionOnly"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::${each.value.name}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.this.arn]
    }
  }
}
