"""The Lambda zips' contents (one per function: the thumbnailer, the router), their inputs digest,
deterministic zip writing and Lambda's size limits.

What can go wrong: ArtifactError (no handler in lambda/, an unpinned bundled package, a zip over Lambda's limits).
"""

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

# Lambda's documented limits for a direct zip upload and for the unzipped function.
MIB = 1024 * 1024
ZIP_LIMIT = 50 * MIB
UNZIPPED_LIMIT = 250 * MIB
# Zip cannot store dates before 1980; a fixed date keeps the bytes (and Terraform's hash) stable.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
EXCLUDED_DIRS = frozenset({"__pycache__", "tests", ".pytest_cache", ".mypy_cache"})
EXCLUDED_SUFFIXES = frozenset({".pyc", ".pyo"})
# Bump when the way the zip is assembled changes, so old stamps stop matching.
FORMAT_VERSION = "1"


class ArtifactError(Exception):
    """The artifact cannot be built; the message says what to change."""


@dataclass(frozen=True)
class Target:
    """Which runtime the zip is for; platform "lambda" = Amazon Linux wheels, "local" = this interpreter."""

    python: str
    arch: str
    platform: str = "lambda"
    function: str = "thumbnailer"  # a key of CONTENTS

    @property
    def zip_name(self) -> str:
        suffix = "" if self.platform == "lambda" else f"-{self.platform}"
        return f"{self.function}-{self.python}-{self.arch}{suffix}.zip"

    @property
    def contents(self) -> "Contents":
        return CONTENTS[self.function]


@dataclass(frozen=True)
class Size:
    zipped: int
    unzipped: int

    def describe(self) -> str:
        return f"{self.zipped / MIB:.1f} MiB zipped, {self.unzipped / MIB:.1f} MiB unzipped"


def is_shipped(relative: Path) -> bool:
    """True for files that belong in the zip (no caches, bytecode or tests)."""
    if any(part in EXCLUDED_DIRS or part.startswith("test_") or part.endswith(".egg-info")
           for part in relative.parts):
        return False
    if relative.name in {"conftest.py", ".DS_Store"}:
        return False
    return relative.suffix not in EXCLUDED_SUFFIXES


def tree_entries(root: Path) -> list[tuple[str, Path]]:
    """(name in zip, file on disk) for every shipped file under root, sorted by name."""
    entries = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_file() and is_shipped(relative):
            entries.append((relative.as_posix(), path))
    return sorted(entries)


@dataclass(frozen=True)
class Contents:
    """What one function's zip holds: handler modules from lambda/ (at the zip root), packages of the
    repository, and the requirements.txt pins installed beside them."""

    handlers: tuple[str, ...]
    packages: tuple[str, ...]
    bundled: tuple[str, ...]
    omitted: tuple[str, ...] = ()  # files of the bundled wheels the function never opens (a tuple: its repr,
    # part of the inputs digest, must not depend on the process's hash seed as a set's order does)
    # (requirement, architectures) bundled only there: cykooz-resizer (SIMD resizing, imagecore/resample.py)
    # has x86_64 wheels only, so an arm64 zip resizes with Pillow.
    arch_only: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def bundled_for(self, arch: str) -> tuple[str, ...]:
        """The requirement names the zip for `arch` bundles, in install order."""
        return self.bundled + tuple(name for name, arches in self.arch_only if arch in arches)


