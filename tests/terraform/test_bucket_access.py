"""With the CDN, the buckets' objects are the stack's alone: the distribution, the stack's roles, the router
and listed operators get through their bucket policy; every other caller, an admin of the account included,
is denied.

Each bucket's policy is assembled from the modules as Terraform renders it: the TLS-only statement
(image-buckets) and the distribution's read (cdn) from their HCL, the Deny from access.tf evaluated by
real Terraform. Requests are judged with the callers' real role policies (test_policies_enforced's
renderings) by tests/support/bucket_policy.py, moto's evaluator plus AWS's condition rules.
"""

import json

import pytest

from tests.support.bucket_policy import Request, decide
from tests.terraform.iam import ACCOUNT, resource_statements
from tests.terraform.support import (
    ENVIRONMENTS,
    MODULES,
    TerraformError,
    evaluate,
    labelled,
    load_dir,
    stack_call,
    stack_calls,
)
from tests.terraform.test_policies_enforced import FUNCTION, ON_DEMAND, RESIZED, SOURCE, role_policy

BUCKETS, CDN = MODULES["image-buckets"], MODULES["cdn"]
DISTRIBUTION = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2QWRUHAPOMQZL"
ANOTHER_DISTRIBUTION = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1OTHERDISTRO"
ROLES = {"thumbnailer": f"arn:aws:iam::{ACCOUNT}:role/{FUNCTION}-role",
         "on_demand": f"arn:aws:iam::{ACCOUNT}:role/{ON_DEMAND}-role",
         "router": f"arn:aws:iam::{ACCOUNT}:role/{FUNCTION}-router"}
OPERATORS = f"arn:aws:iam::{ACCOUNT}:role/operators/*"
OPERATOR = f"arn:aws:iam::{ACCOUNT}:role/operators/backfill"
EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
# Partition is a data source in operator.tf; access.tf needs only the value.
PARTITION = {"partition.tf": 'locals {\n  partition = "aws"\n}\n'}
KEY = "uploads/a photo.jpg"
THUMBNAIL = "uploads/a photo-100x100.jpg"


def object_access(principal_arns: list[str]) -> dict:
    return {"distribution_arn": DISTRIBUTION, "principal_arns": principal_arns}


def deny_statements(access: dict | None) -> dict[str, list[dict]]:
    """access.tf's Deny per bucket role, rendered by Terraform ({} without object_access)."""
    variables = {"source_bucket": SOURCE, **({"object_access": access} if access else {})}
    rendered = evaluate(BUCKETS, ("names.tf", "access.tf"), {"policies": "local.object_access_policies"},
                        variables, PARTITION)["policies"]
    return {role: json.loads(document)["Statement"] for role, document in rendered.items()}


def bucket_policies(access: dict | None) -> dict[str, dict]:
    """The whole policy of each bucket (name -> policy), as image-buckets merges it with the CDN on."""
    denies = deny_statements(access)
    policies = {}
    for role, name in (("source", SOURCE), ("resized", RESIZED)):
        arn = f"arn:aws:s3:::{name}"
        statements = [*resource_statements(BUCKETS, "tls_only", {"each.value.arn": arn}),
                      *resource_statements(CDN, "origin_read", {"each.value.name": name,
                                                                "aws_cloudfront_distribution.this.arn": DISTRIBUTION}),
                      *denies.get(role, [])]
        policies[name] = {"Version": "2012-10-17", "Statement": statements}
    return policies


STACK = [*ROLES.values(), OPERATORS]


@pytest.fixture(scope="module")
def guarded() -> dict[str, dict]:
    return bucket_policies(object_access(STACK))


def as_role(arn: str, action: str, bucket: str, key: str, secure: bool = True) -> Request:
    return Request(action, f"arn:aws:s3:::{bucket}/{key}", {"AWS": arn},
                   {"aws:PrincipalArn": arn, "aws:SecureTransport": str(secure).lower()})


def through_cloudfront(distribution: str, bucket: str, key: str) -> Request:
    # CloudFront's OAC request: a service principal, no aws:PrincipalArn, the distribution as aws:SourceArn.
    return Request("s3:GetObject", f"arn:aws:s3:::{bucket}/{key}", {"Service": "cloudfront.amazonaws.com"},
                   {"aws:SourceArn": distribution, "aws:SecureTransport": "true"})


def test_the_stack_lists_its_function_roles_the_router_and_the_operators_and_nothing_else():
    expression = labelled(load_dir(MODULES["thumbnail-stack"]), "locals")["object_access"]
    assert "concat([module.thumbnailer.role_arn], module.on_demand[*].role_arn, var.router_role_arns, " \
           "var.operator_arns)" in expression
    assert "module.cdn[0].distribution_arn" in expression and expression.startswith("${!var.cdn.enabled ? null")
    assert stack_calls()["buckets"]["object_access"] == "${local.object_access}"


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_each_environment_lists_the_role_its_router_runs_as(env):
    assert stack_call(env)["router_role_arns"] == ["${module.router_access.role_arn}"]


