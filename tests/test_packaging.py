"""The installable package: ranges in pyproject.toml agree with the lock, and `pip install .` works.

requirements*.txt are the exact lock (make, CI); pyproject.toml declares ranges and extras for a plain
`pip install 'thumbrouter[router]'`. The install test builds the wheel from a copy of the sources (a
build writes build/ and *.egg-info next to them), installs it into a fresh venv from a wheelhouse in
dist/.cache/pkgtest, and runs the console script. The wheelhouse is filled from PyPI on the first run
(pinned by requirements.txt, about 30 MB) and reused offline afterwards.
"""

import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
WHEELHOUSE = ROOT / "dist" / ".cache" / "pkgtest"
LOCKS = ("requirements.txt", "requirements-dev.txt")
# Pinned for a reproducible lock, but imported by no thumbrouter code: the declaring package owns the range
# (boto3 declares s3transfer; Flask its own five, pinned because the router's Lambda zip bundles exact versions).
TRANSITIVE = {"s3transfer", "jinja2", "markupsafe", "itsdangerous", "click", "blinker"}
# What isolated builds need: ours ([build-system] requires) and geoip2fast's (published as an sdist only).
BUILD_TOOLS = ("setuptools>=70.1", "wheel")
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^\s#;]+)")


def declared() -> dict[str, Requirement]:
    """Every requirement in [project] dependencies and extras, by canonical name (self-references skipped)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = [*project["dependencies"], *(line for extra in project["optional-dependencies"].values() for line in extra)]
    found = {}
    for requirement in map(Requirement, lines):
        name = canonicalize_name(requirement.name)
        if name != "thumbrouter":
            assert found.setdefault(name, requirement).specifier == requirement.specifier, f"{name} declared twice"
    return found


def pins(lock: str) -> dict[str, str]:
    """`name==version` lines of a lock file (comments and local paths skipped), by canonical name."""
    lines = (ROOT / lock).read_text().splitlines()
    return {canonicalize_name(m[1]): m[3] for m in map(PIN.match, lines) if m}


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_is_declared_and_inside_its_range(lock):
    ranges = declared()
    outside = [f"{name}=={version} not in {ranges[name].specifier}" for name, version in pins(lock).items()
               if name in ranges and not ranges[name].specifier.contains(version, prereleases=True)]
    undeclared = sorted(set(pins(lock)) - set(ranges) - TRANSITIVE)
    assert not outside, f"{lock}: pins outside pyproject.toml's ranges: {outside}"
    assert not undeclared, f"{lock}: pinned but declared nowhere in pyproject.toml: {undeclared}"


def test_every_declared_dependency_has_a_pin_in_a_lock():
    locked = {name for lock in LOCKS for name in pins(lock)}
    assert not sorted(set(declared()) - locked), "declared in pyproject.toml but pinned in no requirements file"


# --- a real install -------------------------------------------------------------------------------------------

def run(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([str(arg) for arg in argv], capture_output=True, text=True, timeout=600)


def ok(*argv) -> str:
    result = run(*argv)
    assert result.returncode == 0, f"{' '.join(map(str, argv))}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def build_wheel(tmp_path: Path) -> Path:
    """A wheel built from a copy of what the build reads (the checkout stays free of build/ and egg-info)."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "thumbrouter", src / "thumbrouter", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    # In an isolated build env, with [build-system] requires taken from the wheelhouse like everything else.
    from_wheelhouse([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "wheel"], src)
    return next((tmp_path / "wheel").glob("thumbrouter-*.whl"))


def from_wheelhouse(pip: list, target) -> None:
    """Run `pip ... target` offline from the wheelhouse; if that fails, fill it from PyPI (pinned by
    requirements.txt) with target, its dependencies and the build tools of any sdist, and run it again."""
    offline = [*pip, "-q", "--disable-pip-version-check", "--no-index", "--find-links", WHEELHOUSE, "-c",
               ROOT / "requirements.txt", target]
    if run(*offline).returncode == 0:
        return
    ok(sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "-c", ROOT / "requirements.txt",
       "--dest", WHEELHOUSE, target, *BUILD_TOOLS)
    for stale in WHEELHOUSE.glob("thumbrouter-*"):  # pip download copies the local wheel too
        stale.unlink()
    ok(*offline)


@pytest.mark.slow
def test_pip_install_gives_a_working_thumbrouter_command_and_the_router_extra_imports(tmp_path):
    wheel = build_wheel(tmp_path)
    venv.create(tmp_path / "venv", with_pip=True)
    python, script = tmp_path / "venv/bin/python", tmp_path / "venv/bin/thumbrouter"

    from_wheelhouse([python, "-m", "pip", "install"], wheel)
    help_text = ok(script, "--help")
    assert all(command in help_text for command in ("dev", "backfill", "build-lambda", "deploy")), help_text
    ok(python, "-c", "import thumbrouter.imagecore, thumbrouter.s3job")
    missing = run(script, "backfill", "--help")  # tqdm comes with the [cli] extra
    assert missing.returncode == 2 and "thumbrouter[cli]" in missing.stderr, missing.stderr

    from_wheelhouse([python, "-m", "pip", "install"], f"{wheel}[router]")
    ok(python, "-c", "from thumbrouter.router import create_app")
