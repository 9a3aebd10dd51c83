"""checkov over terraform/ passes with the repository's skip list, and every skip says why."""

import os
import re
import subprocess

import pytest

from tests.terraform.support import REPO, TERRAFORM_DIR

CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
CONFIG = TERRAFORM_DIR / ".checkov.yaml"
SKIP_LINE = re.compile(r"^\s*-\s*(CKV2?_AWS_\d+)\s*#\s*(.*)$")

needs_checkov = pytest.mark.skipif(
    not CHECKOV.exists(), reason="checkov lives in .venv-checkov; `make test` (or `make checkov`) creates it")


def checkov(directory) -> subprocess.CompletedProcess:
    # BC_SKIP_MAPPING and skip-download keep checkov from calling Prisma Cloud: the scan is offline.
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    return subprocess.run([str(CHECKOV), "-d", str(directory), "--config-file", str(CONFIG)],
                          capture_output=True, text=True, timeout=300, cwd=REPO, env=env)


def skips() -> dict[str, str]:
    lines = CONFIG.read_text().splitlines()
    start = lines.index("skip-check:")
    entries = [line for line in lines[start + 1:] if line.strip().startswith("-")]
    found = {m.group(1): m.group(2).strip() for m in map(SKIP_LINE.match, entries) if m}
    assert len(found) == len(entries), "every skip-check entry must be `- CKV_... # reason`"
    return found


def test_every_skipped_check_says_why():
    for check, reason in skips().items():
        assert len(reason.split()) >= 5, f"{check} needs a reason"


INLINE_SKIP = re.compile(r"#\s*checkov:skip=(CKV2?_AWS_\d+):?(.*)$", re.M)


def test_every_inline_skip_names_its_check_and_says_why():
    found = [m for path in TERRAFORM_DIR.rglob("*.tf") for m in INLINE_SKIP.finditer(path.read_text())]
    assert found, "the cdn module skips its certificate checks inline"
    for match in found:
        assert len(match.group(2).split()) >= 5, f"{match.group(1)} needs a reason"


def test_the_skip_list_stays_short():
    assert len(skips()) <= 15


def test_checkov_scan_is_configured_offline():
    assert re.search(r"^skip-download: true$", CONFIG.read_text(), re.M)


@pytest.mark.slow
@needs_checkov
def test_checkov_passes_over_terraform():
    run = checkov(TERRAFORM_DIR)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"Failed checks: 0\b", run.stdout)
    assert int(re.search(r"Passed checks: (\d+)", run.stdout).group(1)) > 50


@pytest.mark.slow
@needs_checkov
def test_checkov_fails_a_public_bucket(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_s3_bucket_public_access_block" "open" {\n'
        '  bucket                  = "x"\n  block_public_acls       = false\n  block_public_policy     = false\n'
        '  ignore_public_acls      = false\n  restrict_public_buckets = false\n}\n')
    run = checkov(tmp_path)
    assert run.returncode != 0 and "FAILED" in run.stdout
