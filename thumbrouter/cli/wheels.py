"""Wheels for the Lambda platform: pip downloads each once into a cache, then installs it offline.

A pure-Python project published only as an sdist (SDIST_ONLY) is built into a py3-none-any wheel
here instead: such a wheel installs on every platform.

What can go wrong: ArtifactError when PyPI is unreachable on the first build, when no wheel exists
for that Python and architecture, or when pip fails or takes longer than PIP_TIMEOUT.
"""

import subprocess
import sys
from pathlib import Path

from thumbrouter.cli.artifact import ArtifactError, Target

PIP_TIMEOUT = 600  # seconds for one pip run; its own per-request network timeout is --timeout
MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}
# Lambda's Python 3.12+ runtimes run Amazon Linux 2023 (glibc 2.34); 3.9-3.11 run Amazon Linux 2 (glibc 2.26).
AL2_PYTHONS = frozenset({"3.9", "3.10", "3.11"})
# Pure Python, no wheel on PyPI (geoip2fast ships its data files in the sdist).
SDIST_ONLY = frozenset({"geoip2fast"})


def platform_args(target: Target) -> list[str]:
    """pip's --platform/--python-version/--implementation flags; none for a local build."""
    if target.platform == "local":
        return []
    machine = MACHINES[target.arch]
    if target.python in AL2_PYTHONS:
        tags = [f"manylinux_2_26_{machine}", f"manylinux2014_{machine}"]
    else:
        tags = [f"manylinux_2_34_{machine}", f"manylinux_2_28_{machine}", f"manylinux2014_{machine}"]
    flags = [flag for tag in tags for flag in ("--platform", tag)]
    return [*flags, "--python-version", target.python, "--implementation", "cp"]


def cached_wheel(pin: str, wheel_dir: Path) -> Path | None:
    """The cached wheel for `name==version`, if a previous build downloaded it."""
    name, version = pin.split("==")
    found = sorted(wheel_dir.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    return found[0] if found else None


def install(pin: str, target: Target, dest: Path, cache_dir: Path) -> None:
    """Install `pin` (no dependencies, binary only) into dest for target, downloading only on a cache miss."""
    wheel_dir = cache_dir / Path(target.zip_name).stem
    if cached_wheel(pin, wheel_dir) is None and pin.split("==")[0] in SDIST_ONLY:
        _pip("wheel", "--wheel-dir", str(wheel_dir), "--no-binary", pin.split("==")[0], pin, target=target)
    elif cached_wheel(pin, wheel_dir) is None:
        _pip("download", "--dest", str(wheel_dir), *platform_args(target), pin, target=target)
    _pip("install", "--no-index", "--find-links", str(wheel_dir), "--no-compile", "--target", str(dest),
         *platform_args(target), pin, target=target)


def _pip(command: str, *args: str, target: Target) -> None:
    argv = [sys.executable, "-m", "pip", command, "--disable-pip-version-check", "--no-input",
            "--timeout", "30", "--retries", "2", "--no-deps", *(() if command == "wheel" else ("--only-binary=:all:",)),
            *args]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PIP_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise ArtifactError(f"pip {command} took longer than {PIP_TIMEOUT}s") from exc
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        hint = " Lambda's Python <= 3.11 runs Amazon Linux 2 (glibc 2.26): try --python 3.12." \
            if target.python in AL2_PYTHONS and target.platform == "lambda" else ""
        raise ArtifactError(f"pip {command} failed for {target} (network, or no wheel for this "
                            f"Python/architecture).{hint}\n{tail}")
