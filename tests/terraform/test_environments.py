"""environments/*: thin roots (the thumbnail stack, the router's identity, function, alarms and health check)
with remote state, tags, the deploy CLI's variables and outputs."""

import re
import subprocess

import pytest

from tests.terraform.support import (
    ALARMS_CALL,
    ENVIRONMENTS,
    FUNCTION_CALL,
    HEALTH_CALL,
    MODULES,
    REPO,
    ROUTER_CALL,
    STACK_CALL,
    evaluate,
    labelled,
    load_dir,
    locals_block,
    one,
    parse_file,
    refusal,
    root_call,
    stack_call,
    stack_calls,
    tfvars,
)
from thumbrouter.cli import deploy
from thumbrouter.cli.environments import Environment

STACK = MODULES["thumbnail-stack"]
# The contract with `thumbrouter deploy` (terraform/README.md).
OUTPUTS = {"source_bucket", "resized_bucket", "region", "function_name", "function_arn", "dead_letter_queue_url",
           "on_demand_function_name", "thumbnail_spec", "router_policy_arn", "router_role_arn", "router_url",
           "router_function_name", "alarm_topic_arn", "dashboard_name", "cdn"}
# Outputs taken from another call than the stack: output -> (call, the module's output).
ROUTER_OUTPUTS = {"router_policy_arn": (ROUTER_CALL, "policy_arn"), "router_role_arn": (ROUTER_CALL, "role_arn"),
                  deploy.ROUTER_URL_OUTPUT: (FUNCTION_CALL, "function_url"),
                  "router_function_name": (FUNCTION_CALL, "function_name")}
DEPLOY_VARIABLES = {"lambda_zip_path", "lambda_python", "lambda_architecture", deploy.ROUTER_ZIP_VARIABLE,
                    "router_architecture"}
EXPECTED = {"test": ("test-demo", "test-CreateThumbnail"), "prod": ("demo", "CreateThumbnail")}
# Capacity, log retention and thumbnail expiry per environment (None: the module's default, no expiry).
SIZING = {"test": (5, 14, {"expiration_days": 30}), "prod": (50, 90, None)}
ROOT_BLOCKS = {"terraform", "provider", "locals", "module", "variable", "output"}


@pytest.fixture(params=sorted(ENVIRONMENTS))
def env(request):
    return request.param


def test_there_are_exactly_test_and_prod():
    assert set(ENVIRONMENTS) == {"test", "prod"}


def test_each_environment_names_its_buckets_and_function(env):
    call = stack_call(env)
    assert call["source"] == "../../modules/thumbnail-stack"
    assert (call["source_bucket"], call["function_name"]) == EXPECTED[env]


def test_existing_source_buckets_are_adopted_not_created(env):
    assert stack_call(env)["create_source_bucket"] is False


def test_each_environment_keeps_its_capacity_retention_and_expiry(env):
    call = stack_call(env)
    concurrency, retention, lifecycle = SIZING[env]
    assert (call["reserved_concurrency"], call["log_retention_days"]) == (concurrency, retention)
    assert call.get("resized_lifecycle") == lifecycle
    assert labelled(load_dir(STACK), "variable")["resized_lifecycle"]["default"] == {}


def test_the_on_demand_function_stays_off_unless_asked_for(env):
    assert "on_demand_enabled" not in stack_call(env)
    assert labelled(load_dir(STACK), "variable")["on_demand_enabled"]["default"] is False
    assert stack_calls()["on_demand"]["count"] == "${var.on_demand_enabled ? 1 : 0}"


