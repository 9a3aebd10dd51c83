"""Each environment's router function, rendered by real Terraform from the environment's own module call and
the stack's rendered values, then started by the router's own loader and app factory, its API token read
from the parameter the environment names on the local SSM (moto over HTTP)."""

import boto3
import pytest

from tests.terraform.support import (
    ENVIRONMENTS,
    FUNCTION_CALL,
    MODULES,
    evaluate,
    labelled,
    load_dir,
    resource,
    root_call,
    tfvars,
)
from tests.terraform.test_rendered_configuration import (
    STACK,
    environment_of,
    function_environment,
    literal_arguments,
    module_defaults,
    rendered_stack,
    stack_variables,
)
from thumbrouter.router.app import create_app
from thumbrouter.router.config import ConfigError, load_settings, renames
from thumbrouter.s3job import LambdaSettings

ROUTER, ACCESS = MODULES["router-function"], MODULES["router-access"]
TOKEN = "env-token-" + "t" * 24


@pytest.fixture(params=sorted(ENVIRONMENTS))
def env(request):
    return request.param


@pytest.fixture
def ssm(s3_server):
    return boto3.client("ssm", endpoint_url=s3_server.url, region_name="us-east-1")


def router_variables(env: str) -> dict:
    """What an environment gives router-function: its literal arguments, the platform and the role by
    Terraform, and the stack's values (the wiring itself is held by test_environments.py)."""
    call, stack, values = root_call(env, FUNCTION_CALL), rendered_stack(env), tfvars(env)
    deploy_variables = {"lambda_zip_path": stack["zip_path"], "router_zip_path": "dist/router.zip",
                        "lambda_python": values["lambda_python"]}
    platform = evaluate(ENVIRONMENTS[env], (), {"runtime": f'"{call["runtime"]}"',
                                                "architecture": "var.router_architecture"}, deploy_variables)
    assert resource(ACCESS, "aws_iam_role", "router")["name"] == "${var.name}-router"
    return {**literal_arguments(call), **platform,
            "package_path": f"dist/router-{values['lambda_python']}-{platform['architecture']}.zip",
            "role_arn": f"arn:aws:iam::123456789012:role/{stack['function_name']}-router",
            "source_bucket": stack["source_bucket"],
            "thumbnail_spec": {"dest_bucket": stack["resized_bucket"], **stack["spec"]}}
    # on_demand_function_name stays null: the stack's output while on_demand_enabled is off.


def router_environment(env: str, spec: dict | None = None) -> dict[str, str]:
    """The environment's router function; `spec` replaces the stack's thumbnail_spec output when given."""
    variables = router_variables(env)
    if spec is not None:
        variables["thumbnail_spec"] = spec
    found = evaluate(ROUTER, ("environment.tf", "names.tf"), {"environment": "local.environment"}, variables)
    return found["environment"]


# Every setting thumbnail-stack hands on, none at its default, so a dropped or misnamed one shows.
EVERY_SETTING = {"sizes": ["120x90", "50x50"], "mode": "cover", "max_pixels": 40_000_000, "max_bytes": 10_000_000,
                 "jpeg_quality": 70, "cache_control": "public, max-age=60", "presets": "small=120x90:webp,big=800x600"}


def on_lambda(environment: dict[str, str], s3_server, env: str) -> dict[str, str]:
    """The function's environment as the router sees it on Lambda (the runtime adds AWS_REGION)."""
    region = labelled(load_dir(ENVIRONMENTS[env]), "locals")["region"]
    return environment | {"AWS_REGION": region, "AWS_ENDPOINT_URL_SSM": s3_server.url}


def test_each_environments_router_starts_with_what_terraform_gives_it(env, ssm, s3_server):
    environment = router_environment(env)
    name = root_call(env, FUNCTION_CALL)["secret_parameters"]["api_tokens"]
    assert environment["THUMBROUTER_API_TOKENS_PARAMETER"] == name and "THUMBROUTER_API_TOKENS" not in environment
    ssm.put_parameter(Name=name, Value=TOKEN, Type="SecureString", Overwrite=True)
    settings = load_settings(on_lambda(environment, s3_server, env))
    assert settings.api_tokens == (TOKEN,) and not settings.allow_anonymous
    assert settings.s3_bucket == router_variables(env)["source_bucket"] and settings.s3_region == "us-east-1"
    assert settings.thumbnail_spec == LambdaSettings.from_env(environment_of(env, "thumbnailer")).spec
    assert not settings.ondemand and settings.dynamodb_table is None  # the stack's on-demand function is off
    client = create_app(settings).test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/v1/download-urls", query_string={"key": "a.jpg"}).status_code == 401


def test_the_router_makes_thumbnails_as_the_functions_do_whatever_the_stack_is_given(env, ssm, s3_server):
    stack, resized = stack_variables(env), rendered_stack(env)["resized_bucket"]
    stack["thumbnail_settings"] = EVERY_SETTING
    spec = evaluate(STACK, ("spec.tf",), {"spec": "local.thumbnail_spec"}, stack)["spec"]
    environment = router_environment(env, {"dest_bucket": resized, **spec})
    # An old name parses too (with a deprecation line on every cold start), so only this catches one.
    assert not set(environment) & set(renames())
    ssm.put_parameter(Name=environment["THUMBROUTER_API_TOKENS_PARAMETER"], Value=TOKEN, Type="SecureString",
                      Overwrite=True)
    router = load_settings(on_lambda(environment, s3_server, env)).thumbnail_spec
    functions = LambdaSettings.from_env(function_environment(
        {**module_defaults(), "resized_bucket": resized, "settings": EVERY_SETTING}))
    assert router == functions.spec and router.presets == EVERY_SETTING["presets"]


def test_an_environments_router_refuses_to_start_until_its_token_parameter_exists(env, ssm, s3_server):
    name = root_call(env, FUNCTION_CALL)["secret_parameters"]["api_tokens"]
    try:
        ssm.delete_parameter(Name=name)
    except ssm.exceptions.ParameterNotFound:
        pass
    with pytest.raises(ConfigError, match="THUMBROUTER_API_TOKENS_PARAMETER"):
        create_app(on_lambda(router_environment(env), s3_server, env))
