"""Upload targets: an S3 presigned POST used for real against the local server, Qiniu tokens decoded.

The local S3 server (moto) accepts a POST without enforcing the policy's conditions (it stored an
oversize body and a text/html type when tried), so the conditions are checked by decoding the
signed policy; the happy path is a real upload.
"""

import base64
import hashlib
import hmac
import io
import json
import time

import pytest
import requests
from PIL import Image

from .conftest import FakeClock

NOW = 1_800_000_000


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def s3_policy(target) -> dict:
    return json.loads(base64.b64decode(target.fields["policy"]))


@pytest.fixture
def router(make_router):
    return make_router(MAX_UPLOAD_BYTES=5_000_000)


@pytest.mark.parametrize("key", ["uploads/photo.jpg", "uploads/with space+plus%#?.jpg", "上传/猫.jpg"])
def test_the_s3_presigned_post_uploads_for_real(router, s3, router_buckets, key):
    target = router.upload_target(key, country="US", content_type="image/jpeg", max_bytes=100_000)
    body = jpeg()
    response = requests.post(target.url, data=dict(target.fields), timeout=10,
                             files={target.file_field: ("photo.jpg", body, "image/jpeg")})
    assert response.status_code in (200, 201, 204), response.text
    stored = s3.get_object(Bucket=router_buckets[0], Key=key)
    assert stored["Body"].read() == body and stored["ContentType"] == "image/jpeg"


def test_the_s3_policy_limits_size_type_and_key_and_grants_no_acl(router, router_buckets):
    target = router.upload_target("u/a.jpg", country="US", max_bytes=1234)
    policy = s3_policy(target)
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 1234] in conditions
    assert ["starts-with", "$Content-Type", "image/"] in conditions
    assert {"bucket": router_buckets[0]} in conditions and {"key": "u/a.jpg"} in conditions
    assert {"x-amz-algorithm": "AWS4-HMAC-SHA256"} in conditions
    assert not any("acl" in json.dumps(c).lower() for c in conditions)
    assert "acl" not in {name.lower() for name in target.fields}
    assert (target.cloud, target.content_type, target.max_bytes) == ("s3", "image/*", 1234)


def test_an_exact_content_type_is_a_field_and_a_condition(router):
    target = router.upload_target("u/a.png", country="US", content_type="IMAGE/PNG")
    assert target.fields["Content-Type"] == "image/png"
    assert {"Content-Type": "image/png"} in s3_policy(target)["conditions"]


def test_max_bytes_defaults_to_the_configured_ceiling(router):
    assert ["content-length-range", 1, 5_000_000] in s3_policy(router.upload_target("u/a.jpg"))["conditions"]


def qiniu_policy(token: str) -> tuple[dict, bool]:
    """Decode a Qiniu upload token `ak:sig:policy` -> (policy, signature valid)."""
    access_key, signature, encoded = token.split(":")
    expected = base64.urlsafe_b64encode(hmac.new(b"MY_SECRET_KEY", encoded.encode(), hashlib.sha1).digest())
    policy = json.loads(base64.urlsafe_b64decode(encoded))
    return policy, access_key == "MY_ACCESS_KEY" and hmac.compare_digest(signature.encode(), expected)


def test_the_qiniu_token_is_scoped_to_the_key_insert_only_and_limited(make_router):
    router = make_router(clock=FakeClock(NOW))
    target = router.upload_target("u/猫 a.jpg", country="CN", max_bytes=2048)
    policy, valid = qiniu_policy(target.fields["token"])
    assert valid
    assert policy["scope"] == "demo-kodo:u/猫 a.jpg" and policy["insertOnly"] == 1
    assert policy["fsizeLimit"] == 2048 and policy["mimeLimit"] == "image/*"
    assert (target.cloud, target.url, target.fields["key"]) == ("qiniu", "https://up.qiniup.com", "u/猫 a.jpg")
    assert target.to_dict()["fields"] == dict(target.fields)


def test_the_qiniu_token_deadline_is_in_the_future_and_reported(router):
    before = int(time.time())
    target = router.upload_target("u/a.jpg", country="CN")
    policy, _ = qiniu_policy(target.fields["token"])
    assert before + 3600 <= policy["deadline"] <= int(time.time()) + 3600
    assert abs(policy["deadline"] - target.expires_at) <= 1


def test_an_exact_content_type_narrows_the_qiniu_mime_limit(router):
    target = router.upload_target("u/a.webp", country="CN", content_type="image/webp")
    assert qiniu_policy(target.fields["token"])[0]["mimeLimit"] == "image/webp"


def test_the_upload_host_is_configurable(make_router):
    router = make_router(QINIU_UPLOAD_HOST="https://up-z2.qiniup.com")
    assert router.upload_target("u/a.jpg", country="CN").url == "https://up-z2.qiniup.com"