def test_outputs_the_router_needs_come_from_the_stack(env):
    outputs = labelled(load_dir(ENVIRONMENTS[env]), "output")
    assert set(outputs) == OUTPUTS
    for name in OUTPUTS - {"region"} - set(ROUTER_OUTPUTS):
        assert outputs[name]["value"] == f"${{module.{STACK_CALL}.{name}}}", name
    for name, (call, output) in ROUTER_OUTPUTS.items():
        assert outputs[name]["value"] == f"${{module.{call}.{output}}}", name
    assert outputs["region"]["value"] == "${local.region}"
    stack_outputs = labelled(load_dir(STACK), "output")
    assert stack_outputs["resized_bucket"]["value"] == "${module.buckets.resized_bucket}"
    assert stack_outputs["dead_letter_queue_url"]["value"] == "${module.thumbnailer.dead_letter_queue_url}"
    assert stack_outputs["on_demand_function_name"]["value"] == "${one(module.on_demand[*].function_name)}"


def test_the_thumbnail_spec_output_is_what_both_functions_are_given():
    # tests/terraform/test_rendered_configuration.py evaluates local.thumbnail_spec and parses it.
    spec = labelled(load_dir(STACK), "output")["thumbnail_spec"]["value"]
    assert spec == '${merge({dest_bucket = module.buckets.resized_bucket}, local.thumbnail_spec)}'
    assert labelled(load_dir(STACK), "locals")["thumbnail_spec"] == {
        name: f"${{var.thumbnail_settings.{name}}}"
        for name in ("sizes", "mode", "jpeg_quality", "cache_control", "presets")}
    for call in ("thumbnailer", "on_demand"):
        assert stack_calls()[call]["resized_bucket"] == "${module.buckets.resized_bucket}"
        assert stack_calls()[call]["settings"] == "${var.thumbnail_settings}"


def test_deploy_cli_variables_are_the_only_ones_and_reach_the_stack(env):
    variables = labelled(load_dir(ENVIRONMENTS[env]), "variable")
    assert set(variables) == DEPLOY_VARIABLES
    assert "default" not in variables["lambda_zip_path"]
    assert variables["lambda_python"]["default"] == "3.12"
    assert variables["lambda_architecture"]["default"] == "x86_64"
    assert "default" not in variables[deploy.ROUTER_ZIP_VARIABLE]
    call = stack_call(env)
    stack_variables = {"lambda_zip_path", "lambda_python", "lambda_architecture"}
    assert {name: call[name] for name in stack_variables} == {name: f"${{var.{name}}}" for name in stack_variables}
    router = root_call(env, FUNCTION_CALL)
    assert router["package_path"] == f"${{var.{deploy.ROUTER_ZIP_VARIABLE}}}"
    assert router["architecture"] == "${var.router_architecture}"


def test_the_router_function_runs_the_python_and_cpu_its_zip_was_built_for(env):
    # deploy builds router-<lambda_python>-<router_architecture>.zip; Terraform derives the runtime from the same.
    router = root_call(env, FUNCTION_CALL)
    given = {"lambda_zip_path": "t.zip", deploy.ROUTER_ZIP_VARIABLE: "r.zip", "lambda_python": "3.13"}
    found = evaluate(ENVIRONMENTS[env], (), {"runtime": f'"{router["runtime"]}"', "arch": "var.router_architecture"},
                     given)
    assert found == {"runtime": "python3.13", "arch": deploy.DEFAULT_ROUTER_ARCH}
    assert "runtime must be one of" not in refusal(MODULES["router-function"], (), {
        "function_name": "r", "package_path": "r.zip", "role_arn": "arn:aws:iam::123456789012:role/r",
        "source_bucket": "demo", "thumbnail_spec": {"dest_bucket": "demoresized"}, "runtime": found["runtime"]})


def test_the_deploy_cli_reads_the_artifact_platform_and_sees_its_variables(env):
    assert tfvars(env) == {"lambda_python": "3.12", "lambda_architecture": "x86_64"}
    cli_view = Environment(name=env, path=ENVIRONMENTS[env])
    assert (cli_view.tfvars_value("lambda_python"), cli_view.tfvars_value("lambda_architecture")) == ("3.12", "x86_64")
    assert all(cli_view.declares(name) for name in DEPLOY_VARIABLES)
    # Without router_architecture in tfvars deploy builds for its default, the variable's default too.
    assert cli_view.tfvars_value("router_architecture") is None
    assert labelled(load_dir(ENVIRONMENTS[env]), "variable")["router_architecture"]["default"] == (
        deploy.DEFAULT_ROUTER_ARCH)


