"""The /v1 API over the Flask test client and over real HTTP against the local S3 server."""

import io
import json

import pytest
import requests
from PIL import Image

from thumbrouter.imagecore import thumbnail_key
from thumbrouter.router import create_app

from .http_helpers import AUTH, router_env, serve


def jpeg(size=(64, 48), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def app(buckets):
    """An app on fresh buckets of the local S3 server, for tests that fetch or upload for real."""
    return create_app(router_env(buckets[0]))


@pytest.fixture(scope="module")
def client(s3_server):
    """One app for tests that only sign (signing never calls S3, so no buckets are needed)."""
    return create_app(router_env("photos")).test_client()


def get(client, **params):
    return client.get("/v1/download-urls", query_string=params, headers=AUTH)


def batch(client, items):
    return client.post("/v1/download-urls", json={"items": items}, headers=AUTH)


def test_a_download_url_from_the_api_fetches_the_object_and_its_thumbnail(app, s3, buckets):
    source, resized = buckets
    key, original, small = "albums/2024 trip/ünïcode + 50% #1?.jpg", jpeg(), jpeg((50, 38), (0, 0, 255))
    s3.put_object(Bucket=source, Key=key, Body=original)
    s3.put_object(Bucket=resized, Key=thumbnail_key(key), Body=small)
    with serve(app) as base:
        answer = requests.get(f"{base}/v1/download-urls", params={"key": key, "cloud": "s3"}, headers=AUTH, timeout=5)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"cloud", "download_url", "thumbnail_url", "expires_at"} and body["cloud"] == "s3"
    assert requests.get(body["download_url"], timeout=5).content == original
    assert requests.get(body["thumbnail_url"], timeout=5).content == small


def test_a_file_type_without_thumbnails_gets_no_thumbnail_url(client):
    body = get(client, key="docs/report.pdf", cloud="s3").json
    assert body["download_url"] and body["thumbnail_url"] is None


def test_cloud_qiniu_answers_a_qiniu_url(client):
    body = get(client, key="a b.jpg", cloud="qiniu").json
    assert body["cloud"] == "qiniu" and body["download_url"].startswith("https://img.example.cn/a%20b.jpg?")


def test_a_domestic_country_routes_to_qiniu_and_others_to_s3(client):
    assert get(client, key="a.jpg", country="CN").json["cloud"] == "qiniu"
    assert get(client, key="a.jpg", country="de").json["cloud"] == "s3"


@pytest.mark.parametrize("params, words", [
    ({}, "key"),
    ({"key": ""}, "key"),
    ({"key": "k" * 1025}, "1024"),
    ({"key": "é" * 513}, "1024"),
    ({"key": "a\x00b.jpg"}, "control"),
    ({"key": "a\nb.jpg"}, "control"),
    ({"key": "a.jpg", "cloud": "azure"}, "cloud"),
    ({"key": "a.jpg", "country": "CHN"}, "country"),
    ({"key": "a.jpg", "country": "C1"}, "country"),
    ({"key": "a.jpg", "expires": "59"}, "expires"),
    ({"key": "a.jpg", "expires": "604801"}, "expires"),
    ({"key": "a.jpg", "expires": "soon"}, "expires"),
    ({"key": "a.jpg", "expires": "-5"}, "expires"),
    ({"key": "a.jpg", "filename": "a\x01b.txt"}, "filename"),
    ({"key": "a.jpg", "colour": "red"}, "colour"),
])
def test_every_bad_input_is_400_json_naming_the_problem(client, params, words):
    answer = get(client, **params)
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "bad_request"
    assert words in answer.json["error"]["message"]


NOT_ASCII_NUMBERS = ["²", "١٢٣", "１２０", "9" * 5000, "9" * 13, "3600.0", "+3600"]


@pytest.mark.parametrize("value", NOT_ASCII_NUMBERS)
def test_an_expires_that_is_not_a_bounded_ascii_number_is_400_naming_it(client, value):
    for answer in (get(client, key="a.jpg", expires=value), batch(client, [{"key": "a.jpg", "expires": value}])):
        error = answer.json["error"] if answer.status_code == 400 else answer.json["items"][0]["error"]
        assert error["code"] == "bad_request" and "expires" in error["message"], answer.json


@pytest.mark.parametrize("value", NOT_ASCII_NUMBERS)
def test_a_max_bytes_that_is_not_a_bounded_ascii_number_is_400_naming_it(client, value):
    answer = client.post("/v1/upload-targets", json={"key": "a.jpg", "max_bytes": value}, headers=AUTH)
    assert answer.status_code == 400 and "max_bytes" in answer.json["error"]["message"]


@pytest.mark.parametrize("path, field", [("/v1/upload-targets", "max_bytes"), ("/v1/download-urls", "expires")])
def test_a_json_number_of_thousands_of_digits_is_400_naming_its_field(client, path, field):
    digits = "9" * 5000  # written by hand: int() refuses to print more than 4300 digits
    item = f'{{"key": "a.jpg", "{field}": {digits}}}'
    body = item if field == "max_bytes" else f'{{"items": [{item}]}}'
    answer = client.post(path, data=body, headers={**AUTH, "Content-Type": "application/json"})
    error = answer.json["error"] if field == "max_bytes" else answer.json["items"][0]["error"]
    assert error["code"] == "bad_request" and field in error["message"]


