"""S3 download URLs: SigV4 query signing, fetched for real from the local S3 server.

The local server (moto) resolves the path and serves the object and Content-Disposition, but it does
not verify signatures or expiry; the signature itself is pinned by AWS's documented known answer
and by equality with botocore's own presigner at the same instant.
"""

import io
from unittest import mock
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import botocore.auth
import pytest
import requests
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.support.servers import free_port
from thumbrouter.imagecore import thumbnail_key
from thumbrouter.router.errors import BackendUnavailable
from thumbrouter.router.storage.s3 import S3Storage, content_disposition
from thumbrouter.s3job import LambdaSettings, ObjectRecord, skip_reason

from .botocore_reference import FixedTimeQueryAuth
from .conftest import FakeClock

SPECIAL_KEYS = [
    "photos/plain.jpg", "photos/with space.jpg", "photos/a+b.jpg", "photos/100%.jpg", "photos/%20literal.jpg",
    "photos/#hash.jpg", "photos/what?.jpg", "照片/猫 咪.jpg", "mixed/ a+b%20c#d?e=f&g;照~.png",
]


def image_bytes(color: str, size: tuple[int, int], fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def router(make_router):
    return make_router(DOMESTIC_COUNTRIES="")


@pytest.fixture(scope="module")
def stored(s3_server, router_buckets):
    """Every special key with an original in the bucket and its thumbnail in `<bucket>resized`."""
    s3 = boto3.client("s3", endpoint_url=s3_server.url, region_name="us-east-1")
    source, resized = router_buckets
    objects = {}
    for index, key in enumerate(SPECIAL_KEYS):
        fmt = "PNG" if key.endswith(".png") else "JPEG"
        original, thumb = image_bytes("red", (200 + index, 120), fmt), image_bytes("blue", (50, 30), fmt)
        s3.put_object(Bucket=source, Key=key, Body=original)
        s3.put_object(Bucket=resized, Key=thumbnail_key(key, "50x50"), Body=thumb)
        objects[key] = (original, thumb)
    return objects


def fetch(url: str) -> requests.Response:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    return response


@pytest.mark.parametrize("key", SPECIAL_KEYS)
def test_presigned_urls_fetch_the_original_and_the_thumbnail(router, stored, key):
    urls = router.download_urls(key)
    original, thumb = stored[key]
    assert urls.cloud == "s3"
    assert fetch(urls.download_url).content == original
    assert fetch(urls.thumbnail_url).content == thumb


@pytest.mark.parametrize("key", SPECIAL_KEYS)
def test_keys_are_encoded_once_in_the_path(router, router_buckets, key):
    path = urlsplit(router.download_urls(key).download_url).path
    assert unquote(path) == f"/{router_buckets[0]}/{key}"


def test_urls_are_sigv4_never_sigv2(router):
    urls = router.download_urls("photos/a.jpg")
    for url in (urls.download_url, urls.thumbnail_url):
        query = parse_qs(urlsplit(url).query)
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        assert "AWSAccessKeyId" not in query and "Signature" not in query
        assert query["X-Amz-Credential"][0].endswith("/us-east-1/s3/aws4_request")


def test_the_download_carries_the_users_file_name(router, stored):
    name = 'Ünïcode "report" \\ résumé.jpg'
    urls = router.download_urls("photos/a+b.jpg", filename=name)
    header = fetch(urls.download_url).headers["Content-Disposition"]
    assert header == content_disposition(name)
    assert header == ("attachment; filename=\"Unicode report  resume.jpg\"; "
                      "filename*=UTF-8''%C3%9Cn%C3%AFcode%20%22report%22%20%5C%20r%C3%A9sum%C3%A9.jpg")


def test_the_signing_time_matches_the_aws_documented_known_answer():
    # AWS S3 docs, "Authenticating Requests: Using Query Parameters", example presigned GET.
    credentials = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    request = AWSRequest(method="GET", url="https://examplebucket.s3.amazonaws.com/test.txt")
    FixedTimeQueryAuth(credentials, "us-east-1", 86400, 1369353600).add_auth(request)  # 2013-05-24T00:00:00Z
    query = parse_qs(urlsplit(request.url).query)
    assert query["X-Amz-Date"] == ["20130524T000000Z"]
    assert query["X-Amz-Signature"] == ["aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"]


@pytest.mark.parametrize("key", SPECIAL_KEYS)
def test_our_urls_equal_botocores_own_presigner_at_the_same_instant(router, router_buckets, monkeypatch, key):
    signed_at = 1_800_000_000
    instant = botocore.auth.datetime.datetime.fromtimestamp(signed_at, botocore.auth.datetime.UTC)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: instant.replace(tzinfo=None))
    disposition = content_disposition("naïve file.jpg")
    expected = router.storage("s3").client.generate_presigned_url("get_object", ExpiresIn=900, Params={
        "Bucket": router_buckets[0], "Key": key, "ResponseContentDisposition": disposition})
    ours = router.storage("s3").presign_get(router_buckets[0], key, 900, filename="naïve file.jpg", signed_at=signed_at)
    assert ours == expected


