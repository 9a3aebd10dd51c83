"""deploy ENV check against the local stack: the router run from its artifact behind a local HTTP front, the
local S3, the URL from a real Terraform output; deploy apply hands Terraform the router's artifact too."""

import io
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_deploy import RECORDING_TERRAFORM
from tests.support.function_url import ArtifactProcess, LocalFront, lambda_runtime_dir, unzip
from thumbrouter.cli import main

TOKEN = "check-token-0123456789abcdef"
ROOT = """
terraform {
  backend "local" {}
}

variable "lambda_zip_path" {
  type = string
}

variable "router_zip_path" {
  type = string
}

resource "terraform_data" "router" {
  input = var.router_zip_path
}

output "router_url" {
  value = "%s"
}
"""
pytestmark = pytest.mark.filterwarnings("ignore:The 'warn' method is deprecated:DeprecationWarning")


@pytest.fixture
def front(router_zip, s3_server, buckets, tmp_path):
    """The router's unzipped artifact in a fresh interpreter, behind a loopback HTTP front."""
    function = ArtifactProcess(unzip(router_zip.path, tmp_path / "task"), lambda_runtime_dir(tmp_path / "runtime"), {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": s3_server.url, "THUMBROUTER_S3_BUCKET": buckets[0],
        "THUMBROUTER_DOMESTIC_COUNTRIES": "", "THUMBROUTER_API_TOKENS": TOKEN, "THUMBROUTER_ONDEMAND": "0"})
    server = LocalFront(function).start()
    yield server
    server.stop()
    function.stop()


@pytest.fixture
def environments(tmp_path, front):
    root = tmp_path / "environments" / "test"
    root.mkdir(parents=True)
    (root / "main.tf").write_text(ROOT % front.url)
    (root / "backend.hcl").write_text(f'path = "{tmp_path}/state/test.tfstate"\n')
    return root.parent


@pytest.fixture
def deploy(environments, monkeypatch, capfd):
    def invoke(*args, env=None) -> subprocess.CompletedProcess:
        for name, value in {"THUMBROUTER_CHECK_TOKEN": TOKEN, **(env or {})}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        code = main(["deploy", *args, "--environments-dir", str(environments)])
        out, err = capfd.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)
    monkeypatch.delenv("TERRAFORM_BIN", raising=False)
    monkeypatch.delenv("THUMBROUTER_CHECK_KEY", raising=False)
    return invoke


@pytest.fixture
def black_hole_url():
    """A loopback port that completes handshakes and never answers: a router that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def stand_in(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x05\x06" + bytes(18))
    return path


def test_check_passes_every_step_against_the_router_from_its_artifact(deploy, front, s3, buckets):
    s3.put_object(Bucket=buckets[0], Key="check/probe.jpg", Body=b"probe")
    done = deploy("test", "check", "--url", front.url, "--key", "check/probe.jpg")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[:4]] == ["ok"] * 4
    assert "5 bytes read" in lines[3] and lines[-1].endswith("passed")


def test_a_wrong_token_fails_the_api_step_and_skips_the_fetch(deploy, front):
    done = deploy("test", "check", "--url", front.url, "--key", "check/probe.jpg",
                  env={"THUMBROUTER_CHECK_TOKEN": "wrong-token-0123456789abcdef"})
    assert done.returncode == 1
    assert "FAIL  GET /v1/download-urls" in done.stdout and "HTTP 401" in done.stdout
    assert "FAIL  fetch download_url" in done.stdout and "skipped" in done.stdout
    assert done.stdout.splitlines()[0].startswith("ok")  # /healthz still answered


def test_a_key_that_is_not_there_fails_the_fetch(deploy, front):
    done = deploy("test", "check", "--url", front.url, "--key", "check/never-uploaded.jpg")
    assert done.returncode == 1
    assert "FAIL  fetch download_url" in done.stdout and "HTTP 404" in done.stdout


def test_an_unreachable_router_fails_every_step_within_the_timeouts(deploy, black_hole_url):
    done = deploy("test", "check", "--url", black_hole_url, "--key", "k.jpg", "--timeout", "0.3")
    assert done.returncode == 1 and done.stdout.count("FAIL  ") == 4
    assert done.stdout.count("Read timed out") == 3


def test_without_a_token_in_the_environment_check_names_the_variable(deploy, front):
    done = deploy("test", "check", "--url", front.url, "--key", "k.jpg", env={"THUMBROUTER_CHECK_TOKEN": ""})
    assert done.returncode == 1 and "THUMBROUTER_CHECK_TOKEN" in done.stderr


@pytest.mark.slow
def test_check_reads_the_router_url_from_the_applied_terraform_output(deploy, front, s3, buckets, tmp_path):
    s3.put_object(Bucket=buckets[0], Key="check/from-output.jpg", Body=b"probe")
    zips = ["--zip", str(stand_in(tmp_path / "t.zip")), "--router-zip", str(stand_in(tmp_path / "r.zip"))]
    applied = deploy("test", "apply", "--auto-approve", *zips)
    assert applied.returncode == 0, applied.stderr
    state = json.loads((tmp_path / "state" / "test.tfstate").read_text())
    assert state["resources"][0]["instances"][0]["attributes"]["input"]["value"] == str(tmp_path / "r.zip")
    done = deploy("test", "check", "--key", "check/from-output.jpg")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"check {front.url}: passed" in done.stdout


def test_check_without_a_router_url_output_says_to_pass_url(deploy, environments, tmp_path):
    (environments / "test" / "main.tf").write_text('terraform {\n  backend "local" {}\n}\n')
    done = deploy("test", "check", "--key", "k.jpg")
    assert done.returncode == 1 and "no router_url output" in done.stderr


def test_apply_builds_the_router_artifact_for_arm64_when_the_environment_declares_it(deploy, tmp_path):
    script, record = tmp_path / "bin" / "terraform", tmp_path / "argv.jsonl"
    script.parent.mkdir()
    script.write_text(RECORDING_TERRAFORM.format(python=sys.executable))
    script.chmod(0o755)
    environ = {"TERRAFORM_BIN": str(script), "FAKE_TF_RECORD": str(record), "FAKE_TF_PLAN_EXIT": "0"}
    dist = tmp_path / "built"
    done = deploy("test", "apply", "--zip", str(stand_in(tmp_path / "t.zip")), "--dist", str(dist), env=environ)
    assert done.returncode == 0, done.stderr
    assert "router-3.12-arm64.zip" in done.stderr and "built)" in done.stderr
    plan = next(json.loads(line) for line in record.read_text().splitlines() if json.loads(line)[0] == "plan")
    assert f"-var=router_zip_path={dist / 'router-3.12-arm64.zip'}" in plan
    again = deploy("test", "plan", "--zip", str(tmp_path / "t.zip"), "--dist", str(dist), env=environ)
    assert "router-3.12-arm64.zip" in again.stderr and "up to date" in again.stderr
