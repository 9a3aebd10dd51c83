"""What Terraform hands to code, rendered by real Terraform and read by the code's own parsers.

Each function's environment (thumbnail-lambda/environment.tf), the thumbnail bucket's name
(image-buckets/names.tf), the router's thumbnail spec (thumbnail-stack/spec.tf) and the notification's
suffix filters are evaluated by the bundled Terraform from the module defaults and each environment's
values; the Lambda's settings loader, the handlers' cold start, `thumbrouter deploy ENV output
--env-format` with the router's load_settings, and the job's extension allow-list then read the result.
"""

import json
import os
import shlex
import subprocess
import sys

import pytest

from tests.terraform.support import (
    ENVIRONMENTS,
    MODULES,
    REPO,
    TerraformError,
    evaluate,
    labelled,
    load_dir,
    stack_call,
    stack_calls,
    tfvars,
)
from thumbrouter.cli.outputs import env_lines
from thumbrouter.imagecore import EXTENSIONS
from thumbrouter.router.config import load_settings
from thumbrouter.s3job import JOB_PREFIX, LambdaSettings, ObjectRecord, ThumbnailSpec, skip_reason

LAMBDA, STACK, BUCKETS = MODULES["thumbnail-lambda"], MODULES["thumbnail-stack"], MODULES["image-buckets"]
NOTIFICATION = MODULES["bucket-notification"]
# What an operator adds by hand to the outputs: no Qiniu here, and no tokens to type.
ROUTER_BY_HAND = {"THUMBROUTER_DOMESTIC_COUNTRIES": "", "THUMBROUTER_ALLOW_ANONYMOUS": "1"}


def function_environment(variables: dict) -> dict[str, str]:
    """The environment thumbnail-lambda gives its function, as Terraform evaluates it."""
    return evaluate(LAMBDA, ("environment.tf",), {"environment": "local.environment"}, variables)["environment"]


def module_defaults() -> dict:
    """thumbnail-lambda's required variables only: every optional setting at the module's default."""
    return {"function_name": "CreateThumbnail", "zip_path": "dist/thumbnailer-3.12-x86_64.zip",
            "source_bucket": "demo", "resized_bucket": "demoresized"}


def literal_arguments(call: dict) -> dict:
    """The arguments of a module call that are values, not references (the environment's own choices)."""
    return {name: value for name, value in call.items()
            if name not in {"source", "count", "depends_on"} and "${" not in str(value)}


def stack_variables(env: str) -> dict:
    """What an environment gives thumbnail-stack: its literal arguments plus the deploy CLI's variables."""
    values = tfvars(env)
    return {**literal_arguments(stack_call(env)), "lambda_python": values["lambda_python"],
            "lambda_architecture": values["lambda_architecture"],
            "lambda_zip_path": f"dist/thumbnailer-{values['lambda_python']}-{values['lambda_architecture']}.zip"}


def rendered_stack(env: str) -> dict:
    """One environment through its stack, by Terraform: the functions' settings, thumbnail bucket, router spec."""
    variables = stack_variables(env)
    stack = evaluate(STACK, ("spec.tf",), {"settings": "var.thumbnail_settings", "spec": "local.thumbnail_spec"},
                     variables)
    buckets = evaluate(BUCKETS, ("names.tf",), {"resized_bucket": "local.resized_bucket"},
                       {"source_bucket": variables["source_bucket"]})
    return {**stack, "source_bucket": variables["source_bucket"], "resized_bucket": buckets["resized_bucket"],
            "function_name": variables["function_name"], "zip_path": variables["lambda_zip_path"]}


def environment_of(env: str, call: str) -> dict[str, str]:
    """The environment of one of an environment's functions (`thumbnailer` or `on_demand`)."""
    stack = rendered_stack(env)
    # The stack's wiring is references, checked here as written; the values are Terraform's.
    arguments = stack_calls()[call]
    assert arguments["settings"] == "${var.thumbnail_settings}"
    assert arguments["resized_bucket"] == "${module.buckets.resized_bucket}"
    return function_environment({"function_name": stack["function_name"], "zip_path": stack["zip_path"],
                                 "source_bucket": stack["source_bucket"], "resized_bucket": stack["resized_bucket"],
                                 "settings": stack["settings"]})


