"""GET /edge/<thumbnail key>: the CDN failover origin, tried as an origin group would (bucket, then router)."""

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import requests

from tests.support.accept import CHROME
from thumbrouter.imagecore import thumbnail_key, variant_key
from thumbrouter.router import create_app
from thumbrouter.router.config import ConfigError
from thumbrouter.router.ondemand.edge import ORIGIN_SECRET_HEADER

from .helpers import app_env, jpeg, open_image

SECRET = "s" * 40
OLD_SECRET = "o" * 40
FROM_CDN = {ORIGIN_SECRET_HEADER: SECRET}


@pytest.fixture
def app(s3_server, buckets):
    return create_app(app_env(s3_server, buckets[0], cdn_origin_secret=f"{SECRET},{OLD_SECRET}",
                              presets="thumb50=50x50:webp+avif,plain=64x64"))


def through_origin_group(app, s3, resized: str, name: str, headers=FROM_CDN):
    """What CloudFront's origin group does on a miss: the bucket first (signed, as Origin Access Control
    signs), the router on the bucket's 403 or 404."""
    url = s3.generate_presigned_url("get_object", Params={"Bucket": resized, "Key": name}, ExpiresIn=60)
    primary = requests.get(url, timeout=10)
    if primary.status_code not in (403, 404):
        return "bucket", primary.status_code, primary.content, primary.headers
    answer = app.test_client().get(f"/edge/{quote(name)}", headers=headers)
    return "router", answer.status_code, answer.data, answer.headers


def test_a_missing_thumbnail_is_made_once_through_the_failover_and_then_served_by_the_bucket(
        app, s3, buckets, decodes):
    source, resized = buckets
    s3.put_object(Bucket=source, Key="dir/a b.jpg", Body=jpeg((400, 300)))
    name = thumbnail_key("dir/a b.jpg", "50x50")
    origin, status, body, headers = through_origin_group(app, s3, resized, name)
    assert (origin, status, headers["Content-Type"]) == ("router", 200, "image/jpeg")
    assert open_image(body).size == (50, 38)
    assert headers["Cache-Control"] == "public, max-age=86400"  # the object's, so the edge keeps it as S3's
    origin, status, again, _ = through_origin_group(app, s3, resized, name)
    assert (origin, status, again) == ("bucket", 200, body)
    assert decodes.calls == ["JPEG"]


def test_the_variant_the_edge_function_asked_for_is_made_in_that_format(app, s3, buckets, decodes):
    source, resized = buckets
    s3.put_object(Bucket=source, Key="v.jpg", Body=jpeg((300, 300)))
    _, status, body, headers = through_origin_group(app, s3, resized, variant_key("v.jpg", "50x50", "WEBP"))
    assert (status, headers["Content-Type"], open_image(body).format) == (200, "image/webp", "WEBP")
    assert decodes.calls == ["WEBP"]


def test_a_variant_of_a_size_that_negotiates_nothing_is_served_in_the_keys_own_format(app, s3, buckets, decodes):
    s3.put_object(Bucket=buckets[0], Key="p.jpg", Body=jpeg((300, 300)))
    answer = app.test_client().get("/edge/" + variant_key("p.jpg", "64x64", "AVIF"), headers=FROM_CDN)
    assert (answer.status_code, answer.headers["Content-Type"]) == (200, "image/jpeg")


def test_concurrent_misses_of_one_thumbnail_generate_it_once(app, s3, buckets, decodes):
    s3.put_object(Bucket=buckets[0], Key="hot.jpg", Body=jpeg((400, 300)))
    decodes.gate.clear()  # hold the first generation until every request is in
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(lambda: app.test_client().get("/edge/hot_50x50.jpg", headers=FROM_CDN))
                   for _ in range(8)]
        decodes.gate.set()
        answers = [f.result(timeout=60) for f in futures]
    assert [a.status_code for a in answers] == [200] * 8 and len({a.data for a in answers}) == 1
    assert decodes.calls == ["JPEG"]


@pytest.mark.parametrize("headers", [{}, {ORIGIN_SECRET_HEADER: "wrong" * 8}, {ORIGIN_SECRET_HEADER: SECRET[:-1]},
                                     {"Authorization": "Bearer " + SECRET}])
def test_only_requests_with_the_origin_secret_are_served_and_they_cost_nothing(app, s3, buckets, decodes, headers):
    s3.put_object(Bucket=buckets[0], Key="x.jpg", Body=jpeg())
    answer = app.test_client().get("/edge/x_50x50.jpg", headers=headers)
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "forbidden"
    assert decodes.calls == []


def test_the_older_secret_still_works_while_rotating(app, s3, buckets, decodes):
    s3.put_object(Bucket=buckets[0], Key="r.jpg", Body=jpeg())
    assert app.test_client().get("/edge/r_50x50.jpg", headers={ORIGIN_SECRET_HEADER: OLD_SECRET}).status_code == 200


@pytest.mark.parametrize("name", ["x.jpg", "x_050x50.jpg", "x_51x51.jpg", "notes_50x50.txt"])
def test_names_that_are_no_preset_thumbnail_are_404_without_image_work(app, decodes, name):
    assert app.test_client().get(f"/edge/{name}", headers=FROM_CDN).status_code == 404
    assert decodes.calls == []


def test_a_missing_original_is_a_404_placeholder_the_edge_does_not_keep(app, decodes):
    answer = app.test_client().get("/edge/gone_50x50.jpg", headers=FROM_CDN)
    assert (answer.status_code, answer.headers["Cache-Control"]) == (404, "no-store")


def test_without_the_secret_there_is_no_edge_route(s3_server, buckets):
    app = create_app(app_env(s3_server, buckets[0]))
    assert app.test_client().get("/edge/x_50x50.jpg", headers=FROM_CDN).status_code == 404


@pytest.mark.parametrize("secret", ["short", f"{SECRET},tiny"])
def test_a_short_origin_secret_stops_start_up(s3_server, buckets, secret):
    with pytest.raises(ConfigError, match="THUMBROUTER_CDN_ORIGIN_SECRET"):
        create_app(app_env(s3_server, buckets[0], cdn_origin_secret=secret))


def test_accept_plays_no_part_at_the_origin(app, s3, buckets, decodes):
    s3.put_object(Bucket=buckets[0], Key="n.jpg", Body=jpeg())
    answer = app.test_client().get("/edge/n_50x50.jpg", headers={**FROM_CDN, "Accept": CHROME})
    assert answer.headers["Content-Type"] == "image/jpeg" and decodes.calls == ["JPEG"]
