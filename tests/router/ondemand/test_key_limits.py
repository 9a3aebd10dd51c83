"""Keys that can have no thumbnail, end to end: no thumbnail URL (presigned or lazy), and /thumb answers 400.

The local S3 server accepts keys over 1024 bytes (real S3 answers KeyTooLongError), so before this
/thumb generated and redirected such a key here, and answered 503 forever against AWS.
"""

from urllib.parse import quote, urlsplit

import pytest

from thumbrouter.router import create_app

from .helpers import SIGNING_KEY, TOKEN, app_env, jpeg


def key_of(length: int) -> str:
    """A `.jpg` key of exactly `length` UTF-8 bytes."""
    return "猫/" + "k" * (length - len("猫/".encode()) - 4) + ".jpg"


@pytest.fixture
def lazy_app(s3_server, buckets):
    return create_app(app_env(s3_server, buckets[0], s3_thumbnail_mode="lazy", url_signing_keys=SIGNING_KEY,
                              public_base_url="https://img.example.com", api_tokens=TOKEN, allow_anonymous="0"))


def test_only_keys_whose_thumbnail_key_fits_get_a_thumbnail_url(s3_server, buckets, lazy_app):
    presigned = create_app(app_env(s3_server, buckets[0])).extensions["thumbrouter"]
    lazy = lazy_app.extensions["thumbrouter"]
    for router in (presigned, lazy):
        assert router.download_urls(key_of(1018)).thumbnail_url is not None
        for length in (1019, 1024):
            urls = router.download_urls(key_of(length))
            assert urls.download_url and urls.thumbnail_url is None


def test_thumb_answers_400_for_a_key_too_long_for_a_thumbnail_without_touching_s3(lazy_app, s3, buckets, monkeypatch):
    source, resized = buckets
    key = key_of(1019)
    s3.put_object(Bucket=source, Key=key, Body=jpeg())
    monkeypatch.setattr(lazy_app.extensions["thumbrouter.ondemand"].storage, "head", lambda *a: pytest.fail("S3"))
    signer = lazy_app.extensions["thumbrouter.ondemand"].signer
    expires = 9_999_999_999
    response = lazy_app.test_client().get(
        f"/thumb/thumb50/{quote(key)}?expires={expires}&sig={signer.signature('thumb50', key, expires)}")
    assert response.status_code == 400
    assert response.json["error"]["message"] == ("key can have no thumb50 thumbnail: "
                                                  "its thumbnail key would be over S3's 1024-byte limit")
    assert s3.list_objects_v2(Bucket=resized)["KeyCount"] == 0


def test_keys_starting_with_a_slash_are_refused_by_download_urls_uploads_and_thumb(lazy_app, s3, buckets):
    s3.put_object(Bucket=buckets[0], Key="/lead.jpg", Body=jpeg())
    client = lazy_app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    download = client.get("/v1/download-urls", query_string={"key": "/lead.jpg"}, headers=auth)
    upload = client.post("/v1/upload-targets", json={"key": "/lead.jpg", "size": 10}, headers=auth)
    sig = lazy_app.extensions["thumbrouter.ondemand"].signer.signature("thumb50", "/lead.jpg", 9999999999)
    thumb = client.get(f"/thumb/thumb50//lead.jpg?expires=9999999999&sig={sig}")
    for answer in (download, upload, thumb):
        assert answer.status_code == 400 and answer.json["error"]["message"] == "key must not start with /"
    assert s3.list_objects_v2(Bucket=buckets[1])["KeyCount"] == 0


def test_a_key_that_just_fits_is_still_generated_and_redirected(lazy_app, s3, buckets):
    key = key_of(1018)
    s3.put_object(Bucket=buckets[0], Key=key, Body=jpeg())
    url = urlsplit(lazy_app.extensions["thumbrouter"].download_urls(key).thumbnail_url)
    response = lazy_app.test_client().get(f"{url.path}?{url.query}")
    assert response.status_code == 302
    assert len(s3.list_objects_v2(Bucket=buckets[1])["Contents"][0]["Key"].encode()) == 1024
