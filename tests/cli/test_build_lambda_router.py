"""build-lambda --function router: the router's zip, unzipped and run in a fresh interpreter, answers
Function URL events for every route against the local S3, and the URLs it signs are fetched for real."""

import json
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.cli.conftest import run_cli
from tests.router.ondemand.helpers import jpeg
from tests.support.function_url import (
    ArtifactProcess,
    LambdaInvokeServer,
    answer_body,
    function_url_event,
    lambda_runtime_dir,
    unzip,
)
from thumbrouter.cli.build_lambda import REPO
from thumbrouter.router import create_app

TOKEN = "router-token-0123456789abcdef"
SIGNING_KEY = "signing-key-0123456789abcdef"


@pytest.fixture(scope="module")
def on_demand_function(s3_server):
    """The on-demand thumbnail handler behind the Lambda Invoke API, as the router's lambda backend calls it."""
    sys.path.insert(0, str(REPO / "lambda"))
    import on_demand

    server = LambdaInvokeServer(on_demand.handler)
    yield server
    server.stop()


@pytest.fixture
def function(router_zip, s3_server, buckets, on_demand_function, tmp_path):
    process = ArtifactProcess(unzip(router_zip.path, tmp_path / "task"), lambda_runtime_dir(tmp_path / "runtime"), {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "session-token",
        "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": s3_server.url,
        "AWS_ENDPOINT_URL_LAMBDA": on_demand_function.url,
        "THUMBROUTER_S3_BUCKET": buckets[0], "THUMBROUTER_DOMESTIC_COUNTRIES": "",
        "THUMBROUTER_API_TOKENS": TOKEN, "THUMBROUTER_GENERATION_BACKEND": "lambda",
        "THUMBROUTER_GENERATION_LAMBDA": "thumbnails-on-demand", "THUMBROUTER_URL_SIGNING_KEYS": SIGNING_KEY,
        "THUMBROUTER_PUBLIC_BASE_URL": "https://images.example.com", "THUMBROUTER_S3_THUMBNAIL_MODE": "lazy"})
    yield process
    process.stop()


AUTH = {"authorization": f"Bearer {TOKEN}"}