def test_state_is_remote_and_configured_by_backend_hcl(env):
    terraform = one(load_dir(ENVIRONMENTS[env])["terraform"])
    assert one(terraform["backend"]) == {"s3": {}}, "partial configuration: values come from backend.hcl"
    example = parse_file(ENVIRONMENTS[env] / "backend.hcl.example")
    assert example["use_lockfile"] is True and example["encrypt"] is True
    assert example["key"] == f"thumbrouter/{env}/terraform.tfstate"


def test_real_backend_settings_stay_out_of_git(env):
    path = ENVIRONMENTS[env] / "backend.hcl"
    ignored = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=REPO, timeout=30)
    assert ignored.returncode == 0


def test_every_resource_is_tagged_with_its_environment(env):
    config = load_dir(ENVIRONMENTS[env])
    provider = one(config["provider"])["aws"]
    assert one(provider["default_tags"])["tags"]["Environment"] == env
    assert provider["region"] == "${local.region}"
    assert labelled(config, "locals")["region"] == "us-east-1"


def test_environments_only_call_the_stack(env):
    config = load_dir(ENVIRONMENTS[env])
    assert set(config) <= ROOT_BLOCKS
    assert not config.get("resource") and not config.get("data")
    for call in labelled(config, "module").values():
        assert re.fullmatch(r"\.\./\.\./modules/[a-z-]+", call["source"])
    stack_call(env)  # exactly the pipeline and the router's calls (ROOT_CALLS)


def test_a_zip_for_another_platform_fails_the_plan(env):
    function_name = labelled(load_dir(ENVIRONMENTS[env]), "output")["function_name"]
    assert function_name["value"] == "${module.thumbnails.function_name}"
    output = labelled(load_dir(STACK), "output")["function_name"]
    condition = one(output["precondition"])["condition"]
    assert condition == '${endswith(var.lambda_zip_path, "-${var.lambda_python}-${var.lambda_architecture}.zip")}'


def test_environments_share_everything_but_their_values():
    for name in ("variables.tf", "outputs.tf", "versions.tf"):
        assert (ENVIRONMENTS["test"] / name).read_text() == (ENVIRONMENTS["prod"] / name).read_text(), name
    assert set(stack_call("test")) - {"resized_lifecycle"} == set(stack_call("prod")) - {"cdn"}


def test_the_routers_identity_is_built_from_the_stacks_own_outputs(env):
    call = labelled(load_dir(ENVIRONMENTS[env]), "module")[ROUTER_CALL]
    assert call["source"] == "../../modules/router-access"
    wiring = {"name": "function_name", "source_bucket": "source_bucket", "resized_bucket": "resized_bucket",
              "on_demand_function_arn": "on_demand_function_arn", "kms_key_arn": "kms_key_arn"}
    for argument, output in wiring.items():
        assert call[argument] == f"${{module.{STACK_CALL}.{output}}}", argument



def test_prod_serves_through_the_cdn_and_test_does_not():
    assert stack_call("prod")["cdn"] == {"enabled": True, "signing_public_keys": "${local.cdn_signing_keys}"}
    assert "cdn" not in stack_call("test")
    assert "upload_cors" not in stack_call("prod") and "upload_cors" not in stack_call("test")  # no site yet


def test_prods_signing_keys_are_the_public_key_files_oldest_first():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pems = {}
    for name in ("2027-06", "2026-12"):
        public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        pems[name] = public.public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    files = {"locals.tf": locals_block(ENVIRONMENTS["prod"] / "main.tf"), "cdn-keys/README.md": "not a key",
             **{f"cdn-keys/{name}.pub.pem": pem for name, pem in pems.items()}}
    # prod's variables.tf comes along; its two required variables are the artifacts' paths.
    given = {"lambda_zip_path": "t.zip", deploy.ROUTER_ZIP_VARIABLE: "r.zip"}
    got = evaluate(ENVIRONMENTS["prod"], (), {"keys": "local.cdn_signing_keys"}, given, files)
    assert got["keys"] == [{"name": "2026-12", "pem": pems["2026-12"]}, {"name": "2027-06", "pem": pems["2027-06"]}]


