"""Rules for every directory under terraform/: typed variables, wiring, versions, no ACLs, no secrets."""

import re

import pytest

from tests.terraform.support import ALL_DIRS, ENVIRONMENTS, MODULES, TERRAFORM_DIR, labelled, load_dir, one, stack_call

MODULE_FILES = {"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"}
META_ARGUMENTS = {"source", "count", "for_each", "providers", "depends_on", "version"}
CREDENTIALS = [
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),                          # AWS access key ids
    re.compile(r"aws_secret_access_key|aws_session_token", re.I),
    re.compile(r"\b(secret_key|access_key|secret|token|password)\s*=\s*\"[^\"]+\"", re.I),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
]


def credential_hits(text: str) -> list[str]:
    return [m.group(0) for pattern in CREDENTIALS for m in pattern.finditer(text)]


def every_file():
    return sorted(p for p in TERRAFORM_DIR.rglob("*") if p.is_file() and ".terraform" not in p.parts)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_has_the_standard_files(name):
    assert MODULE_FILES <= {p.name for p in MODULES[name].iterdir()}


@pytest.mark.parametrize("name", sorted(ALL_DIRS))
def test_every_variable_has_a_description_and_a_precise_type(name):
    for variable, body in labelled(load_dir(ALL_DIRS[name]), "variable").items():
        assert body.get("description", "").strip(), f"{name}: variable {variable} has no description"
        assert "type" in body, f"{name}: variable {variable} has no type"
        assert not re.search(r"\bany\b", str(body["type"])), f"{name}: variable {variable} uses `any`"


@pytest.mark.parametrize("name", sorted(ALL_DIRS))
def test_every_referenced_variable_is_declared(name):
    declared = set(labelled(load_dir(ALL_DIRS[name]), "variable"))
    text = "\n".join(p.read_text() for p in ALL_DIRS[name].glob("*.tf"))
    assert set(re.findall(r"\bvar\.([A-Za-z_][A-Za-z0-9_]*)", text)) <= declared


@pytest.mark.parametrize("directory", sorted(n for n, path in ALL_DIRS.items() if labelled(load_dir(path), "module")))
def test_module_calls_match_the_modules_variables_and_outputs(directory):
    config = load_dir(ALL_DIRS[directory])
    calls = labelled(config, "module")
    for call_name, call in calls.items():
        module = load_dir((ALL_DIRS[directory] / call["source"]).resolve())
        variables = labelled(module, "variable")
        given = set(call) - META_ARGUMENTS
        assert given <= set(variables), f"{call_name}: unknown arguments {given - set(variables)}"
        required = {name for name, body in variables.items() if "default" not in body}
        assert required <= given, f"{call_name}: missing {required - given}"
    text = "\n".join(p.read_text() for p in ALL_DIRS[directory].glob("*.tf"))
    for call_name, output in re.findall(r"\bmodule\.([a-z_]+)(?:\[\*\]|\[0\])?\.([a-z_]+)", text):
        module = load_dir((ALL_DIRS[directory] / calls[call_name]["source"]).resolve())
        assert output in labelled(module, "output"), f"module.{call_name}.{output} does not exist"


def test_modules_that_call_modules_include_the_composition():
    callers = {n for n, path in ALL_DIRS.items() if labelled(load_dir(path), "module")}
    assert callers == {"modules/thumbnail-stack", *(f"environments/{env}" for env in ENVIRONMENTS)}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_know_nothing_about_environments(name):
    config = load_dir(MODULES[name])
    assert not config.get("provider"), "providers (region, default_tags) belong to the environment roots"
    assert not {"environment", "env", "region"} & set(labelled(config, "variable"))
    text = "\n".join(p.read_text() for p in MODULES[name].glob("*.tf"))
    assert not re.search(r"\bEnvironment\b|\benvironments/", text)
    # No environment's own values either: those are arguments of the environment's call.
    for env in ENVIRONMENTS:
        assert f'"{env}"' not in text
        for value in (stack_call(env)["source_bucket"], stack_call(env)["function_name"]):
            assert f'"{value}"' not in text, f"{name} mentions {env}'s {value}"


@pytest.mark.parametrize("name", sorted(ALL_DIRS))
def test_versions_pin_terraform_and_the_aws_major(name):
    terraform = one(load_dir(ALL_DIRS[name])["terraform"])
    assert terraform["required_version"] == ">= 1.5"
    aws = one(terraform["required_providers"])["aws"]
    assert aws == {"source": "hashicorp/aws", "version": "~> 6.0"}


def test_no_acl_anywhere():
    for path in every_file():
        if path.suffix in {".tf", ".tfvars", ".hcl", ".example"}:
            assert not re.search(r"^\s*acl\s*=", path.read_text(), re.M), path
            assert "aws_s3_bucket_acl" not in path.read_text(), path


def test_no_credentials_in_any_file():
    hits = {str(p.relative_to(TERRAFORM_DIR)): credential_hits(p.read_text(errors="replace")) for p in every_file()}
    assert {path: found for path, found in hits.items() if found} == {}


def test_the_credential_scan_finds_planted_secrets():
    key_id = "AKIA" + "ABCDEFGHIJKLMNOP"
    assert credential_hits(f'access_key = "{key_id}"\npassword = "hunter2"\n')
    assert credential_hits("aws_secret_access_key=abc")
    assert not credential_hits('password_length = 12\nsecret_arn = var.secret_arn\n')
