"""modules/router-function: the environment rendered by real Terraform and parsed by the router, the table
single-flight shares, the role's extra grants held to the code, the Function URL, logs and the spike bound."""

import inspect
import re
from pathlib import Path

import pytest

from tests.terraform.support import MODULES, evaluate, labelled, load_dir, one, refusal, resource, typed
from thumbrouter.router import secrets
from thumbrouter.router.config import load_settings
from thumbrouter.router.ondemand import dynamolocks
from thumbrouter.s3job import ThumbnailSpec

ROUTER = MODULES["router-function"]
FILES = ("environment.tf", "names.tf")
SPEC = {"dest_bucket": "demoresized", "sizes": ["50x50", "1440x1440"], "mode": "fit", "jpeg_quality": 85,
        "cache_control": "public, max-age=86400"}
REQUIRED = {"function_name": "router", "package_path": "dist/router.zip", "source_bucket": "demo",
            "role_arn": "arn:aws:iam::123456789012:role/thumbrouter-router", "thumbnail_spec": SPEC}
LAMBDA_ENV = {"AWS_REGION": "us-east-1"}  # what the Lambda runtime adds to every function's environment


def environment(**variables) -> dict:
    return evaluate(ROUTER, FILES, {"environment": "local.environment"}, REQUIRED | variables)["environment"]


def test_with_the_on_demand_function_the_router_generates_there_and_shares_a_dynamodb_table():
    env = environment(on_demand_function_name="demo-OnDemandThumbnail")
    settings = load_settings(env | LAMBDA_ENV)
    assert (settings.s3_bucket, settings.generation_backend, settings.generation_lambda) == (
        "demo", "lambda", "demo-OnDemandThumbnail")
    assert settings.dynamodb_table == "router-single-flight" and settings.redis_url is None
    assert settings.ondemand and settings.dynamodb_region == "us-east-1"
    assert settings.thumbnail_spec == ThumbnailSpec(dest_bucket="demoresized", sizes=("50x50", "1440x1440"),
                                                    mode="fit", jpeg_quality=85, cache_control="public, max-age=86400")


def test_without_the_on_demand_function_thumb_is_off_and_no_table_is_named():
    env = environment()
    settings = load_settings(env | LAMBDA_ENV)
    assert not settings.ondemand and settings.dynamodb_table is None
    assert "THUMBROUTER_GENERATION_BACKEND" not in env  # the router's default, not a second copy of it


def test_single_flight_none_leaves_the_table_out():
    env = environment(on_demand_function_name="od", single_flight="none")
    assert load_settings(env | LAMBDA_ENV).dynamodb_table is None


def test_a_spec_with_null_fields_leaves_the_routers_defaults():
    spec = {"dest_bucket": "demoresized", "sizes": ["50x50"], "mode": "cover"}
    env = environment(thumbnail_spec=spec)
    assert "THUMBROUTER_JPEG_QUALITY" not in env and "THUMBROUTER_CACHE_CONTROL" not in env
    assert load_settings(env | LAMBDA_ENV).thumbnail_spec == ThumbnailSpec(
        dest_bucket="demoresized", sizes=("50x50",), mode="cover")
    only_bucket = environment(thumbnail_spec={"dest_bucket": "demoresized", "sizes": None, "mode": None})
    assert not {"THUMBROUTER_THUMBNAIL_SIZES", "THUMBROUTER_THUMBNAIL_MODE"} & set(only_bucket)
    assert load_settings(only_bucket | LAMBDA_ENV).thumbnail_spec == ThumbnailSpec(dest_bucket="demoresized")


def test_extra_settings_reach_the_router_and_secrets_are_refused():
    env = environment(extra_environment={"THUMBROUTER_URL_CACHE_SIZE": "500"})
    assert load_settings(env | LAMBDA_ENV).url_cache_size == 500
    for name in ("THUMBROUTER_API_TOKENS", "THUMBROUTER_URL_SIGNING_KEYS", "THUMBROUTER_REDIS_URL", "AWS_REGION"):
        assert "extra_environment takes" in refusal(ROUTER, FILES, REQUIRED | {"extra_environment": {name: "x"}})


@pytest.mark.parametrize("name, value, message", [
    ("function_url_auth", "PUBLIC", "function_url_auth must be AWS_IAM or NONE"),
    ("reserved_concurrency", 0, "reserved_concurrency must be at least 1"),
    ("reserved_concurrency", -1, "reserved_concurrency must be at least 1"),
    ("single_flight", "redis", "single_flight must be"),
    ("role_arn", "thumbrouter-router", "role_arn must be an IAM role ARN"),
    ("package_path", "dist/router.tar", "package_path must point to a .zip"),
])
def test_terraform_refuses_a_bad_variable(name, value, message):
    assert message in refusal(ROUTER, FILES, REQUIRED | {name: value})


def test_the_url_is_iam_authenticated_unless_none_is_chosen():
    variables = labelled(load_dir(ROUTER), "variable")
    assert variables["function_url_auth"]["default"] == "AWS_IAM"
    assert refusal(ROUTER, FILES, REQUIRED | {"function_url_auth": "NONE"}) == ""
    assert resource(ROUTER, "aws_lambda_function_url", "this")["authorization_type"] == "${var.function_url_auth}"