@pytest.mark.parametrize("bucket", [SOURCE, RESIZED])
def test_the_distribution_reads_both_buckets_and_another_distribution_does_not(guarded, bucket):
    assert decide(guarded[bucket], through_cloudfront(DISTRIBUTION, bucket, KEY))
    assert not decide(guarded[bucket], through_cloudfront(ANOTHER_DISTRIBUTION, bucket, KEY))


@pytest.mark.parametrize(("role", "action", "bucket", "key"), [
    ("thumbnailer", "s3:GetObject", SOURCE, KEY),
    ("thumbnailer", "s3:PutObject", RESIZED, THUMBNAIL),
    ("thumbnailer", "s3:DeleteObject", RESIZED, THUMBNAIL),
    ("on_demand", "s3:GetObject", SOURCE, KEY),
    ("on_demand", "s3:PutObject", RESIZED, THUMBNAIL),
    ("router", "s3:GetObject", SOURCE, KEY),
    ("router", "s3:GetObject", RESIZED, THUMBNAIL),
    ("router", "s3:PutObject", SOURCE, KEY),
])
def test_each_stack_role_does_its_work_under_its_own_policy(guarded, role, action, bucket, key):
    assert decide(guarded[bucket], as_role(ROLES[role], action, bucket, key), role_policy(role))


def test_the_bucket_policy_adds_no_right_a_role_policy_lacks(guarded):
    # The on-demand function never deletes thumbnails; being listed does not change that.
    request = as_role(ROLES["on_demand"], "s3:DeleteObject", RESIZED, THUMBNAIL)
    assert not decide(guarded[RESIZED], request, role_policy("on_demand"))


def test_a_listed_operator_runs_backfill_and_one_outside_the_pattern_cannot(guarded):
    policy = role_policy("backfill")
    assert decide(guarded[SOURCE], as_role(OPERATOR, "s3:GetObject", SOURCE, KEY), policy)
    assert decide(guarded[RESIZED], as_role(OPERATOR, "s3:PutObject", RESIZED, THUMBNAIL), policy)
    outsider = f"arn:aws:iam::{ACCOUNT}:role/backfill"
    assert not decide(guarded[SOURCE], as_role(outsider, "s3:GetObject", SOURCE, KEY), policy)


@pytest.mark.parametrize("caller", [
    f"arn:aws:iam::{ACCOUNT}:role/Admin",
    f"arn:aws:iam::{ACCOUNT}:user/alice",
    f"arn:aws:iam::{ACCOUNT}:role/{FUNCTION}-role-copy",
    f"arn:aws:iam::{ACCOUNT}:role/operators",
])
@pytest.mark.parametrize("action", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutObjectTagging"])
def test_anyone_else_of_the_account_is_denied_even_with_every_s3_right(guarded, caller, action):
    for bucket in (SOURCE, RESIZED):
        assert not decide(guarded[bucket], as_role(caller, action, bucket, KEY), EVERYTHING)


def test_the_deny_covers_objects_not_the_bucket_the_deployer_manages(guarded):
    deployer = f"arn:aws:iam::{ACCOUNT}:role/Deployer"
    for action in ("s3:ListBucket", "s3:PutBucketPolicy", "s3:GetBucketPolicy"):
        request = Request(action, f"arn:aws:s3:::{SOURCE}", {"AWS": deployer},
                          {"aws:PrincipalArn": deployer, "aws:SecureTransport": "true"})
        assert decide(guarded[SOURCE], request, EVERYTHING), action


def test_another_account_and_anonymous_callers_are_denied(guarded):
    stranger = "arn:aws:iam::210987654321:role/Reader"
    assert not decide(guarded[SOURCE], as_role(stranger, "s3:GetObject", SOURCE, KEY))
    assert not decide(guarded[SOURCE], Request("s3:GetObject", f"arn:aws:s3:::{SOURCE}/{KEY}", {"AWS": "*"}))


def test_a_stack_role_without_tls_is_still_denied(guarded):
    request = as_role(ROLES["thumbnailer"], "s3:GetObject", SOURCE, KEY, secure=False)
    assert not decide(guarded[SOURCE], request, role_policy("thumbnailer"))


def test_without_the_cdn_there_is_no_deny_and_iam_alone_decides():
    assert deny_statements(None) == {}
    admin = f"arn:aws:iam::{ACCOUNT}:role/Admin"
    assert decide(bucket_policies(None)[SOURCE], as_role(admin, "s3:GetObject", SOURCE, KEY), EVERYTHING)


@pytest.mark.parametrize(("principal_arns", "message"), [
    ([], "at least one IAM role or user ARN"),
    ([f"arn:aws:iam::{ACCOUNT}:root"], "never an account root"),
    (["*"], "never an account root"),
    ([f"arn:aws:iam::{ACCOUNT}:role/*"], "every role"),
    ([ROLES["router"], f"arn:aws:sts::{ACCOUNT}:assumed-role/x/y"], "IAM role or user ARN"),
])
def test_terraform_refuses_an_empty_list_an_account_root_a_wildcard_every_role_or_a_session(principal_arns, message):
    with pytest.raises(TerraformError, match=message):
        deny_statements(object_access(principal_arns))
