"""s3rver (npm), a local S3 server that enforces bucket CORS as S3 does (moto answers every preflight).

Installed on first use with npm into `.cache/npm-test/` in the repository (pinned, git-ignored), as the
Makefile installs Debian packages; started on a free 127.0.0.1 port with its own data directory and
stopped by its PID. It checks SigV4 signatures against its fixed credentials (S3RVER / S3RVER).
"""

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.servers import free_port, wait_for_port

VERSION = "3.7.1"
REPO = Path(__file__).resolve().parents[2]
PREFIX = REPO / ".cache" / "npm-test"
BINARY = PREFIX / "node_modules" / ".bin" / "s3rver"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}


def install() -> Path:
    """s3rver's binary, installing the pinned version with npm when it is missing; raises CalledProcessError."""
    package = PREFIX / "node_modules" / "s3rver" / "package.json"
    if BINARY.exists() and f'"version": "{VERSION}"' in package.read_text():
        return BINARY
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm is needed to install s3rver (Debian: nodejs npm)")
    PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "--loglevel=error",
                    f"s3rver@{VERSION}"], check=True, timeout=300, capture_output=True)
    return BINARY


@dataclass
class S3rver:
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "S3rver":
        self.process = subprocess.Popen(
            [str(install()), "-d", str(self.directory), "-a", "127.0.0.1", "-p", str(self.port), "--silent",
             "--no-vhost-buckets"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, timeout=30)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
