"""environments/*: thin roots with remote state, tags, the deploy CLI's variables and outputs."""

import re
import subprocess

import pytest

from tests.terraform.support import ENVIRONMENTS, REPO, labelled, load_dir, one, parse_file, tfvars

# The contract with `thumbrouter deploy` (terraform/README.md).
OUTPUTS = {"source_bucket", "resized_bucket", "region", "function_name", "dead_letter_queue_url"}
DEPLOY_VARIABLES = {"lambda_zip_path", "lambda_python", "lambda_architecture"}
EXPECTED = {"test": ("test-demo", "test-CreateThumbnail"), "prod": ("demo", "CreateThumbnail")}


@pytest.fixture(params=sorted(ENVIRONMENTS))
def env(request):
    return request.param


def test_there_are_exactly_test_and_prod():
    assert set(ENVIRONMENTS) == {"test", "prod"}


def test_each_environment_names_its_buckets_and_function(env):
    values = tfvars(env)
    assert values["environment"] == env
    assert (values["source_bucket"], values["function_name"]) == EXPECTED[env]


def test_existing_source_buckets_are_adopted_not_created(env):
    assert tfvars(env)["create_source_bucket"] is False


def test_outputs_the_router_needs_exist(env):
    outputs = labelled(load_dir(ENVIRONMENTS[env]), "output")
    assert OUTPUTS <= set(outputs)
    assert outputs["resized_bucket"]["value"] == "${module.buckets.resized_bucket}"
    assert outputs["dead_letter_queue_url"]["value"] == "${module.thumbnailer.dead_letter_queue_url}"


def test_deploy_cli_variables_are_declared_and_the_zip_is_required(env):
    variables = labelled(load_dir(ENVIRONMENTS[env]), "variable")
    assert DEPLOY_VARIABLES <= set(variables)
    assert "default" not in variables["lambda_zip_path"]
    assert variables["lambda_python"]["default"] == "3.12"
    assert variables["lambda_architecture"]["default"] == "x86_64"


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
    provider = one(load_dir(ENVIRONMENTS[env])["provider"])["aws"]
    assert one(provider["default_tags"])["tags"]["Environment"] == "${var.environment}"
    assert provider["region"] == "${var.region}"


def test_environments_only_call_modules(env):
    config = load_dir(ENVIRONMENTS[env])
    assert not config.get("resource") and not config.get("data")
    for call in labelled(config, "module").values():
        assert re.fullmatch(r"\.\./\.\./modules/[a-z-]+", call["source"])


def test_a_zip_for_another_platform_fails_the_plan(env):
    output = labelled(load_dir(ENVIRONMENTS[env]), "output")["function_name"]
    condition = one(output["precondition"])["condition"]
    assert condition == '${endswith(var.lambda_zip_path, "-${var.lambda_python}-${var.lambda_architecture}.zip")}'


def test_environments_differ_only_in_values():
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert (ENVIRONMENTS["test"] / name).read_text() == (ENVIRONMENTS["prod"] / name).read_text(), name
