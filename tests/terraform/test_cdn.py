"""modules/cdn: OAC-only bucket access, signed and HTTPS-only behaviours, the cache key, the key group."""

import pytest

from tests.terraform.support import (
    MODULES,
    TerraformError,
    evaluate,
    labelled,
    load_dir,
    locals_block,
    one,
    resource,
    stack_calls,
    typed,
)
from thumbrouter.router.ondemand import edge

CDN = MODULES["cdn"]
BUCKETS = MODULES["image-buckets"]
PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"
INPUTS = {"name": "CreateThumbnail",
          "resized_bucket": {"name": "demoresized", "regional_domain_name": "demoresized.s3.us-east-1.amazonaws.com"},
          "source_bucket": {"name": "demo", "regional_domain_name": "demo.s3.us-east-1.amazonaws.com"}}


def behaviours() -> list[dict]:
    distribution = resource(CDN, "aws_cloudfront_distribution", "this")
    return [one(distribution["default_cache_behavior"]), *distribution["ordered_cache_behavior"]]


def test_both_buckets_are_origins_reached_only_through_origin_access_control():
    distribution = resource(CDN, "aws_cloudfront_distribution", "this")
    origin = next(block["origin"] for block in distribution["dynamic"] if "origin" in block)
    assert origin["for_each"] == "${local.origins}"
    assert one(origin["content"])["origin_access_control_id"] == "${aws_cloudfront_origin_access_control.this.id}"
    assert set(labelled(load_dir(CDN), "locals")["origins"]) == {"resized", "source"}
    oac = resource(CDN, "aws_cloudfront_origin_access_control", "this")
    assert (oac["origin_access_control_origin_type"], oac["signing_behavior"], oac["signing_protocol"]) == (
        "s3", "always", "sigv4")


def test_every_behaviour_is_https_only_read_only_signed_and_runs_the_format_function():
    assert [b["target_origin_id"] for b in behaviours()] == ["${local.thumbnail_target}", "source"]
    for behaviour in behaviours():
        assert behaviour["viewer_protocol_policy"] == "https-only"
        assert behaviour["allowed_methods"] == ["GET", "HEAD"]
        assert behaviour["trusted_key_groups"] == ["${aws_cloudfront_key_group.this.id}"]
        assert one(behaviour["function_association"]) == {
            "event_type": "viewer-request", "function_arn": "${aws_cloudfront_function.viewer_request.arn}"}


def cache_key(policy: str) -> dict:
    return one(resource(CDN, "aws_cloudfront_cache_policy", policy)["parameters_in_cache_key_and_forwarded_to_origin"])


def test_thumbnails_are_cached_by_path_and_the_format_token_only():
    key = cache_key("thumbnails")
    assert one(key["headers_config"]) == {"header_behavior": "whitelist", "headers": [{"items": ["x-thumb-format"]}]}
    assert one(key["cookies_config"]) == {"cookie_behavior": "none"}
    assert one(key["query_strings_config"]) == {"query_string_behavior": "none"}


def test_originals_are_cached_by_path_and_download_name_never_by_the_signature():
    query = one(cache_key("originals")["query_strings_config"])
    assert query == {"query_string_behavior": "whitelist",
                     "query_strings": [{"items": ["response-content-disposition"]}]}
    assert one(cache_key("originals")["headers_config"]) == {"header_behavior": "none"}


def test_the_function_is_the_tested_file():
    function = resource(CDN, "aws_cloudfront_function", "viewer_request")
    assert function["code"] == "${local.viewer_request_code}"  # function.tf renders it (tests: test_cdn_function)
    assert function["runtime"] == "cloudfront-js-2.0" and function["publish"] is True


def test_bucket_policies_let_in_this_distribution_and_no_other_cloudfront_caller():
    statement = one(typed(load_dir(CDN), "data", "aws_iam_policy_document")["origin_read"]["statement"])
    assert statement["actions"] == ["s3:GetObject"]
    assert one(statement["principals"]) == {"type": "Service", "identifiers": ["cloudfront.amazonaws.com"]}
    assert one(statement["condition"]) == {"test": "StringEquals", "variable": "AWS:SourceArn",
                                           "values": ["${aws_cloudfront_distribution.this.arn}"]}
    merged = typed(load_dir(BUCKETS), "data", "aws_iam_policy_document")["bucket"]
    assert merged["source_policy_documents"] == (
        "${compact([data.aws_iam_policy_document.tls_only[each.key].json, var.cdn_read_policies[each.key], "
        "lookup(local.object_access_policies, each.key, null)])}")
    assert stack_calls()["buckets"]["cdn_read_policies"] == (
        "${var.cdn.enabled ? module.cdn[0].origin_read_policies : {}}")


