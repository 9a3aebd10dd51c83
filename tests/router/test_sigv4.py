"""The hand-written SigV4 presigner: AWS's documented answer, and byte equality with botocore's signer."""

import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from thumbrouter.router.storage.s3 import content_disposition
from thumbrouter.router.storage.sigv4 import presign_get

from .botocore_reference import FixedTimeQueryAuth

EXAMPLE = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


def botocores(url: str, credentials, region: str, signed_at: int, expires: int, params=None) -> str:
    """The reference: botocore's own S3 query signer at a fixed instant."""
    request = AWSRequest(method="GET", url=url, params=dict(params or {}))
    FixedTimeQueryAuth(credentials.get_frozen_credentials(), region, expires, signed_at).add_auth(request)
    return request.url


def test_aws_documented_example_signs_to_the_published_signature():
    # AWS S3 docs, "Authenticating Requests: Using Query Parameters": GET examplebucket/test.txt.
    url = presign_get("https://examplebucket.s3.amazonaws.com/test.txt", EXAMPLE.get_frozen_credentials(),
                      "us-east-1", signed_at=1369353600, expires=86400)
    assert url.endswith("&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    assert "X-Amz-Date=20130524T000000Z" in url


@pytest.mark.parametrize("url", [
    "https://photos.s3.eu-west-1.amazonaws.com/a%20b/c%2Bd%25e%23f%3Fg.jpg",
    "https://s3.cn-north-1.amazonaws.com.cn/my.bucket/%E4%BD%A0%E5%A5%BD.png",
    "http://127.0.0.1:5000/demo/photos/x.jpg",
    "https://PHOTOS.s3.us-east-1.amazonaws.com:443/x.jpg",
    "http://[::1]:9000/demo/x.jpg",
])
@pytest.mark.parametrize("filename", [None, "naïve \"report\".jpg"])
def test_urls_equal_botocores_byte_for_byte(url, filename):
    params = {"response-content-disposition": content_disposition(filename)} if filename else {}
    region = "eu-west-1"
    ours = presign_get(url, EXAMPLE.get_frozen_credentials(), region, signed_at=1_800_000_123, expires=900,
                       params=params)
    assert ours == botocores(url, EXAMPLE, region, 1_800_000_123, 900, params)


def test_a_session_token_is_signed_like_botocore_does():
    credentials = Credentials("ASIAEXAMPLE", "secret/with+chars", token="FQoGZXIvYXdzE//token+/=")
    url = "https://photos.s3.us-east-1.amazonaws.com/x.jpg"
    ours = presign_get(url, credentials.get_frozen_credentials(), "us-east-1", signed_at=1_700_000_000, expires=60)
    assert "X-Amz-Security-Token=FQoGZXIvYXdzE%2F%2Ftoken%2B%2F%3D" in ours
    assert ours == botocores(url, credentials, "us-east-1", 1_700_000_000, 60)


def test_a_different_day_or_secret_changes_the_signature():
    url = "https://photos.s3.us-east-1.amazonaws.com/x.jpg"
    frozen = EXAMPLE.get_frozen_credentials()
    first = presign_get(url, frozen, "us-east-1", signed_at=1_700_000_000, expires=60)
    next_day = presign_get(url, frozen, "us-east-1", signed_at=1_700_000_000 + 86400, expires=60)
    other = presign_get(url, Credentials("AKIAIOSFODNN7EXAMPLE", "other").get_frozen_credentials(), "us-east-1",
                        signed_at=1_700_000_000, expires=60)
    signatures = {u.rsplit("=", 1)[1] for u in (first, next_day, other)}
    assert len(signatures) == 3
