"""docs/configuration.md lists exactly the variables the deployables read.

Read by the loaders: each loader runs on a recording environment that notes every name it asks for.
Read directly: every `os.environ` lookup with a literal name in the shipped code.
"""

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from thumbrouter.cli.check import Target
from thumbrouter.cli.environments import DeployError
from thumbrouter.cli.terraform import TerraformNotFound, find_terraform
from thumbrouter.router.config import load_settings
from thumbrouter.router.secrets import PREFIX, SECRET_VARIABLES, SUFFIX
from thumbrouter.s3job import LambdaSettings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"
SHIPPED = ("thumbrouter", "lambda", "router")
ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \|", re.MULTILINE)
NAME = r'"([A-Z][A-Z0-9_]*)"'
DIRECT = [re.compile(p) for p in (rf"os\.environ(?:\.get|\.setdefault|\.pop)?\(\s*{NAME}",
                                   rf"os\.environ\[\s*{NAME}\s*\]", rf"{NAME}\s+(?:not\s+)?in\s+os\.environ",
                                   rf"os\.getenv\(\s*{NAME}")]


class Recording(Mapping):
    """An environment that remembers every name looked up in it."""

    def __init__(self, values: Mapping[str, str]):
        self.values, self.asked = dict(values), set()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        return self.values[name]

    def get(self, name, default=None):
        self.asked.add(name)
        return self.values.get(name, default)

    def __contains__(self, name) -> bool:
        self.asked.add(name)
        return name in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def asked_by(load, values: Mapping[str, str]) -> set[str]:
    environ = Recording(values)
    try:
        load(environ)
    except (TerraformNotFound, DeployError):
        pass  # what it looked up is recorded all the same
    return environ.asked


def read_by_loaders() -> set[str]:
    return (asked_by(load_settings, {"THUMBROUTER_S3_BUCKET": "photos", "THUMBROUTER_DOMESTIC_COUNTRIES": ""})
            | asked_by(LambdaSettings.from_env, {}) | asked_by(find_terraform, {"PATH": "/nonexistent"})
            | asked_by(lambda environ: Target.from_environ("http://127.0.0.1", "a.jpg", environ), {})
            | {f"{PREFIX}{name}{SUFFIX}" for name in SECRET_VARIABLES})  # matched by suffix, not looked up


def read_directly() -> set[str]:
    names = set()
    for top in SHIPPED:
        for path in (ROOT / top).rglob("*.py"):
            text = path.read_text()
            names.update(name for pattern in DIRECT for name in pattern.findall(text))
    return names


def documented() -> set[str]:
    return set(ROW.findall(DOC.read_text()))


def test_every_variable_the_code_reads_is_documented():
    missing = (read_by_loaders() | read_directly()) - documented()
    assert not missing, f"read by the code, missing from docs/configuration.md: {sorted(missing)}"


def test_every_documented_variable_is_read_by_some_code():
    unread = documented() - read_by_loaders() - read_directly()
    assert not unread, f"listed in docs/configuration.md, read by nothing: {sorted(unread)}"


def test_the_recording_sees_what_a_loader_reads():
    assert {"THUMBROUTER_API_TOKENS", "THUMBROUTER_QINIU_SECRET_KEY"} <= read_by_loaders()
    assert {"GUNICORN_BIND", "PROMETHEUS_MULTIPROC_DIR"} <= read_directly()
