"""Terraform environments (terraform/environments/<name>): lookup, backend config and artifact variables.

What can go wrong: DeployError for an unknown environment (the message lists the known ones) or a
missing backend.hcl (the message says how to create it).
"""

import re
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENTS_DIR = Path(__file__).resolve().parents[2] / "terraform" / "environments"
BACKEND_FILE = "backend.hcl"
# Environments where apply/destroy need the environment's name typed, not just "yes".
PROTECTED = frozenset({"prod"})


class DeployError(Exception):
    """The deploy cannot go ahead; the message says what to do."""


@dataclass(frozen=True)
class Environment:
    name: str
    path: Path

    @property
    def protected(self) -> bool:
        return self.name in PROTECTED

    def declares(self, variable: str) -> bool:
        """True when a .tf file of the root declares `variable "<name>"`."""
        pattern = re.compile(rf'^\s*variable\s+"{re.escape(variable)}"', re.MULTILINE)
        return any(pattern.search(tf.read_text()) for tf in self.path.glob("*.tf"))

    def tfvars_value(self, variable: str) -> str | None:
        """A plain string `variable = "value"` from terraform.tfvars, if set there."""
        tfvars = self.path / "terraform.tfvars"
        if not tfvars.is_file():
            return None
        match = re.search(rf'^\s*{re.escape(variable)}\s*=\s*"([^"]*)"', tfvars.read_text(), re.MULTILINE)
        return match.group(1) if match else None


def known_environments(root: Path = ENVIRONMENTS_DIR) -> list[str]:
    return sorted(path.name for path in root.iterdir() if path.is_dir() and any(path.glob("*.tf")))


def find_environment(name: str, root: Path = ENVIRONMENTS_DIR) -> Environment:
    """The environment called name. Raises DeployError listing the known ones."""
    known = known_environments(root) if root.is_dir() else []
    if name not in known:
        raise DeployError(f"unknown environment {name!r}; known: {', '.join(known) or f'none in {root}'}")
    return Environment(name=name, path=root / name)


def require_backend_config(env: Environment) -> Path:
    """The environment's backend.hcl. Raises DeployError saying how to create it."""
    config = env.path / BACKEND_FILE
    if not config.is_file():
        raise DeployError(
            f"{config} is missing: Terraform keeps {env.name}'s state in the S3 bucket it names. "
            f"Create it with `cp {config}.example {config}` and set the state bucket "
            f"(it is git-ignored).")
    return config
