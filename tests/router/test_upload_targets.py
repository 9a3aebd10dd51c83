"""Upload targets: S3 presigned PUTs used for real against the local S3 server, Qiniu put policies decoded.

Both clouds take exactly one key, exactly `size` bytes, exactly one of the image core's types, and never
overwrite. The local S3 server (moto 5.2.5) enforces `If-None-Match: *` (412 on an existing key) but checks
no presigned signature, so which headers the signature covers is proven by recomputing it here the way
S3 does: it must accept the answer's headers and refuse any other type, length or a missing If-None-Match.
"""

import base64
import hashlib
import hmac
import io
import json
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from PIL import Image

from thumbrouter.imagecore import INPUT_CONTENT_TYPES
from thumbrouter.router.errors import BadRequest
from thumbrouter.router.storage import sigv4

from .conftest import FakeClock

NOW = 1_800_000_000
SECRET = "testing"  # the local S3 server's secret key (tests/conftest.py)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def s3_accepts_signature(url: str, headers: dict[str, str]) -> bool:
    """Whether S3 would accept a PUT of `url` sent with `headers`: SigV4 recomputed over the signed headers."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    signed = query["X-Amz-SignedHeaders"].split(";")
    sent = {name.lower(): value.strip() for name, value in headers.items()} | {"host": parts.netloc}
    if any(name not in sent for name in signed):
        return False
    pairs = sorted((sigv4.encode(k), sigv4.encode(v)) for k, v in query.items() if k != "X-Amz-Signature")
    canonical = "\n".join(("PUT", parts.path, "&".join(f"{k}={v}" for k, v in pairs),
                           "".join(f"{name}:{sent[name]}\n" for name in signed), ";".join(signed),
                           sigv4.UNSIGNED_PAYLOAD))
    date, scope = query["X-Amz-Date"], query["X-Amz-Credential"].split("/", 1)[1]
    to_sign = "\n".join((sigv4.ALGORITHM, date, scope, hashlib.sha256(canonical.encode()).hexdigest()))
    key = sigv4.signing_key(SECRET, date[:8], scope.split("/")[1])
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, query["X-Amz-Signature"])


def qiniu_policy(token: str) -> tuple[dict, bool]:
    """Decode a Qiniu upload token `ak:sig:policy` -> (policy, signature valid)."""
    access_key, signature, encoded = token.split(":")
    expected = base64.urlsafe_b64encode(hmac.new(b"MY_SECRET_KEY", encoded.encode(), hashlib.sha1).digest())
    policy = json.loads(base64.urlsafe_b64decode(encoded))
    return policy, access_key == "MY_ACCESS_KEY" and hmac.compare_digest(signature.encode(), expected)


@pytest.fixture
def router(make_router):
    return make_router(MAX_UPLOAD_BYTES=5_000_000)


def put(target, body: bytes, **headers) -> requests.Response:
    return requests.put(target.url, data=body, headers={**target.headers, **headers}, timeout=10)


@pytest.mark.parametrize("key", ["uploads/photo.jpg", "uploads/with space+plus%#?.jpg", "上传/猫.jpg"])
def test_an_s3_target_uploads_for_real_with_exactly_the_answered_headers(router, s3, router_buckets, key):
    body = jpeg()
    target = router.upload_target(key, country="US", content_type="image/jpeg", size=len(body))
    assert (target.method, target.file_field, dict(target.fields)) == ("PUT", None, {})
    assert put(target, body).status_code == 200
    stored = s3.get_object(Bucket=router_buckets[0], Key=key)
    assert stored["Body"].read() == body and stored["ContentType"] == "image/jpeg"


def test_an_s3_target_never_overwrites_an_existing_original(router, s3, router_buckets):
    bucket, body = router_buckets[0], jpeg()
    s3.put_object(Bucket=bucket, Key="u/taken.jpg", Body=b"the original", ContentType="image/jpeg")
    taken = router.upload_target("u/taken.jpg", country="US", size=len(body))
    assert put(taken, body).status_code == 412
    fresh = router.upload_target("u/fresh.jpg", country="US", size=len(body))
    assert put(fresh, body).status_code == 200
    assert put(fresh, b"x" * len(body)).status_code == 412  # the same target used twice
    assert s3.get_object(Bucket=bucket, Key="u/taken.jpg")["Body"].read() == b"the original"
    assert s3.get_object(Bucket=bucket, Key="u/fresh.jpg")["Body"].read() == body
    assert taken.insert_only and taken.headers["If-None-Match"] == "*"


def test_the_s3_signature_covers_the_type_the_length_and_if_none_match(router):
    target = router.upload_target("u/a.png", country="US", content_type="image/png", size=1234)
    headers = dict(target.headers)
    assert headers == {"Content-Type": "image/png", "Content-Length": "1234", "If-None-Match": "*"}
    assert s3_accepts_signature(target.url, headers)
    assert not s3_accepts_signature(target.url, headers | {"Content-Type": "image/svg+xml"})
    assert not s3_accepts_signature(target.url, headers | {"Content-Length": "1235"})
    assert not s3_accepts_signature(target.url, {k: v for k, v in headers.items() if k != "If-None-Match"})


def test_the_s3_target_grants_no_acl(router):
    target = router.upload_target("u/a.jpg", country="US", size=10)
    signed = dict(parse_qsl(urlsplit(target.url).query))["X-Amz-SignedHeaders"]
    assert signed == "content-length;content-type;host;if-none-match"
    assert "acl" not in target.url.lower() and not any("acl" in name.lower() for name in target.headers)


@pytest.mark.parametrize("country", ["US", "CN"])
@pytest.mark.parametrize("content_type", ["image/svg+xml", "IMAGE/SVG+XML", "image/bmp", "image/tiff",
                                          "image/jxl", "text/html", "image/*", "image/jpeg; charset=x", "jpeg"])
def test_types_the_image_core_does_not_thumbnail_are_refused_for_both_clouds(router, country, content_type):
    with pytest.raises(BadRequest, match="content_type must be one of image/jpeg, image/png, image/webp, image/gif"):
        router.upload_target("u/a.jpg", country=country, content_type=content_type, size=10)


@pytest.mark.parametrize("content_type", sorted(INPUT_CONTENT_TYPES))
def test_every_type_of_the_image_core_is_signed_exactly_on_both_clouds(router, content_type):
    s3_target = router.upload_target("u/a", country="US", content_type=content_type.upper(), size=10)
    assert s3_target.content_type == s3_target.headers["Content-Type"] == content_type
    assert s3_accepts_signature(s3_target.url, dict(s3_target.headers))
    qiniu_target = router.upload_target("u/a", country="CN", content_type=content_type, size=10)
    assert qiniu_policy(qiniu_target.fields["token"])[0]["mimeLimit"] == content_type


def test_the_type_defaults_to_the_keys_extension_and_aliases_become_canonical(router):
    assert router.upload_target("u/a.WEBP", country="US", size=10).headers["Content-Type"] == "image/webp"
    assert router.upload_target("u/a.png", country="CN", size=10).content_type == "image/png"
    assert router.upload_target("u/IMG_0001.HEIC", country="US", size=10).content_type == "image/heic"
    assert router.upload_target("u/a.heif", country="CN", size=10).content_type == "image/heif"
    assert router.upload_target("u/a.AVIF", country="US", size=10).content_type == "image/avif"
    alias = router.upload_target("u/a.png", country="US", content_type="image/pjpeg", size=10)
    assert alias.content_type == "image/jpeg"
    with pytest.raises(BadRequest, match="content_type is required when the key has no image extension"):
        router.upload_target("u/a.svg", country="US", size=10)


@pytest.mark.parametrize("kwargs, message", [
    ({}, "size is required"),
    ({"size": 0}, "size must be"),
    ({"size": 101, "max_bytes": 100}, r"size must be .* 1\.\.100"),
    ({"size": 5_000_001}, r"1\.\.5000000"),
    ({"size": True}, "size must be"),
])
def test_the_exact_size_is_required_and_capped(router, kwargs, message):
    with pytest.raises(BadRequest, match=message):
        router.upload_target("u/a.jpg", country="US", **kwargs)


def test_the_qiniu_token_is_scoped_to_the_key_insert_only_and_exact(make_router):
    router = make_router(clock=FakeClock(NOW))
    target = router.upload_target("u/猫 a.jpg", country="CN", size=2048)
    policy, valid = qiniu_policy(target.fields["token"])
    assert valid
    assert policy["scope"] == "demo-kodo:u/猫 a.jpg" and policy["insertOnly"] == 1
    assert (policy["fsizeMin"], policy["fsizeLimit"], policy["mimeLimit"]) == (2048, 2048, "image/jpeg")
    assert (target.cloud, target.method, target.url) == ("qiniu", "POST", "https://up.qiniup.com")
    assert (target.fields["key"], target.file_field, dict(target.headers)) == ("u/猫 a.jpg", "file", {})


def test_the_answer_says_method_url_headers_and_fields(router):
    answer = router.upload_target("u/a.gif", country="US", size=77).to_dict()
    assert {"cloud", "key", "method", "url", "headers", "fields", "file_field", "content_type", "size",
            "max_bytes", "insert_only", "expires_at"} <= set(answer)
    assert (answer["method"], answer["size"], answer["max_bytes"], answer["insert_only"]) == ("PUT", 77, 77, True)
    assert answer["headers"]["Content-Type"] == "image/gif" and answer["fields"] == {}
    json.dumps(answer)


def test_the_qiniu_token_deadline_is_in_the_future_and_reported(router):
    before = int(time.time())
    target = router.upload_target("u/a.jpg", country="CN", size=10)
    policy, _ = qiniu_policy(target.fields["token"])
    assert before + 3600 <= policy["deadline"] <= int(time.time()) + 3600
    assert abs(policy["deadline"] - target.expires_at) <= 1


def test_the_upload_host_is_configurable(make_router):
    router = make_router(QINIU_UPLOAD_HOST="https://up-z2.qiniup.com")
    assert router.upload_target("u/a.jpg", country="CN", size=10).url == "https://up-z2.qiniup.com"