LAMBDA_DIR = "lambda"
# The thumbnailer bundles Pillow, isal (ISA-L inflate of PNG input) and zlib-ng (deflate of PNG output;
# imagecore falls back to Pillow and CPython's zlib without them, slower: bench/results/thumbnails.md and
# hotpaths.md) and pillow-heif (HEIC input). The
# router and the CLI never ship in it.
# The router bundles Flask and what it imports at start-up (its image-core names need no Pillow: /thumb
# generates through the on-demand function). Qiniu and a MaxMind .mmdb are not bundled: the function
# serves S3; a Qiniu deployment runs the router under gunicorn (configured on Lambda, either fails the
# cold start with router.config.missing_package's ConfigError naming the setting).
CONTENTS = {
    "thumbnailer": Contents(
        handlers=("create_thumbnail.py", "on_demand.py"),
        packages=("thumbrouter/__init__.py", "thumbrouter/imagecore", "thumbrouter/s3job"),
        bundled=("pillow", "isal", "zlib-ng", "pillow-heif"), arch_only=(("cykooz-resizer", ("x86_64",)),)),
    "router": Contents(
        handlers=("router_lambda.py",),
        packages=("thumbrouter/__init__.py", "thumbrouter/imagecore", "thumbrouter/s3job", "thumbrouter/router"),
        bundled=("apig-wsgi", "flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "blinker",
                 "cachetools", "prometheus-client", "geoip2fast", "redis"),
        # router.geo loads geoip2fast-ipv6.dat.gz (IPv4 and IPv6 countries); the ASN and IPv4-only data are 9 MiB.
        omitted=("geoip2fast/geoip2fast-asn-ipv6.dat.gz", "geoip2fast/geoip2fast-asn.dat.gz",
                 "geoip2fast/geoip2fast.dat.gz")),
}


def lambda_entries(root: Path, contents: Contents) -> list[tuple[str, Path]]:
    """The handler modules and the packages they run. Raises ArtifactError when a handler is missing."""
    lambda_dir = root / LAMBDA_DIR
    entries = []
    for handler in contents.handlers:
        if not (lambda_dir / handler).is_file():
            raise ArtifactError(f"{lambda_dir / handler} not found: the zip needs the Lambda handler")
        entries.append((handler, lambda_dir / handler))
    for package in contents.packages:
        path = root / package
        if path.is_file():
            entries.append((package, path))
        else:
            entries += [(f"{package}/{name}", file) for name, file in tree_entries(path)]
    return sorted(entries)


def bundled_pins(requirements: Path, bundled: tuple[str, ...]) -> tuple[str, ...]:
    """The exact `name==X` lines (markers dropped) of `bundled` in requirements.txt.

    Raises ArtifactError when one is absent or unpinned.
    """
    pins = {}
    for line in requirements.read_text().splitlines():
        requirement = line.split("#")[0].split(";")[0].strip().lower().replace(" ", "")
        name = re.split(r"[=<>!~\[;]", requirement, maxsplit=1)[0].replace("_", "-")
        if name in bundled:
            if "==" not in requirement:
                raise ArtifactError(f"{requirements}: pin {name} exactly ({name}==X.Y.Z), got {line!r}")
            pins[name] = requirement
    missing = [name for name in bundled if name not in pins]
    if missing:
        raise ArtifactError(f"{requirements} has no {missing[0]}==X.Y.Z line")
    return tuple(pins[name] for name in bundled)


def inputs_digest(entries: list[tuple[str, Path]], pins: tuple[str, ...], target: Target) -> str:
    """SHA-256 over everything that decides the zip's bytes: code, the bundled pins, the target and its contents."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}\0{','.join(pins)}\0{target}\0{target.contents}\0".encode())
    for name, path in entries:
        digest.update(f"{name}\0{_mode(path):o}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _mode(path: Path) -> int:
    return 0o755 if os.stat(path).st_mode & 0o111 else 0o644


def write_zip(entries: list[tuple[str, Path]], out: Path) -> None:
    """Write entries sorted, with fixed dates, permissions and compression, so equal inputs give equal bytes."""
    with zipfile.ZipFile(out, "w") as archive:
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.create_system = 3  # unix, so external_attr carries the permission bits
            info.external_attr = (0o100000 | _mode(path)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=6)


def measure(zip_path: Path) -> Size:
    with zipfile.ZipFile(zip_path) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    return Size(zipped=zip_path.stat().st_size, unzipped=unzipped)


def check_limits(size: Size) -> None:
    """Raises ArtifactError when Lambda would refuse the zip."""
    if size.zipped > ZIP_LIMIT:
        raise ArtifactError(f"zip is {size.describe()}; Lambda accepts at most {ZIP_LIMIT // MIB} MiB zipped")
    if size.unzipped > UNZIPPED_LIMIT:
        raise ArtifactError(f"zip is {size.describe()}; Lambda accepts at most {UNZIPPED_LIMIT // MIB} MiB unzipped")