def test_the_router_runs_as_the_router_access_role_which_lambda_may_assume(env):
    access = root_call(env, ROUTER_CALL)
    assert access["trusted_principal"] == {"type": "Service", "identifiers": ["lambda.amazonaws.com"]}
    assert root_call(env, FUNCTION_CALL)["role_arn"] == f"${{module.{ROUTER_CALL}.role_arn}}"
    assert refusal(MODULES["router-access"], (), {
        "name": "fn", "source_bucket": "demo", "resized_bucket": "demoresized",
        "trusted_principal": access["trusted_principal"]}) == ""


def test_the_router_is_given_the_stacks_own_outputs(env):
    router = root_call(env, FUNCTION_CALL)
    assert router["source"] == "../../modules/router-function"
    for argument in ("source_bucket", "thumbnail_spec", "on_demand_function_name"):
        assert router[argument] == f"${{module.{STACK_CALL}.{argument}}}", argument


def test_the_function_url_is_public_by_choice_and_the_router_demands_a_token(env):
    # Route 53 checkers and `deploy ENV check` cannot sign requests: NONE, and the app's tokens guard /v1.
    router = root_call(env, FUNCTION_CALL)
    assert router["function_url_auth"] == "NONE"
    assert router["secret_parameters"]["api_tokens"] == f"/thumbrouter/{env}/api-tokens"
    assert "extra_environment" not in router  # nothing that could set THUMBROUTER_ALLOW_ANONYMOUS


def test_the_routers_alarms_and_health_check_notify_the_stacks_topic_and_join_its_dashboard(env):
    alarms, health = root_call(env, ALARMS_CALL), root_call(env, HEALTH_CALL)
    assert (alarms["source"], health["source"]) == ("../../modules/router-alarms", "../../modules/health-check")
    topic = f"${{module.{STACK_CALL}.alarm_topic_arn}}"
    assert alarms["alarm_topic_arn"] == health["alarm_topic_arn"] == topic
    assert alarms["router_function_name"] == f"${{module.{FUNCTION_CALL}.function_name}}"
    assert health["host"] == f"${{module.{FUNCTION_CALL}.function_url_host}}"
    assert "path" not in health  # the module's default, /healthz
    assert stack_call(env)["router_monitoring"] == {
        "function_name": f"${{module.{FUNCTION_CALL}.function_name}}",
        "health_check_id": f"${{module.{HEALTH_CALL}.health_check_id}}",
        "alarm_arns": f"${{concat(values(module.{ALARMS_CALL}.alarm_arns), [module.{HEALTH_CALL}.alarm_arn])}}"}


def test_the_health_check_accepts_the_host_terraform_takes_from_a_function_url():
    # router-function's function_url_host, evaluated over a Function URL of the shape AWS returns.
    expression = labelled(load_dir(MODULES["router-function"]), "output")["function_url_host"]["value"]
    url = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/"
    inner = expression.removeprefix("${").removesuffix("}").replace("aws_lambda_function_url.this.function_url",
                                                                      "var.url")
    extra = {"url.tf": 'variable "url" {\n  type = string\n}\n'}
    host = evaluate(MODULES["health-check"], (), {"host": inner}, {"url": url, "name": "n", "host": "h.example",
                    "alarm_topic_arn": "arn:aws:sns:us-east-1:123456789012:t"}, extra)["host"]
    assert host == "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws"
    given = {"name": "ThumbRouter", "host": host, "alarm_topic_arn": "arn:aws:sns:us-east-1:123456789012:t"}
    assert refusal(MODULES["health-check"], (), given) == ""
    assert "host must be a host name" in refusal(MODULES["health-check"], (), given | {"host": url})
