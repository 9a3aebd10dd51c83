"""A phone's HEIC and an AVIF: upload target -> real PUT -> Lambda handler -> thumbnail_url fetched for real."""

import io

import pytest
import requests
from PIL import Image

from tests.lambda_handler.helpers import s3_event, s3_record  # also puts lambda/ on sys.path
from tests.support import images

CASES = {"IMG_0001.HEIC": ("image/heic", "HEIF"), "sticker.avif": ("image/avif", "AVIF")}


@pytest.fixture
def lambda_module():
    import create_thumbnail
    from thumbrouter.s3job import client

    client.default_s3_client.cache_clear()  # the endpoint comes from the environment at creation
    yield create_thumbnail
    client.default_s3_client.cache_clear()


@pytest.mark.parametrize("name", CASES)
def test_an_uploaded_heic_or_avif_gets_an_upright_webp_thumbnail_at_its_download_url(
        make_router, router_buckets, lambda_module, name):
    content_type, fmt = CASES[name]
    router, key = make_router(), f"photos/{name}"
    body = images.oriented(6, fmt, size=(160, 120))  # stored portrait, shown landscape

    target = router.upload_target(key, country="US", size=len(body))
    assert target.content_type == content_type
    assert requests.put(target.url, data=body, headers=dict(target.headers), timeout=10).status_code == 200

    event = s3_event(s3_record(router_buckets[0], key, size=len(body)))
    assert lambda_module.handler(event, None)["created"] == 1

    urls = router.download_urls(key)
    assert urls.thumbnail_url is not None
    fetched = requests.get(urls.thumbnail_url, timeout=10)
    assert fetched.status_code == 200 and fetched.headers["Content-Type"] == "image/webp"
    thumbnail = Image.open(io.BytesIO(fetched.content))
    thumbnail.load()
    assert thumbnail.format == "WEBP" and thumbnail.size == (50, 38)
    assert images.close_to(thumbnail.convert("RGB").getpixel((2, 2)), images.RED)
    assert images.close_to(thumbnail.convert("RGB").getpixel((47, 35)), images.BLUE)
