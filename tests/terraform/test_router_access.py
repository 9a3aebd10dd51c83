"""modules/router-access: the router's least-privilege policy and its optional role.

tests/terraform/test_policies_enforced.py runs the router under this policy in moto's enforcing IAM.
"""

import pytest

from tests.terraform.iam import ACCOUNT, grants, policy
from tests.terraform.support import MODULES, TerraformError, evaluate, labelled, load_dir, one, resource, typed

ROUTER = MODULES["router-access"]
REQUIRED = {"name": "CreateThumbnail", "source_bucket": "demo", "resized_bucket": "demoresized"}
ON_DEMAND = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:CreateThumbnail-OnDemand"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BASE = {
    ("s3:GetObject", "arn:aws:s3:::demo/*"),
    ("s3:GetObject", "arn:aws:s3:::demoresized/*"),
    ("s3:ListBucket", "arn:aws:s3:::demo"),
    ("s3:ListBucket", "arn:aws:s3:::demoresized"),
    ("s3:PutObject", "arn:aws:s3:::demo/*"),
}


def router_grants(**variables) -> set[tuple[str, str]]:
    return grants(policy(ROUTER, "this", {**REQUIRED, **variables}))


def test_by_default_the_router_presigns_probes_and_uploads_and_nothing_else():
    assert router_grants() == BASE


def test_the_on_demand_function_is_the_only_one_it_may_invoke():
    assert router_grants(on_demand_function_arn=ON_DEMAND) == BASE | {("lambda:InvokeFunction", ON_DEMAND)}


def test_local_generation_adds_writing_thumbnails_only():
    assert router_grants(allow_local_generation=True) == BASE | {("s3:PutObject", "arn:aws:s3:::demoresized/*")}


def test_a_kms_key_adds_decrypt_and_data_keys_on_that_key_only():
    assert router_grants(kms_key_arn=KEY) == BASE | {("kms:Decrypt", KEY), ("kms:GenerateDataKey", KEY)}


def test_nothing_deletes_and_no_action_or_resource_is_a_wildcard():
    everything = router_grants(on_demand_function_arn=ON_DEMAND, allow_local_generation=True, kms_key_arn=KEY)
    assert not [action for action, _ in everything if "Delete" in action or "*" in action]
    assert all(resource.split(":::")[-1].split("/")[0] in {"demo", "demoresized"} or resource in {ON_DEMAND, KEY}
               for _, resource in everything)


def test_the_policy_is_an_output_and_the_role_exists_only_with_a_trusted_principal():
    outputs = labelled(load_dir(ROUTER), "output")
    assert outputs["policy_arn"]["value"] == "${aws_iam_policy.this.arn}"
    assert resource(ROUTER, "aws_iam_policy", "this")["policy"] == "${data.aws_iam_policy_document.this.json}"
    for kind, name in (("aws_iam_role", "router"), ("aws_iam_role_policy_attachment", "router")):
        assert resource(ROUTER, kind, name)["count"] == "${var.trusted_principal == null ? 0 : 1}"
    assert resource(ROUTER, "aws_iam_role_policy_attachment", "router")["policy_arn"] == "${aws_iam_policy.this.arn}"
    assert labelled(load_dir(ROUTER), "variable")["trusted_principal"]["default"] is None


def test_the_role_trusts_exactly_the_principal_it_is_given():
    assume = typed(load_dir(ROUTER), "data", "aws_iam_policy_document")["assume"]
    statement = one(assume["statement"])
    assert statement["actions"] == ["sts:AssumeRole"]
    assert one(statement["principals"]) == {"type": "${var.trusted_principal.type}",
                                            "identifiers": "${var.trusted_principal.identifiers}"}


@pytest.mark.parametrize("principal", [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]},
                                       {"type": "Service", "identifiers": ["lambda.amazonaws.com"]},
                                       {"type": "AWS", "identifiers": [f"arn:aws:iam::{ACCOUNT}:role/deployer"]}])
def test_services_and_roles_may_be_trusted(principal):
    evaluate(ROUTER, (), {"principal": "var.trusted_principal"}, {**REQUIRED, "trusted_principal": principal})


@pytest.mark.parametrize("bad", [
    {"trusted_principal": {"type": "AWS", "identifiers": ["*"]}},
    {"trusted_principal": {"type": "Service", "identifiers": []}},
    {"trusted_principal": {"type": "Federated", "identifiers": ["cognito-identity.amazonaws.com"]}},
    {"on_demand_function_arn": "CreateThumbnail-OnDemand"},
    {"kms_key_arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/thumbs"},
    {"source_bucket": "Demo_Bucket"},
    {"name": "x" * 58},
])
def test_wrong_values_fail_the_modules_validation(bad):
    with pytest.raises(TerraformError):
        evaluate(ROUTER, (), {"name": "var.name"}, {**REQUIRED, **bad})