def test_defaults_arm64_the_router_handler_and_a_bounded_concurrency():
    variables = labelled(load_dir(ROUTER), "variable")
    assert variables["architecture"]["default"] == "arm64"
    assert variables["handler"]["default"] == "router_lambda.handler"
    assert variables["reserved_concurrency"]["default"] >= 1
    function = resource(ROUTER, "aws_lambda_function", "this")
    assert function["reserved_concurrent_executions"] == "${var.reserved_concurrency}"
    assert function["filename"] == "${var.package_path}"
    assert function["source_code_hash"] == "${filebase64sha256(var.package_path)}"
    assert function["role"] == "${var.role_arn}"
    assert one(function["environment"])["variables"] == "${local.environment}"


def test_the_function_logs_to_its_own_group_with_retention():
    function = resource(ROUTER, "aws_lambda_function", "this")
    group = resource(ROUTER, "aws_cloudwatch_log_group", "lambda")
    assert one(function["logging_config"])["log_group"] == "${aws_cloudwatch_log_group.lambda.name}"
    assert group["name"] == "/aws/lambda/${var.function_name}"
    assert group["retention_in_days"] == "${var.log_retention_days}"


def test_the_table_is_what_dynamolocks_reads_on_demand_with_ttl_encrypted_and_no_backups():
    table = resource(ROUTER, "aws_dynamodb_table", "single_flight")
    assert table["billing_mode"] == "PAY_PER_REQUEST" and table["hash_key"] == dynamolocks.KEY
    assert one(table["attribute"]) == {"name": dynamolocks.KEY, "type": "S"}
    assert one(table["ttl"]) == {"attribute_name": dynamolocks.TTL_ATTRIBUTE, "enabled": True}
    assert one(table["point_in_time_recovery"]) == {"enabled": False}
    assert one(table["server_side_encryption"]) == {"enabled": True}
    assert table["count"] == "${local.dynamodb ? 1 : 0}"


def _calls_dynamolocks_makes() -> set[str]:
    source = Path(dynamolocks.__file__).read_text()
    methods = set(re.findall(r'_call\(\s*"([a-z_]+)"', source))
    return {"dynamodb:" + "".join(part.title() for part in method.split("_")) for method in methods}


def optional_statements() -> dict[str, dict]:
    """The function policy's dynamic statements by sid: their content plus the for_each that switches them on."""
    document = typed(load_dir(ROUTER), "data", "aws_iam_policy_document")["function"]
    blocks = [block["statement"] for block in document["dynamic"]]
    return {one(b["content"])["sid"]: one(b["content"]) | {"for_each": b["for_each"]} for b in blocks}


def test_the_role_gets_exactly_the_calls_dynamolocks_makes_on_that_table_and_its_own_logs():
    document = typed(load_dir(ROUTER), "data", "aws_iam_policy_document")["function"]
    content = statement = optional_statements()["SingleFlightTable"]
    assert set(content["actions"]) == _calls_dynamolocks_makes() == {
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    assert content["resources"] == ["${aws_dynamodb_table.single_flight[0].arn}"]
    assert statement["for_each"] == '${local.dynamodb ? ["single-flight"] : []}'
    assert set(optional_statements()) == {"SingleFlightTable", "ReadSecretParameters"}
    logs = one(document["statement"])
    assert logs["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert logs["resources"] == ["${aws_cloudwatch_log_group.lambda.arn}:*"]
    policy = resource(ROUTER, "aws_iam_role_policy", "function")
    assert policy["role"] == "${local.role_name}"


def test_the_role_name_is_taken_from_an_arn_with_a_path():
    arn = "arn:aws:iam::123456789012:role/service/thumbrouter-router"
    assert evaluate(ROUTER, FILES, {"name": "local.role_name"}, REQUIRED | {"role_arn": arn})["name"] == (
        "thumbrouter-router")


def test_secrets_are_given_by_parameter_name_and_only_those_parameters_are_readable():
    names = {"api_tokens": "/thumbrouter/prod/api-tokens", "url_signing_keys": "/thumbrouter/prod/signing-keys"}
    env = environment(secret_parameters=names)
    assert env["THUMBROUTER_API_TOKENS_PARAMETER"] == "/thumbrouter/prod/api-tokens"
    assert env["THUMBROUTER_URL_SIGNING_KEYS_PARAMETER"] == "/thumbrouter/prod/signing-keys"
    assert "THUMBROUTER_QINIU_SECRET_KEY_PARAMETER" not in env and "THUMBROUTER_API_TOKENS" not in env
    grant = optional_statements()["ReadSecretParameters"]
    reader = inspect.getsource(secrets)  # the grant is the one call the router's reader makes
    assert "client.get_parameter(" in reader and "get_parameters(" not in reader
    assert grant["actions"] == ["ssm:GetParameter"] and grant["resources"] == "${local.parameter_arns}"
    assert grant["for_each"] == '${length(local.parameter_arns) > 0 ? ["secrets"] : []}'
    assert evaluate(ROUTER, FILES, {"names": "local.secret_parameter_names"},
                    REQUIRED | {"secret_parameters": names})["names"] == sorted(names.values())
    assert "secret_parameters must be SSM parameter names" in refusal(
        ROUTER, FILES, REQUIRED | {"secret_parameters": {"api_tokens": "not a name"}})
    assert secrets.parameter_variables(env) == {"THUMBROUTER_API_TOKENS": names["api_tokens"],
                                                "THUMBROUTER_URL_SIGNING_KEYS": names["url_signing_keys"]}
