"""An original named like a thumbnail (`user42_50x50.jpg`) gets a thumbnail from every part, at the one
key `/v1` links: the Lambda, backfill and `/thumb` all ask imagecore.no_thumbnail_reason."""

import argparse
import io
import uuid

import pytest
import requests
from PIL import Image

from tests.lambda_handler.helpers import image_bytes, s3_event, s3_record  # also puts lambda/ on sys.path
from tests.router.ondemand.helpers import app_env
from thumbrouter.cli import backfill
from thumbrouter.router import create_app

KEY = "users/user42_50x50.jpg"
THUMBNAIL = "users/user42_50x50_50x50.jpg"


@pytest.fixture
def pair(s3):
    source = f"names-{uuid.uuid4().hex[:12]}"
    for bucket in (source, f"{source}resized"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=source, Key=KEY, Body=image_bytes(size=(200, 100)))
    return source, f"{source}resized"


@pytest.fixture
def lambda_module():
    import create_thumbnail
    from thumbrouter.s3job import client

    client.default_s3_client.cache_clear()
    yield create_thumbnail
    client.default_s3_client.cache_clear()


def linked_key(s3_server, source: str) -> str:
    """The thumbnail key /v1 links for KEY (its URL's path after the bucket)."""
    app = create_app(app_env(s3_server, source, ondemand="0"))
    response = app.test_client().get(f"/v1/download-urls?key={KEY}")
    assert response.status_code == 200
    url = response.json["thumbnail_url"]
    assert url is not None
    return requests.utils.unquote(url.split("?")[0].split(f"/{source}resized/", 1)[1])


def fetched_size(url: str) -> tuple[int, int]:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.content)).size


def test_v1_links_the_thumbnail_of_a_name_that_looks_like_one(s3_server, pair):
    assert linked_key(s3_server, pair[0]) == THUMBNAIL


def test_the_lambda_writes_exactly_the_thumbnail_v1_links(s3_server, s3, pair, lambda_module):
    source, resized = pair
    assert lambda_module.handler(s3_event(s3_record(source, KEY, size=4096)), None) == {"created": 1, "retry": 0}
    assert s3.head_object(Bucket=resized, Key=linked_key(s3_server, source))["ContentType"] == "image/jpeg"
    app = create_app(app_env(s3_server, source, ondemand="0"))
    assert fetched_size(app.test_client().get(f"/v1/download-urls?key={KEY}").json["thumbnail_url"]) == (50, 25)


def test_backfill_makes_it_too(s3_server, s3, pair, monkeypatch):
    source, resized = pair
    monkeypatch.delenv("THN_BUCKET", raising=False)
    parser = argparse.ArgumentParser()
    backfill.add_arguments(parser)
    assert backfill.run(parser.parse_args(["--bucket", source])) == 0
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=resized)["Contents"]] == [linked_key(s3_server, source)]


def test_thumb_generates_it_at_the_same_key(s3_server, s3, pair):
    source, resized = pair
    response = create_app(app_env(s3_server, source)).test_client().get(f"/thumb/thumb50/{KEY}")
    assert response.status_code == 302
    assert s3.list_objects_v2(Bucket=resized)["Contents"][0]["Key"] == THUMBNAIL == linked_key(s3_server, source)
    assert fetched_size(response.location) == (50, 25)