def test_urls_are_virtual_hosted_in_the_buckets_region_without_a_custom_endpoint():
    storage = S3Storage("photos", region="eu-west-1")
    url = storage.presign_get("photos", "a b.jpg", 600, signed_at=1_800_000_000)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "photos.s3.eu-west-1.amazonaws.com", "/a%20b.jpg")
    assert "%2Feu-west-1%2Fs3%2Faws4_request" in parts.query


@pytest.mark.parametrize("bucket, region, host, path", [
    ("photos.example", "us-west-2", "s3.us-west-2.amazonaws.com", "/photos.example/a.jpg"),  # dotted: path style
    ("photos", "cn-north-1", "photos.s3.cn-north-1.amazonaws.com.cn", "/a.jpg"),
])
def test_dotted_buckets_and_china_regions_get_working_hosts(bucket, region, host, path):
    parts = urlsplit(S3Storage(bucket, region=region).presign_get(bucket, "a.jpg", 600))
    assert (parts.netloc, parts.path) == (host, path)


def test_the_same_request_in_one_window_gets_the_same_url_and_a_new_one_after(make_router):
    clock = FakeClock(1_800_000_000)
    router = make_router(clock=clock, DOMESTIC_COUNTRIES="")
    first = router.download_urls("photos/a.jpg")
    clock.advance(359)
    assert router.download_urls("photos/a.jpg") == first
    clock.advance(1)
    second = router.download_urls("photos/a.jpg")
    assert second.download_url != first.download_url and second.expires_at == first.expires_at + 360
    assert second.expires_at - clock() >= 3600


def test_expires_sets_the_signed_lifetime(router):
    urls = router.download_urls("photos/a.jpg", expires=600)
    query = parse_qs(urlsplit(urls.download_url).query)
    assert int(query["X-Amz-Expires"][0]) == 660  # 600 asked + one 60 s window
    signed = botocore.auth.datetime.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
    assert signed.replace(tzinfo=botocore.auth.datetime.UTC).timestamp() + 660 == urls.expires_at


@pytest.mark.parametrize("key, filetype", [("docs/report.pdf", None), ("photos/a.jpg", "application/pdf"),
                                           ("photos/a.tiff", None), ("photos/raw", None)])
def test_types_without_thumbnails_get_none(router, key, filetype):
    urls = router.download_urls(key, filetype=filetype)
    assert urls.download_url and urls.thumbnail_url is None


@pytest.mark.parametrize("filetype", ["image/jpeg", "jpg", ".PNG", "image/webp"])
@pytest.mark.parametrize("key", ["uploads/abc123", "uploads/abc123.bin"])
def test_a_filetype_gives_no_s3_thumbnail_to_a_key_the_s3_job_skips(router, key, filetype):
    # The link would be broken for good: the job makes thumbnails by the key's extension alone.
    assert skip_reason(ObjectRecord("b", key), LambdaSettings()) == "extension not in the allow-list"
    assert router.download_urls(key, filetype=filetype).thumbnail_url is None


