"""The Lambda functions keep freed picture buffers mapped: the next thumbnail faults in no new pages."""

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lambda_handler.helpers import LAMBDA_DIR
from tests.support import images

# Makes the same thumbnail three times, then prints the page faults of the third (what a warm
# function pays per picture). Page faults are counted by the kernel: no clock involved.
FAULTS_OF_A_REPEAT = """
import resource, sys
{setup}
from thumbrouter.imagecore import make_thumbnail
data = open(sys.argv[1], "rb").read()
for _ in range(2):
    make_thumbnail(data, (50, 50))
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
make_thumbnail(data, (50, 50))
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
SETUPS = {
    "nothing": "",
    "reuse_freed_memory": "from thumbrouter.imagecore import reuse_freed_memory; reuse_freed_memory()",
    "the S3 function's cold start": "import create_thumbnail",
    "the on-demand function's cold start": "import on_demand",
}

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the setting is glibc's malloc")


@pytest.fixture(scope="module")
def big_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("allocator") / "big.png"
    # grey + alpha: Pillow holds it as 4 bytes a pixel, 8.8 MiB, and frees each copy to mmap as it goes
    path.write_bytes(images.encode(images.half_transparent((1920, 1200)).convert("LA"), "PNG"))
    return path


def faults(setup: str, picture: Path) -> int:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(LAMBDA_DIR), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", FAULTS_OF_A_REPEAT.format(setup=SETUPS[setup]), str(picture)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout)


@pytest.mark.parametrize("setup", [name for name in SETUPS if name != "nothing"])
def test_a_warm_function_maps_no_new_pages_for_the_next_picture(big_png, setup):
    untuned = faults("nothing", big_png)
    assert untuned > 1920 * 1200 * 4 // 4096  # at least the decoded picture's pages, faulted in again
    assert faults(setup, big_png) < untuned // 20

