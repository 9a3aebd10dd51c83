"""Build a Lambda zip into dist/: the thumbnailer (image core, S3 job, Pillow, isal, zlib-ng and pillow-heif for
the Lambda platform, cykooz-resizer on x86_64) or, with --function router, the router.

The thumbnailer holds its lambda/ handlers, the image core and S3 job, and Pillow, isal, zlib-ng and pillow-heif wheels
(and on x86_64 cykooz-resizer); the router holds lambda/router_lambda.py, the router package, Flask and the
WSGI adapter (no image stack).

Rebuilds only when its inputs changed (the code the zip ships, the bundled pins, Python, architecture).
What can go wrong: ArtifactError (no handler, pip or network failure, zip above Lambda's limits) -> exit 1.
"""

import argparse
import os
import platform
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from thumbrouter.cli import wheels
from thumbrouter.cli.artifact import (
    CONTENTS,
    ArtifactError,
    Size,
    Target,
    bundled_pins,
    check_limits,
    inputs_digest,
    lambda_entries,
    measure,
    tree_entries,
    write_zip,
)

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PYTHON = "3.12"
DEFAULT_ARCH = "x86_64"
LOCAL_ARCHES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}
# The Lambda runtime ships these; bundling them would shadow the runtime's and bloat the zip.
RUNTIME_PROVIDED = ("boto3/", "botocore/", "s3transfer/")


@dataclass(frozen=True)
class BuildRequest:
    target: Target
    out_dir: Path = REPO / "dist"
    root: Path = REPO  # the repository: lambda/ and thumbrouter/ (see artifact.CONTENTS)
    requirements: Path = REPO / "requirements.txt"
    cache_dir: Path = REPO / "dist" / ".cache" / "wheels"  # downloaded wheels, shared by every out_dir

    @property
    def zip_path(self) -> Path:
        return self.out_dir / self.target.zip_name

    @property
    def stamp_path(self) -> Path:
        return self.zip_path.with_name(self.zip_path.name + ".inputs")


@dataclass(frozen=True)
class Artifact:
    path: Path
    size: Size
    built: bool  # False when an up-to-date zip was reused


def local_target(function: str = "thumbnailer") -> Target:
    """This interpreter and machine (for tests that run the zip's code here)."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return Target(python=python, arch=LOCAL_ARCHES.get(platform.machine().lower(), platform.machine()),
                  platform="local", function=function)


def ensure_artifact(request: BuildRequest, force: bool = False) -> Artifact:
    """The zip for request, rebuilt only when its inputs digest changed. Raises ArtifactError."""
    contents = request.target.contents
    entries = lambda_entries(request.root, contents)
    pins = bundled_pins(request.requirements, contents.bundled_for(request.target.arch))
    digest = inputs_digest(entries, pins, request.target)
    stamp = request.stamp_path
    if not force and request.zip_path.is_file() and stamp.is_file() and stamp.read_text().strip() == digest:
        return Artifact(request.zip_path, measure(request.zip_path), built=False)
    stamp.unlink(missing_ok=True)  # a crash mid-build must not leave a stamp vouching for an old zip
    _build(request, entries, pins)
    stamp.write_text(digest + "\n")
    return Artifact(request.zip_path, measure(request.zip_path), built=True)


def _build(request: BuildRequest, entries: list[tuple[str, Path]], pins: tuple[str, ...]) -> None:
    request.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=request.out_dir) as tmp:
        site = Path(tmp) / "site"
        for pin in pins:
            wheels.install(pin, request.target, site, request.cache_dir)
        staged = Path(tmp) / request.target.zip_name
        omitted = request.target.contents.omitted
        write_zip(_merge(entries, [e for e in tree_entries(site) if e[0] not in omitted]), staged)
        check_limits(measure(staged))
        os.replace(staged, request.zip_path)


def _merge(code: list[tuple[str, Path]], deps: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """Code and dependencies side by side at the zip root. Raises ArtifactError on a clash or boto3."""
    clashes = {name for name, _ in code} & {name for name, _ in deps}
    if clashes:
        raise ArtifactError(f"our code and the installed wheels both provide {sorted(clashes)[:3]}")
    bundled = [name for name, _ in deps if name.startswith(RUNTIME_PROVIDED)]
    if bundled:
        raise ArtifactError(f"the zip must not bundle boto3/botocore (the runtime has them): {bundled[0]}")
    return code + deps


def request_from_args(args: argparse.Namespace) -> BuildRequest:
    """BuildRequest from --python/--arch/--platform/--out. Raises ArtifactError on a bad combination."""
    if args.platform == "local":
        target = local_target(args.function)
        if (args.python or target.python) != target.python or (args.arch or target.arch) != target.arch:
            raise ArtifactError(f"--platform local builds for this interpreter ({target.python}, {target.arch})")
    else:
        target = Target(python=args.python or DEFAULT_PYTHON, arch=args.arch or DEFAULT_ARCH, function=args.function)
    if not re.fullmatch(r"3\.\d{1,2}", target.python):
        raise ArtifactError(f"--python must look like 3.12, got {target.python!r}")
    return BuildRequest(target=target, out_dir=Path(args.out).resolve())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--function", choices=sorted(CONTENTS), default="thumbnailer",
                        help="which function's zip (default thumbnailer)")
    parser.add_argument("--arch", choices=["x86_64", "arm64"], help=f"Lambda architecture (default {DEFAULT_ARCH})")
    parser.add_argument("--python", help=f"Lambda Python version (default {DEFAULT_PYTHON})")
    parser.add_argument("--out", default=str(REPO / "dist"), help="output directory (default: dist/ in the repo)")
    parser.add_argument("--platform", choices=["lambda", "local"], default="lambda",
                        help="lambda: Amazon Linux wheels; local: this interpreter's (for tests)")
    parser.add_argument("--force", action="store_true", help="rebuild even when the inputs did not change")


def run(args: argparse.Namespace) -> int:
    try:
        artifact = ensure_artifact(request_from_args(args), force=args.force)
    except ArtifactError as exc:
        print(f"build-lambda: {exc}", file=sys.stderr)
        return 1
    state = "built" if artifact.built else "up to date"
    print(f"{artifact.path}: {artifact.size.describe()} ({state})")
    return 0