@pytest.mark.parametrize("path", ["/v1/download-urls", "/v1/upload-targets"])
@pytest.mark.parametrize("nesting", ["[" * 100_000, '{"items": ' * 50_000])
def test_a_deeply_nested_json_body_is_400_naming_the_body(client, path, nesting):
    answer = client.post(path, data=nesting, headers={**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "bad_request" and "body" in answer.json["error"]["message"]


def test_a_batch_keeps_the_order_and_puts_errors_in_place(client):
    items = [{"key": "a.jpg", "cloud": "s3"}, {"key": ""}, "not an object", {"key": "b.png", "cloud": "qiniu"},
             {"key": "c.jpg", "expires": 10}, {"key": "d.gif", "country": "CN"}]
    answer = batch(client, items)
    assert answer.status_code == 200
    out = answer.json["items"]
    assert len(out) == len(items)
    assert out[0]["cloud"] == "s3" and "a.jpg" in out[0]["download_url"]
    assert out[1]["error"]["code"] == "bad_request" and "key" in out[1]["error"]["message"]
    assert "object" in out[2]["error"]["message"]
    assert out[3]["cloud"] == "qiniu" and "b.png" in out[3]["download_url"]
    assert "expires" in out[4]["error"]["message"]
    assert out[5]["cloud"] == "qiniu" and "d.gif" in out[5]["download_url"]


def test_a_batch_of_1000_is_answered_and_1001_is_refused(client):
    assert len(batch(client, [{"key": f"k{i}.jpg"} for i in range(1000)]).json["items"]) == 1000
    answer = batch(client, [{"key": f"k{i}.jpg"} for i in range(1001)])
    assert answer.status_code == 400 and "batch too big" in answer.json["error"]["message"]


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'{"items": {"key": "a"}}', b'{"keys": []}'])
def test_a_batch_body_that_is_not_an_items_list_is_400(client, body):
    answer = client.post("/v1/download-urls", data=body, headers={**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json["error"]["code"] == "bad_request"


def test_a_body_over_the_limit_is_refused_as_json(client):
    items = [{"key": "k" * 1000} for _ in range(2200)]
    answer = client.post("/v1/download-urls", data=json.dumps({"items": items}),
                         headers={**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json["error"] == {"code": "body_too_large", "message": "body too big: at most 2097152 bytes"}


def test_an_upload_target_puts_a_file_to_the_local_s3_once(app, s3, buckets):
    data = jpeg()
    with serve(app) as base:
        answer = requests.post(f"{base}/v1/upload-targets", headers=AUTH, timeout=5,
                               json={"key": "uploads/new photo.jpg", "content_type": "image/jpeg", "size": len(data)})
    assert answer.status_code == 200
    target = answer.json()
    assert (target["cloud"], target["method"], target["size"], target["insert_only"]) == ("s3", "PUT", len(data), True)
    put = requests.put(target["url"], data=data, headers=target["headers"], timeout=5)
    assert put.status_code == 200, put.text
    assert requests.put(target["url"], data=data, headers=target["headers"], timeout=5).status_code == 412
    assert s3.get_object(Bucket=buckets[0], Key="uploads/new photo.jpg")["Body"].read() == data


def test_an_upload_target_for_a_domestic_user_is_a_qiniu_token(client):
    answer = client.post("/v1/upload-targets", json={"key": "u/a.jpg", "country": "CN", "size": 10}, headers=AUTH)
    assert answer.status_code == 200 and answer.json["cloud"] == "qiniu" and answer.json["method"] == "POST"
    assert answer.json["fields"]["token"].startswith("demo-access-key:")


@pytest.mark.parametrize("body, words", [
    ({}, "key"), ({"key": "a.jpg", "content_type": "text/html"}, "content_type"),
    ({"key": "a.jpg", "max_bytes": "lots"}, "max_bytes"), ({"key": "a.jpg", "max_bytes": 10**12}, "max_bytes"),
    ({"key": "a.svg", "content_type": "image/svg+xml", "size": 10}, "content_type"), ({"key": "a.jpg"}, "size"),
    ({"key": "a.jpg", "size": "ten"}, "size"), ({"key": "/a.jpg", "size": 10}, "key"),
])
def test_bad_upload_requests_are_400_naming_the_field(client, body, words):
    answer = client.post("/v1/upload-targets", json=body, headers=AUTH)
    assert answer.status_code == 400 and words in answer.json["error"]["message"]


def test_unknown_paths_and_methods_answer_json(client):
    missing = client.get("/v1/nothing-here", headers=AUTH)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = client.delete("/v1/download-urls", headers=AUTH)
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]


def test_without_aws_credentials_signing_answers_503_json_not_a_crash(s3_server, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    client = create_app(router_env("photos")).test_client()
    for answer in (get(client, key="a.jpg", cloud="s3"),
                   client.post("/v1/upload-targets", json={"key": "a.jpg", "country": "DE", "size": 10}, headers=AUTH)):
        assert answer.status_code == 503
        assert answer.json["error"]["code"] == "backend_unavailable"