def test_the_stack_builds_the_cdn_only_when_enabled_and_off_by_default():
    assert stack_calls()["cdn"]["count"] == "${var.cdn.enabled ? 1 : 0}"
    cdn = labelled(load_dir(MODULES["thumbnail-stack"]), "variable")["cdn"]
    assert cdn["default"] == {}
    assert "optional(bool, false)" in cdn["type"]


def cdn_locals(variables: dict, expressions: dict[str, str]) -> dict:
    """Locals of main.tf as Terraform evaluates them from the module's own variables.tf for `variables`."""
    # Only the locals block of main.tf: the rest needs the AWS provider.
    return evaluate(CDN, (), expressions, INPUTS | variables, {"locals.tf": locals_block(CDN / "main.tf")})


def newest_key(keys: list[dict]) -> str:
    """The key the router signs with."""
    return cdn_locals({"signing_public_keys": keys}, {"newest": "local.newest_key"})["newest"]


def test_the_router_signs_with_the_last_key_while_two_are_in_the_group():
    keys = [{"name": "2026-12", "pem": PEM}, {"name": "2027-06", "pem": PEM}]
    assert newest_key(keys) == "2027-06"
    output = labelled(load_dir(CDN), "output")["signing_key_id"]
    assert output["value"] == "${aws_cloudfront_public_key.this[local.newest_key].id}"


@pytest.mark.parametrize(("keys", "message"), [
    ([], "must hold one key, or two"),
    ([{"name": f"k{i}", "pem": PEM} for i in range(3)], "must hold one key, or two"),
    ([{"name": "k", "pem": "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n"}], "never a private key"),
])
def test_terraform_refuses_no_key_three_keys_or_a_private_key(keys, message):
    with pytest.raises(TerraformError, match=message):
        newest_key(keys)


def test_missing_thumbnails_fail_over_from_the_bucket_to_the_router_on_403_and_404():
    distribution = resource(CDN, "aws_cloudfront_distribution", "this")
    group = next(block["origin_group"] for block in distribution["dynamic"] if "origin_group" in block)
    content = one(group["content"])
    assert one(content["failover_criteria"]) == {"status_codes": [403, 404]}
    assert [member["origin_id"] for member in content["member"]] == ["resized", "router"]
    assert one(distribution["default_cache_behavior"])["target_origin_id"] == "${local.thumbnail_target}"


def test_the_router_origin_is_https_only_on_the_edge_route_with_the_header_the_router_trusts():
    distribution = resource(CDN, "aws_cloudfront_distribution", "this")
    router = next(one(block["origin"]["content"]) for block in distribution["dynamic"]
                  if "origin" in block and "router" in str(block["origin"]["for_each"]))
    assert one(router["custom_origin_config"])["origin_protocol_policy"] == "https-only"
    assert one(router["custom_header"])["value"] == "${data.aws_secretsmanager_secret_version.origin[0].secret_string}"
    values = cdn_locals({"signing_public_keys": [{"name": "k", "pem": PEM}],
                         "router_origin": {"domain_name": "router.example.com", "secret_id": "cdn-origin"}},
                        {"path": "local.router_path", "header": "local.origin_secret_header",
                         "target": "local.thumbnail_target"})
    assert values == {"path": "/edge", "header": edge.ORIGIN_SECRET_HEADER, "target": "thumbnails"}
    assert [rule.rule for rule in _edge_rules()] == ["/edge/<path:name>"]


def _edge_rules():
    from flask import Flask

    app = Flask("probe")
    app.register_blueprint(edge.bp)
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("edge.")]


def test_without_a_router_origin_thumbnails_come_from_the_bucket_alone():
    values = cdn_locals({"signing_public_keys": [{"name": "k", "pem": PEM}]},
                        {"target": "local.thumbnail_target"})
    assert values == {"target": "resized"}
