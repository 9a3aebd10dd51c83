"""The router follows the Lambda's ThumbnailSpec: /thumb makes the Lambda's picture, links go to its bucket.

Everything runs against the local S3 server and every URL is fetched for real.
"""

import uuid

import pytest
import requests
from PIL import ImageChops

from thumbrouter.router import create_app
from thumbrouter.router.config import load_settings
from thumbrouter.router.service import Router
from thumbrouter.s3job import LambdaSettings
from thumbrouter.s3job.events import ObjectRecord
from thumbrouter.s3job.job import process_object

from .helpers import app_env, jpeg, open_image

SPEC = {"THUMBNAIL_MODE": "cover", "JPEG_QUALITY": "60", "CACHE_CONTROL": "public, max-age=600"}


def fetch(url: str) -> requests.Response:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, (url, response.status_code)
    return response


@pytest.fixture
def thumbs_bucket(s3) -> str:
    """A thumbnail bucket that is not `<source>resized` (THN_BUCKET)."""
    name = f"thumbs-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def test_thumb_in_cover_mode_writes_the_same_picture_as_the_lambda(s3_server, s3, buckets):
    source, resized = buckets
    original = jpeg((400, 300))  # not square: fit would give 50x38, cover 50x50
    for key in ("by-lambda.jpg", "by-router.jpg"):
        s3.put_object(Bucket=source, Key=key, Body=original)
    lambda_settings = LambdaSettings.from_env(SPEC)
    assert process_object(s3, ObjectRecord(source, "by-lambda.jpg", len(original)), lambda_settings).status == "created"
    router_env = app_env(s3_server, source, **{name.lower(): value for name, value in SPEC.items()})

    answer = create_app(router_env).test_client().get("/thumb/thumb50/by-router.jpg")

    assert answer.status_code == 302
    by_router = s3.get_object(Bucket=resized, Key="by-router_50x50.jpg")
    by_lambda = s3.get_object(Bucket=resized, Key="by-lambda_50x50.jpg")
    assert by_router["CacheControl"] == by_lambda["CacheControl"] == "public, max-age=600"
    mine, theirs = open_image(by_router["Body"].read()), open_image(by_lambda["Body"].read())
    assert (mine.size, mine.mode, mine.format) == (theirs.size, theirs.mode, theirs.format) == ((50, 50), "RGB", "JPEG")
    assert mine.quantization == theirs.quantization  # the same JPEG quality
    assert max(hi for _, hi in ImageChops.difference(mine, theirs).getextrema()) <= 8


def test_with_thn_bucket_download_links_and_thumb_redirects_point_at_that_bucket(s3_server, s3, buckets, thumbs_bucket):
    source, resized = buckets
    s3.put_object(Bucket=source, Key="a.jpg", Body=jpeg())
    s3.put_object(Bucket=thumbs_bucket, Key="a_50x50.jpg", Body=b"made by the lambda", ContentType="image/jpeg")
    env = app_env(s3_server, source, thn_bucket=thumbs_bucket)

    urls = Router.from_settings(load_settings(env)).download_urls("a.jpg")
    assert fetch(urls.thumbnail_url).content == b"made by the lambda"

    client = create_app(env).test_client()
    existing = client.get("/thumb/thumb50/a.jpg")
    assert existing.status_code == 302 and f"/{thumbs_bucket}/" in existing.location
    assert fetch(existing.location).content == b"made by the lambda"

    s3.put_object(Bucket=source, Key="b.jpg", Body=jpeg())
    generated = client.get("/thumb/preview/b.jpg")
    assert generated.status_code == 302 and f"/{thumbs_bucket}/" in generated.location
    assert open_image(fetch(generated.location).content).format == "JPEG"
    assert s3.list_objects_v2(Bucket=resized).get("KeyCount") == 0  # nothing went to `<source>resized`
