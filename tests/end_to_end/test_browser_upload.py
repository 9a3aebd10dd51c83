"""A real browser uploads to an S3 server that enforces CORS: with the Terraform rule it works, without it fails.

Headless Chromium opens a page on the router's origin; the page draws a JPEG on a canvas, asks the
router's /v1 for an upload target and PUTs the file to s3rver on another origin, which answers the
preflight by the bucket's CORS configuration as S3 does. The rule is the image-buckets module's,
rendered by real Terraform for the page's origin. After the upload the Lambda's job runs on the object
and the page shows the thumbnail through the router's download URLs.
"""

import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import uuid
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

from tests.lambda_handler.helpers import s3_event, s3_record
from tests.router.http_helpers import serve
from tests.support import s3rver
from tests.terraform.support import MODULES, evaluate
from thumbrouter.router import create_app
from thumbrouter.s3job import LambdaSettings, parse_event, process_batch

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
KEY = "uploads/from the browser.jpg"
WAIT = 90  # seconds a stage may take on a loaded machine before the test gives up (a bound, not an assert)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists() or not shutil.which("npm"),
                       reason="needs Debian's chromium and npm (make test installs them)"),
]

PAGE = """<!doctype html><meta charset="utf-8"><title>upload</title><body><script>
const KEY = THE_KEY;
const report = (what) => fetch("/report", {method: "POST", body: JSON.stringify(what)});
async function upload() {
  const canvas = document.createElement("canvas");
  canvas.width = 320; canvas.height = 200;
  const context = canvas.getContext("2d");
  context.fillStyle = "#c03"; context.fillRect(0, 0, 320, 200);
  context.fillStyle = "#06c"; context.fillRect(40, 40, 120, 80);
  const blob = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.9));
  const asked = await fetch("/v1/upload-targets", {method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify({key: KEY, size: blob.size, content_type: "image/jpeg"})});
  const target = await asked.json();
  // Content-Length is the browser's to set; every other signed header is sent as given.
  const headers = Object.fromEntries(
    Object.entries(target.headers).filter(([name]) => name.toLowerCase() !== "content-length"));
  try {
    const put = await fetch(target.url, {method: target.method, headers, body: blob});
    await report({stage: "upload", status: put.status, etag: put.headers.get("ETag")});
  } catch (error) {
    await report({stage: "upload", status: "blocked", error: String(error)});
    return;
  }
  await fetch("/proceed");
  const urls = await (await fetch("/v1/download-urls?key=" + encodeURIComponent(KEY))).json();
  const image = new Image();
  image.onload = () => report({stage: "thumbnail", width: image.naturalWidth, height: image.naturalHeight});
  image.onerror = () => report({stage: "thumbnail", error: "the thumbnail did not load"});
  image.src = urls.thumbnail_url;
  document.body.appendChild(image);
}
upload().catch((error) => report({stage: "error", error: String(error)}));
</script>"""


class Page:
    """WSGI in front of the router: /page (the uploader), /report (what the page saw), /proceed (the test's go)."""

    def __init__(self, router):
        self.router, self.reports, self.proceed = router, queue.Queue(), threading.Event()

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/page":
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [PAGE.replace("THE_KEY", json.dumps(KEY), 1).encode()]
        if path == "/report":
            self.reports.put(json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))))
        elif path == "/proceed":
            self.proceed.wait(WAIT)
        else:
            return self.router(environ, start_response)
        start_response("204 No Content", [])
        return [b""]

    def next_report(self) -> dict:
        return self.reports.get(timeout=WAIT)


@pytest.fixture
def s3_server(tmp_path_factory):
    server = s3rver.S3rver(tmp_path_factory.mktemp("s3rver")).start()
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server, monkeypatch):
    for name, value in s3rver.CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    # Credentials given, not read: boto3's default session may hold another test's from the environment.
    return boto3.client("s3", endpoint_url=s3_server.url, region_name="us-east-1",
                        aws_access_key_id=s3rver.CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=s3rver.CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                        config=Config(connect_timeout=5, read_timeout=10, retries={"total_max_attempts": 2}))