def names(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as archive:
        return archive.namelist()


def test_the_router_zip_holds_the_router_flask_and_the_adapter_but_no_image_stack(router_zip):
    entries = names(router_zip.path)
    assert "router_lambda.py" in entries and "thumbrouter/router/app.py" in entries
    assert "flask/app.py" in entries and "apig_wsgi/__init__.py" in entries
    image_stack = ("PIL/", "pillow_heif/", "isal/", "zlib_ng/", "boto3/", "botocore/")
    assert not [name for name in entries if name.startswith(image_stack)]
    assert "create_thumbnail.py" not in entries and "on_demand.py" not in entries
    assert not [name for name in entries if name.startswith("thumbrouter/cli/")]
    assert "geoip2fast/geoip2fast-ipv6.dat.gz" in entries  # built from its sdist: PyPI has no wheel of it
    assert "geoip2fast/geoip2fast-asn.dat.gz" not in entries  # data the router never opens


def test_the_cli_builds_the_router_target_and_reuses_an_up_to_date_zip(router_zip):
    done = run_cli("build-lambda", "--function", "router", "--platform", "local", "--out", str(router_zip.path.parent))
    assert done.returncode == 0, done.stderr
    assert f"{router_zip.path}: " in done.stdout and "(up to date)" in done.stdout
    assert router_zip.path.name.startswith("router-")


def test_health_and_readiness_answer_from_the_unzipped_artifact(function):
    health = function.invoke(function_url_event("GET", "/healthz"))
    assert health["statusCode"] == 200
    ready = function.invoke(function_url_event("GET", "/readyz"))
    assert ready["statusCode"] == 200, answer_body(ready)
    assert json.loads(answer_body(ready))["status"] == "ready"


def test_a_download_url_is_signed_for_the_event_and_fetched(function, s3, buckets):
    s3.put_object(Bucket=buckets[0], Key="photos/a b+c.jpg", Body=b"original bytes")
    answer = function.invoke(function_url_event("GET", "/v1/download-urls", "key=photos%2Fa%20b%2Bc.jpg",
                                                headers=AUTH))
    assert answer["statusCode"] == 200, answer_body(answer)
    assert answer["headers"]["content-type"] == "application/json"
    url = json.loads(answer_body(answer))["download_url"]
    assert "X-Amz-Security-Token=session-token" in url  # the Lambda role's session credentials sign it
    assert requests.get(url, timeout=10).content == b"original bytes"


def test_a_batch_of_download_urls_is_signed_and_each_is_fetched(function, s3, buckets):
    for index in range(3):
        s3.put_object(Bucket=buckets[0], Key=f"batch/{index}.jpg", Body=f"body {index}".encode())
    body = json.dumps({"items": [{"key": f"batch/{index}.jpg"} for index in range(3)]}).encode()
    answer = function.invoke(function_url_event("POST", "/v1/download-urls", body=body,
                                                headers={**AUTH, "content-type": "application/json"}))
    assert answer["statusCode"] == 200, answer_body(answer)
    items = json.loads(answer_body(answer))["items"]
    assert [requests.get(item["download_url"], timeout=10).content for item in items] == [b"body 0", b"body 1",
                                                                                           b"body 2"]


def test_an_upload_target_accepts_the_upload_for_real(function, s3, buckets):
    data = jpeg()
    body = json.dumps({"key": "uploads/new.jpg", "content_type": "image/jpeg", "size": len(data)}).encode()
    answer = function.invoke(function_url_event("POST", "/v1/upload-targets", body=body,
                                                headers={**AUTH, "content-type": "application/json"}))
    assert answer["statusCode"] == 200, answer_body(answer)
    target = json.loads(answer_body(answer))
    assert requests.put(target["url"], data=data, headers=target["headers"], timeout=10).status_code == 200
    assert s3.get_object(Bucket=buckets[0], Key="uploads/new.jpg")["Body"].read() == data


def test_the_signed_thumb_link_generates_through_the_on_demand_function_and_redirects(function, s3, buckets):
    s3.put_object(Bucket=buckets[0], Key="lazy/cat.jpg", Body=jpeg((640, 480)))
    urls = function.invoke(function_url_event("GET", "/v1/download-urls", "key=lazy%2Fcat.jpg", headers=AUTH))
    link = urlsplit(json.loads(answer_body(urls))["thumbnail_url"])
    assert (link.scheme, link.netloc) == ("https", "images.example.com") and link.path.startswith("/thumb/")
    answer = function.invoke(function_url_event("GET", link.path, link.query))
    assert answer["statusCode"] == 302, answer_body(answer)
    fetched = requests.get(answer["headers"]["location"], timeout=10)
    assert fetched.status_code == 200 and fetched.headers["Content-Type"] == "image/jpeg"
    s3.head_object(Bucket=buckets[1], Key="lazy/cat_50x50.jpg")


def test_without_a_token_the_api_refuses_and_emf_counts_the_client_error(function):
    answer = function.invoke(function_url_event("GET", "/v1/download-urls", "key=a.jpg"))
    assert answer["statusCode"] == 401
    assert answer["headers"]["www-authenticate"].startswith("Bearer")
    lines = function.emf_lines()
    assert lines[0]["ColdStart"] == 1 and lines[0]["InitDuration"] > 0
    assert lines[-1]["route"] == "/v1/download-urls" and lines[-1]["ClientErrors"] == 1


def test_a_missing_source_answers_the_placeholder_png_base64_encoded(function):
    urls = function.invoke(function_url_event("GET", "/v1/download-urls", "key=gone%2Fnothing.jpg", headers=AUTH))
    link = urlsplit(json.loads(answer_body(urls))["thumbnail_url"])
    answer = function.invoke(function_url_event("GET", link.path, link.query))
    assert answer["statusCode"] == 404 and answer["isBase64Encoded"] is True
    assert answer["headers"]["content-type"] == "image/png"
    assert answer_body(answer).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_wrong_setting_fails_the_cold_start_naming_the_variable(router_zip, tmp_path):
    process = ArtifactProcess(unzip(router_zip.path, tmp_path / "task"), lambda_runtime_dir(tmp_path / "runtime"),
                              {"AWS_REGION": "us-east-1", "THUMBROUTER_S3_BUCKET": "photos",
                               "THUMBROUTER_DOMESTIC_COUNTRIES": ""})
    with pytest.raises(RuntimeError, match="THUMBROUTER_API_TOKENS"):
        process.invoke(function_url_event("GET", "/healthz"))


@pytest.fixture
def optional_feature(request, tmp_path):
    """(settings of a feature the router zip leaves out, the package it needs)."""
    from tests.router.test_geo import write_mmdb

    if request.param == "qiniu":
        return {"THUMBROUTER_QINIU_ACCESS_KEY": "ak", "THUMBROUTER_QINIU_SECRET_KEY": "sk-0123456789abcdef",
                "THUMBROUTER_QINIU_BUCKET": "kodo", "THUMBROUTER_QINIU_DOMAIN": "img.example.com",
                "THUMBROUTER_DOMESTIC_COUNTRIES": "CN"}, "THUMBROUTER_QINIU_BUCKET needs the qiniu package"
    return {"THUMBROUTER_GEOIP_DB": write_mmdb(tmp_path / "country.mmdb", {"8.8.8.0/24": "US"})}, (
        "THUMBROUTER_GEOIP_DB needs the maxminddb package")


@pytest.mark.parametrize("optional_feature", ["qiniu", "maxminddb"], indirect=True)
def test_a_feature_the_zip_leaves_out_fails_the_cold_start_naming_it(router_zip, optional_feature, tmp_path):
    settings, message = optional_feature
    environ = {"AWS_REGION": "us-east-1", "THUMBROUTER_S3_BUCKET": "photos", "THUMBROUTER_DOMESTIC_COUNTRIES": "",
               "THUMBROUTER_API_TOKENS": TOKEN, "THUMBROUTER_ONDEMAND": "0", **settings}
    create_app(environ)  # the configuration itself is sound where the package is installed
    process = ArtifactProcess(unzip(router_zip.path, tmp_path / "task"), lambda_runtime_dir(tmp_path / "runtime"),
                              environ)
    with pytest.raises(RuntimeError, match=message) as failed:
        process.invoke(function_url_event("GET", "/healthz"))
    assert "ConfigError" in str(failed.value) and "ModuleNotFoundError" not in str(failed.value)