@pytest.mark.parametrize("filetype", ["image/jpeg", "jpg", ".PNG", "image/webp"])
def test_an_image_filetype_keeps_the_thumbnail_of_a_key_with_an_image_extension(router, filetype):
    assert router.download_urls("photos/a.jpg", filetype=filetype).thumbnail_url is not None


def test_a_cdn_base_url_serves_thumbnails_unsigned(make_router):
    router = make_router(DOMESTIC_COUNTRIES="", S3_THUMBNAIL_BASE_URL="https://thumbs.example.com/")
    assert router.download_urls("照片/a b+c.jpg").thumbnail_url == \
        "https://thumbs.example.com/%E7%85%A7%E7%89%87/a%20b%2Bc_50x50.jpg"


def test_lazy_mode_asks_the_on_demand_hook_with_the_window_expiry(make_router):
    calls = []

    def lazy(key: str, expires_at: int) -> str:
        calls.append((key, expires_at))
        return f"https://router.example.com/thumb/thumb50/{key}?expires={expires_at}"

    router = make_router(lazy_thumbnail_url=lazy, DOMESTIC_COUNTRIES="", S3_THUMBNAIL_MODE="lazy",
                         URL_SIGNING_KEYS="k" * 32, PUBLIC_BASE_URL="https://router.example.com")
    urls = router.download_urls("photos/a.jpg")
    assert calls == [("photos/a.jpg", urls.expires_at)]
    assert urls.thumbnail_url.endswith(f"?expires={urls.expires_at}")


def test_lazy_mode_without_a_hook_uses_the_on_demand_signer(make_router):
    router = make_router(DOMESTIC_COUNTRIES="", S3_THUMBNAIL_MODE="lazy", URL_SIGNING_KEYS="k" * 32,
                         PUBLIC_BASE_URL="https://router.example.com")
    urls = router.download_urls("photos/a b.jpg")
    assert urls.thumbnail_url.startswith("https://router.example.com/thumb/thumb50/photos/a%20b.jpg?")
    assert f"expires={urls.expires_at}" in urls.thumbnail_url and "X-Amz-" in urls.download_url


def test_head_reports_existing_and_missing_objects(router, stored, router_buckets):
    storage = router.storage("s3")
    assert storage.head(router_buckets[1], thumbnail_key("photos/a+b.jpg"))["ContentLength"] > 0
    assert storage.head(router_buckets[1], "photos/missing_50x50.jpg") is None


def test_an_unreachable_s3_is_backend_unavailable_and_not_ready(router):
    dead = S3Storage("photos", region="us-east-1", endpoint_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(BackendUnavailable) as caught:
        dead.head("photos", "a.jpg")
    assert caught.value.status == 503
    assert {name: check["ok"] for name, check in dead.checks().items()} == {"s3": False, "s3_resized": False}


def test_the_storage_repr_holds_no_credentials(router):
    assert "testing" not in repr(router.storage("s3"))


KEY_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x85"),
                   min_size=1, max_size=60)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=KEY_TEXT.filter(lambda k: "." not in k.split("/") and ".." not in k.split("/")),
       name=st.one_of(st.none(), KEY_TEXT))
def test_any_key_and_file_name_sign_exactly_as_botocore_does(router, router_buckets, key, name):
    storage, signed_at = router.storage("s3"), 1_800_000_000
    instant = botocore.auth.datetime.datetime.fromtimestamp(signed_at, botocore.auth.datetime.UTC).replace(tzinfo=None)
    params = {"Bucket": router_buckets[0], "Key": key}
    if name:
        params["ResponseContentDisposition"] = content_disposition(name)
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: instant):
        expected = storage.client.generate_presigned_url("get_object", ExpiresIn=600, Params=params)
    ours = storage.presign_get(router_buckets[0], key, 600, filename=name, signed_at=signed_at)
    assert ours == expected
    assert unquote(urlsplit(ours).path) == f"/{router_buckets[0]}/{key}"