def cold_start(handler_module: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    """Import a Lambda entry point (lambda/*.py) in a fresh interpreter with exactly this environment."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{REPO / 'lambda'}{os.pathsep}{REPO}",
           "AWS_DEFAULT_REGION": "us-east-1", **environment}
    return subprocess.run([sys.executable, "-c", f"import {handler_module}"], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(params=sorted(ENVIRONMENTS))
def env(request):
    return request.param


def test_the_module_defaults_are_the_codes_defaults():
    settings = LambdaSettings.from_env(function_environment(module_defaults()))
    assert settings == LambdaSettings(spec=ThumbnailSpec(dest_bucket="demoresized"))


def test_where_terraform_has_no_reason_to_set_a_value_it_sets_none():
    assert function_environment(module_defaults()) == {"THUMBNAILER_THN_BUCKET": "demoresized"}


@pytest.mark.parametrize("handler_module", ["create_thumbnail", "on_demand"])
def test_both_functions_start_with_the_module_defaults(handler_module):
    started = cold_start(handler_module, function_environment(module_defaults()))
    assert started.returncode == 0, started.stderr


def test_a_cold_start_fails_on_a_setting_the_code_refuses():
    environment = function_environment({**module_defaults(), "settings": {"max_pixels": 100_000_000}})
    started = cold_start("create_thumbnail", environment)
    assert started.returncode != 0 and "MAX_PIXELS must be in" in started.stderr


def test_every_setting_given_reaches_the_parser_as_given():
    settings = {"sizes": ["200x200", "50x50"], "mode": "cover", "max_pixels": 40_000_000, "max_bytes": 10_000_000,
                "jpeg_quality": 70, "cache_control": "public, max-age=60"}
    environment = function_environment({**module_defaults(), "settings": settings})
    parsed = LambdaSettings.from_env(environment)
    assert parsed == LambdaSettings(spec=ThumbnailSpec("demoresized", ("200x200", "50x50"), "cover", 70,
                                                       "public, max-age=60"), max_pixels=40_000_000,
                                    max_bytes=10_000_000)
    # Every name is the job's current one: a deprecated name would parse too, so this is what fails on one.
    names = (*ThumbnailSpec.VARIABLES.values(), *LambdaSettings.VARIABLES.values())
    assert set(environment) <= {f"{JOB_PREFIX}{name}" for name in names}


@pytest.mark.parametrize("bad", [{"sizes": []}, {"mode": "stretch"}, {"jpeg_quality": 96}, {"max_pixels": 0}])
def test_terraform_refuses_settings_its_validation_rules_catch(bad):
    with pytest.raises(TerraformError):
        function_environment({**module_defaults(), "settings": bad})


@pytest.mark.parametrize("call", ["thumbnailer", "on_demand"])
def test_each_environments_functions_start_with_what_terraform_gives_them(env, call):
    environment = environment_of(env, call)
    settings = LambdaSettings.from_env(environment)
    assert settings.spec.destination(stack_call(env)["source_bucket"]) == f"{stack_call(env)['source_bucket']}resized"
    started = cold_start("create_thumbnail" if call == "thumbnailer" else "on_demand", environment)
    assert started.returncode == 0, started.stderr


def test_the_router_reads_from_the_outputs_the_spec_the_functions_are_given(env):
    stack = rendered_stack(env)
    outputs = {"source_bucket": {"value": stack["source_bucket"]},
               "region": {"value": labelled(load_dir(ENVIRONMENTS[env]), "locals")["region"]},
               "on_demand_function_name": {"value": None},
               "thumbnail_spec": {"value": {"dest_bucket": stack["resized_bucket"], **stack["spec"]}}}
    variables = dict(line.split("=", 1) for line in env_lines(outputs) if not line.startswith("#"))
    router = load_settings({**{name: shlex.split(value)[0] if value else "" for name, value in variables.items()},
                            **ROUTER_BY_HAND})
    assert router.s3_bucket == stack["source_bucket"]
    assert router.thumbnail_spec == LambdaSettings.from_env(environment_of(env, "thumbnailer")).spec


def test_the_on_demand_functions_name_reaches_the_router_as_a_name_it_invokes(env):
    # The stack names the on-demand function in its module call; Terraform evaluates that argument.
    variables = {**stack_variables(env), "on_demand_enabled": True}
    template = stack_calls()["on_demand"]["function_name"]  # a string template over the stack's variables
    name = evaluate(STACK, (), {"name": json.dumps(template)}, variables)["name"]
    function_environment({**module_defaults(), "function_name": name})  # thumbnail-lambda's validation takes it
    outputs = {"source_bucket": {"value": variables["source_bucket"]}, "on_demand_function_name": {"value": name}}
    lines = dict(line.split("=", 1) for line in env_lines(outputs) if not line.startswith("#"))
    router = load_settings({**{k: shlex.split(v)[0] for k, v in lines.items()}, **ROUTER_BY_HAND,
                            "THUMBROUTER_GENERATION_BACKEND": "lambda"})
    assert router.generation_lambda == f"{variables['function_name']}-OnDemand"


def suffixes() -> list[str]:
    """The notification's suffix filters, as Terraform evaluates the module the stack calls."""
    assert "suffixes" not in stack_calls()["notification"], "the stack uses the module's filters"
    variables = {"bucket": "demo", "bucket_arn": "arn:aws:s3:::demo",
                 "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:CreateThumbnail"}
    return evaluate(NOTIFICATION, (), {"suffixes": "var.suffixes"}, variables)["suffixes"]


def test_every_key_the_notification_delivers_is_one_the_job_thumbnails():
    settings = LambdaSettings()
    refused = [suffix for suffix in suffixes()
               if skip_reason(ObjectRecord(bucket="demo", key=f"photos/IMG_0001{suffix}"), settings) is not None]
    assert refused == []


def test_every_extension_the_job_thumbnails_is_delivered_in_both_cases():
    delivered = set(suffixes())
    assert {case for extension in EXTENSIONS for case in (extension, extension.upper())} <= delivered
