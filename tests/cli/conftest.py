"""One local-platform Lambda zip of each function per test session, built with a wheel cache that outlives the
session."""

import subprocess
import sys

import pytest

from thumbrouter.cli.build_lambda import REPO, BuildRequest, ensure_artifact, local_target

# dist/ is git-ignored; keeping downloaded wheels there means only the first run ever needs PyPI.
WHEEL_CACHE = REPO / "dist" / ".cache" / "wheels"


def local_request(out_dir, **changes) -> BuildRequest:
    """A build for this interpreter into out_dir, sharing the persistent wheel cache."""
    return BuildRequest(target=local_target(), out_dir=out_dir, cache_dir=WHEEL_CACHE, **changes)


@pytest.fixture(scope="session")
def local_zip(tmp_path_factory):
    """The Artifact built from the repo's lambda/ for this interpreter."""
    return ensure_artifact(local_request(tmp_path_factory.mktemp("dist")), force=True)


@pytest.fixture(scope="session")
def router_zip(tmp_path_factory):
    """The router's Artifact (build-lambda --function router) for this interpreter."""
    request = BuildRequest(target=local_target("router"), out_dir=tmp_path_factory.mktemp("dist"),
                           cache_dir=WHEEL_CACHE)
    return ensure_artifact(request, force=True)


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """`thumbrouter ARGS...` in a child process (the console script's entry point), text output."""
    argv = [sys.executable, "-c", "import sys; from thumbrouter.cli import main; sys.exit(main(sys.argv[1:]))", *args]
    kwargs.setdefault("timeout", 300)
    return subprocess.run(argv, capture_output=True, text=True, cwd=REPO, **kwargs)
