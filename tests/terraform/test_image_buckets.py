"""modules/image-buckets: the derived resized name and the guard rails on both buckets."""

import pytest

from tests.terraform.support import MODULES, evaluate, labelled, load_dir, one, resource, stack_call, stack_calls, typed

BUCKETS = MODULES["image-buckets"]


def resized_name(env: str) -> str:
    """The resized bucket's name for one environment, evaluated by Terraform (the stack passes the name through)."""
    assert stack_calls()["buckets"]["source_bucket"] == "${var.source_bucket}"
    variables = {"source_bucket": stack_call(env)["source_bucket"]}
    return evaluate(BUCKETS, ("names.tf",), {"name": "local.resized_bucket"}, variables)["name"]


@pytest.mark.parametrize(("env", "expected"), [("test", "test-demoresized"), ("prod", "demoresized")])
def test_resized_bucket_is_named_after_the_source_bucket_per_environment(env, expected):
    assert resized_name(env) == expected


def test_resized_name_is_derived_not_a_variable():
    assert resource(BUCKETS, "aws_s3_bucket", "resized")["bucket"] == "${local.resized_bucket}"
    assert not any("resized" in name and "bucket" in name and "lifecycle" not in name
                   for name in labelled(load_dir(BUCKETS), "variable")), "the resized name must not be configurable"


def test_both_buckets_get_every_per_bucket_setting():
    buckets = labelled(load_dir(BUCKETS), "locals")["buckets"]
    assert set(buckets) == {"source", "resized"}
    for kind in ("aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls",
                 "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_policy"):
        assert resource(BUCKETS, kind, "this")["for_each"] == "${local.buckets}", kind


def test_block_public_access_sets_all_four_flags():
    block = resource(BUCKETS, "aws_s3_bucket_public_access_block", "this")
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    assert {flag: block[flag] for flag in flags} == dict.fromkeys(flags, True)


def test_acls_are_disabled_by_bucket_owner_enforced():
    rule = one(resource(BUCKETS, "aws_s3_bucket_ownership_controls", "this")["rule"])
    assert rule["object_ownership"] == "BucketOwnerEnforced"


def test_default_encryption_is_sse_s3_unless_a_kms_key_is_given():
    rule = one(resource(BUCKETS, "aws_s3_bucket_server_side_encryption_configuration", "this")["rule"])
    default = one(rule["apply_server_side_encryption_by_default"])
    assert default["sse_algorithm"] == '${var.kms_key_arn == null ? "AES256" : "aws:kms"}'
    assert default["kms_master_key_id"] == "${var.kms_key_arn}"


def test_bucket_policy_denies_every_request_without_tls():
    document = typed(load_dir(BUCKETS), "data", "aws_iam_policy_document")["tls_only"]
    statement = one(document["statement"])
    assert statement["effect"] == "Deny" and statement["actions"] == ["s3:*"]
    assert statement["resources"] == ["${each.value.arn}", "${each.value.arn}/*"]
    assert one(statement["condition"]) == {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
    policy = resource(BUCKETS, "aws_s3_bucket_policy", "this")["policy"]
    assert policy == "${data.aws_iam_policy_document.bucket[each.key].json}"  # tls_only plus the CDN's reads


def test_an_adopted_source_bucket_is_looked_up_and_a_created_one_cannot_be_destroyed():
    created = resource(BUCKETS, "aws_s3_bucket", "source")
    adopted = typed(load_dir(BUCKETS), "data", "aws_s3_bucket")["source"]
    assert created["count"] == "${var.create_source_bucket ? 1 : 0}"
    assert adopted["count"] == "${var.create_source_bucket ? 0 : 1}"
    assert one(created["lifecycle"])["prevent_destroy"] is True


def test_resized_bucket_lifecycle_cleans_up_multipart_uploads():
    rule = one(resource(BUCKETS, "aws_s3_bucket_lifecycle_configuration", "resized")["rule"])
    assert rule["status"] == "Enabled"
    abort = one(rule["abort_incomplete_multipart_upload"])
    assert abort["days_after_initiation"] == "${var.resized_lifecycle.abort_incomplete_multipart_days}"