@pytest.fixture
def buckets(s3):
    source = f"browser-{uuid.uuid4().hex[:10]}"
    for name in (source, f"{source}resized"):
        s3.create_bucket(Bucket=name)
    return source, f"{source}resized"


def terraform_cors_rules(origins: list[str]) -> list[dict]:
    """The source bucket's CORS rules as the image-buckets module renders them for `origins`."""
    return evaluate(MODULES["image-buckets"], ("cors.tf",), {"rules": "local.upload_cors_rules"},
                    {"source_bucket": "demo", "upload_cors": {"allowed_origins": origins}})["rules"]


def apply_cors(s3, bucket: str, rules: list[dict]) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"ID": rule["id"], "AllowedMethods": rule["allowed_methods"], "AllowedOrigins": rule["allowed_origins"],
         "AllowedHeaders": rule["allowed_headers"], "ExposeHeaders": rule["expose_headers"],
         "MaxAgeSeconds": int(rule["max_age_seconds"])} for rule in rules]})


def browse(url: str, profile: Path) -> subprocess.Popen:
    return subprocess.Popen([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def close(browser: subprocess.Popen) -> None:
    """Stop the browser we started and its helper processes (its own process group)."""
    try:
        os.killpg(browser.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    browser.wait(timeout=30)


@pytest.fixture
def page(s3_server, buckets):
    router = create_app({"THUMBROUTER_S3_BUCKET": buckets[0], "THUMBROUTER_DOMESTIC_COUNTRIES": "",
                         "THUMBROUTER_ALLOW_ANONYMOUS": "1", "THUMBROUTER_ONDEMAND": "0",
                         "AWS_ENDPOINT_URL_S3": s3_server.url, "AWS_REGION": "us-east-1"})
    page = Page(router)
    with serve(page) as origin:
        page.origin = origin
        yield page


def upload_in_browser(page, tmp_path) -> tuple[subprocess.Popen, dict]:
    browser = browse(f"{page.origin}/page", tmp_path / "profile")
    return browser, page.next_report()


def test_with_the_terraform_rule_the_browser_uploads_and_then_shows_the_lambdas_thumbnail(
        page, s3, buckets, tmp_path):
    rules = terraform_cors_rules([page.origin])
    assert [rule["allowed_origins"] for rule in rules] == [[page.origin]]
    apply_cors(s3, buckets[0], rules)
    browser, upload = upload_in_browser(page, tmp_path)
    try:
        assert upload == {"stage": "upload", "status": 200, "etag": upload["etag"]} and upload["etag"]
        stored = s3.get_object(Bucket=buckets[0], Key=KEY)
        assert stored["ContentType"] == "image/jpeg"
        result = process_batch(s3, parse_event(s3_event(s3_record(buckets[0], KEY, stored["ContentLength"]))),
                               LambdaSettings.from_env({"THN_BUCKET": buckets[1]}))
        assert not result.failures
        page.proceed.set()
        assert page.next_report() == {"stage": "thumbnail", "width": 50, "height": 31}
    finally:
        close(browser)


def test_without_a_rule_the_preflight_is_refused_and_nothing_is_stored(page, s3_server, s3, buckets, tmp_path):
    assert terraform_cors_rules([]) == []  # the module's default: no site may upload
    browser, upload = upload_in_browser(page, tmp_path)
    try:
        assert (upload["stage"], upload["status"]) == ("upload", "blocked")
        assert s3.list_objects_v2(Bucket=buckets[0]).get("KeyCount", 0) == 0
        preflight = requests.options(f"{s3_server.url}/{buckets[0]}/x.jpg", timeout=10, headers={
            "Origin": page.origin, "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type,if-none-match"})
        assert preflight.status_code == 403 and b"CORS is not enabled" in preflight.content
    finally:
        close(browser)


def test_a_rule_for_another_site_does_not_let_this_page_upload(page, s3, buckets, tmp_path):
    apply_cors(s3, buckets[0], terraform_cors_rules(["https://app.example.com"]))
    browser, upload = upload_in_browser(page, tmp_path)
    try:
        assert (upload["stage"], upload["status"]) == ("upload", "blocked")
    finally:
        close(browser)
