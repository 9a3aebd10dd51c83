"""GET /thumb/<preset>/<key> in one process against the local S3 server (and a real Redis)."""

import functools
import random
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.test import Client

from thumbrouter.router import create_app
from thumbrouter.router.config import ConfigError, load_settings
from thumbrouter.router.ondemand import EXTENSION, Options, init_app
from thumbrouter.router.ondemand.negcache import NegativeCache
from thumbrouter.router.ondemand.placeholder import placeholder_png

from ..conftest import FakeClock
from .helpers import SIGNING_KEY, TOKEN, app_env, jpeg, open_image


@pytest.fixture
def app(s3_server, buckets):
    return create_app(app_env(s3_server, buckets[0]))


def _follow(location: str) -> bytes:
    response = requests.get(location, timeout=10)
    assert response.status_code == 200
    return response.content


def test_an_existing_thumbnail_redirects_to_a_presigned_url_that_serves_it(app, s3, buckets, decodes):
    source, resized = buckets
    s3.put_object(Bucket=resized, Key="a_50x50.jpg", Body=b"thumbnail bytes", ContentType="image/jpeg")
    response = app.test_client().get("/thumb/thumb50/a.jpg")
    assert response.status_code == 302 and "X-Amz-Signature=" in response.location
    assert _follow(response.location) == b"thumbnail bytes" and decodes.calls == []


def test_a_missing_thumbnail_is_generated_once_stored_and_redirected_to(app, s3, buckets, decodes):
    source, resized = buckets
    key = "photos/a b+c%#?ü.jpg"
    s3.put_object(Bucket=source, Key=key, Body=jpeg((400, 300)))
    first = app.test_client().get(f"/thumb/thumb50/{requests.utils.quote(key)}")
    assert first.status_code == 302
    assert urlsplit(first.location).path.endswith(requests.utils.quote("photos/a b+c%#?ü_50x50.jpg"))
    assert open_image(_follow(first.location)).size == (50, 38)
    again = app.test_client().get(f"/thumb/thumb50/{requests.utils.quote(key)}")
    assert again.location == first.location and len(decodes.calls) == 1


def test_unknown_presets_and_free_sizes_cost_no_image_work_and_no_s3_call(app, decodes, monkeypatch):
    service = app.extensions["thumbrouter.ondemand"]
    monkeypatch.setattr(service.storage, "head", lambda *a: pytest.fail("S3 was called"))
    client, rng = app.test_client(), random.Random(5)
    for _ in range(1000):
        size = f"{rng.randint(1, 5000)}x{rng.randint(1, 5000)}"
        response = client.get(f"/thumb/{rng.choice([size, 'w' + size, 'thumb51', 'THUMB50'])}/a.jpg")
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert decodes.calls == []


def test_files_that_cannot_have_thumbnails_are_404_without_an_s3_call(app, monkeypatch):
    monkeypatch.setattr(app.extensions["thumbrouter.ondemand"].storage, "head", lambda *a: pytest.fail("S3"))
    for key in ("notes.txt", "noext"):
        assert app.test_client().get(f"/thumb/thumb50/{key}").status_code == 404


def test_a_missing_source_answers_404_with_the_placeholder_image(app):
    response = app.test_client().get("/thumb/preview/nowhere.jpg")
    assert response.status_code == 404 and response.content_type == "image/png"
    assert response.data == placeholder_png() and open_image(response.data).size == (50, 50)


def test_a_poison_image_is_tried_once_per_negative_cache_window(app, s3, buckets, decodes):
    s3.put_object(Bucket=buckets[0], Key="poison.jpg", Body=b"\xff\xd8\xff not really a jpeg")
    init_app(app, Options(negative_ttl=60.0))
    clock = FakeClock(1000.0)
    app.extensions[EXTENSION].negative = NegativeCache(None, ttl=60.0, clock=clock)
    client = app.test_client()
    answers = [client.get("/thumb/thumb50/poison.jpg") for _ in range(20)]
    assert {(a.status_code, a.content_type) for a in answers} == {(422, "image/png")}
    assert len(decodes.calls) == 1
    clock.advance(60.0)  # the window ends: one more attempt, then remembered again
    assert [client.get("/thumb/thumb50/poison.jpg").status_code for _ in range(5)] == [422] * 5
    assert len(decodes.calls) == 2


def test_a_full_pool_answers_503_with_retry_after_at_once(s3_server, s3, buckets, decodes):
    app = create_app(app_env(s3_server, buckets[0], generation_pool_size="1", generation_queue_size="0"))
    for name in ("busy.jpg", "other.jpg"):
        s3.put_object(Bucket=buckets[0], Key=name, Body=jpeg())
    decodes.gate.clear()
    holder = threading.Thread(target=app.test_client().get, args=("/thumb/thumb50/busy.jpg",))
    holder.start()
    decodes.entered.get(timeout=30)  # the only pool thread is now busy
    rejected = app.test_client().get("/thumb/thumb50/other.jpg")
    decodes.gate.set()
    holder.join(20)
    assert rejected.status_code == 503 and rejected.headers["Retry-After"] == "1"
    assert rejected.json["error"]["code"] == "overloaded"
    assert app.test_client().get("/thumb/thumb50/other.jpg").status_code == 302


def test_without_signing_keys_thumb_needs_the_api_token(s3_server, buckets):
    env = app_env(s3_server, buckets[0], api_tokens=TOKEN, allow_anonymous="0")
    client = create_app(env).test_client()
    assert client.get("/thumb/thumb50/x.jpg").status_code == 401
    assert client.get("/thumb/thumb50/x.jpg", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


@pytest.fixture
def lazy_env(s3_server, buckets):
    return app_env(s3_server, buckets[0], s3_thumbnail_mode="lazy", url_signing_keys=SIGNING_KEY,
                   public_base_url="https://img.example.com", api_tokens=TOKEN, allow_anonymous="0")


def test_lazy_download_urls_point_at_thumb_and_serve_the_generated_thumbnail(lazy_env, s3, buckets):
    s3.put_object(Bucket=buckets[0], Key="dir/pic.jpg", Body=jpeg())
    app = create_app(lazy_env)
    urls = app.extensions["thumbrouter"].download_urls("dir/pic.jpg")
    parts = urlsplit(urls.thumbnail_url)
    assert parts.netloc == "img.example.com" and parts.path == "/thumb/thumb50/dir/pic.jpg"
    response = app.test_client().get(f"{parts.path}?{parts.query}")  # no bearer token: the signature is the auth
    assert response.status_code == 302 and open_image(_follow(response.location)).size == (50, 38)


@pytest.mark.parametrize("query", ["", "?expires=9999999999", "?expires=9999999999&sig=AAAA",
                                   "?expires=1000&sig={good_old}", "?expires={exp}&sig={good}x"])
def test_lazy_urls_without_a_valid_signature_are_403_before_any_s3_call(lazy_env, query, monkeypatch):
    app = create_app(lazy_env)
    monkeypatch.setattr(app.extensions["thumbrouter.ondemand"].storage, "head", lambda *a: pytest.fail("S3"))
    signer = app.extensions["thumbrouter.ondemand"].signer
    exp = int(time.time()) + 600
    query = query.format(exp=exp, good=signer.signature("thumb50", "a.jpg", exp),
                         good_old=signer.signature("thumb50", "a.jpg", 1000))
    response = app.test_client().get(f"/thumb/thumb50/a.jpg{query}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_a_lazy_link_with_raw_non_utf8_bytes_in_its_query_is_a_400_not_a_500(lazy_env):
    # The QUERY_STRING gunicorn passes for raw bytes in the request line (latin-1 characters of them).
    # Werkzeug's plain client: the OpenAPI check of FlaskClient reads request.args, which raw bytes break.
    response = Client(create_app(lazy_env)).get("/thumb/thumb50/a.jpg",
                                                environ_overrides={"QUERY_STRING": "expires=\xff&sig=x"})
    assert response.status_code == 400 and "not UTF-8" in response.json["error"]["message"]


def test_a_signature_for_one_key_does_not_open_another(lazy_env):
    app = create_app(lazy_env)
    url = urlsplit(app.extensions["thumbrouter"].download_urls("a.jpg").thumbnail_url)
    assert app.test_client().get(f"/thumb/thumb50/b.jpg?{url.query}").status_code == 403
    assert app.test_client().get(f"/thumb/preview/a.jpg?{url.query}").status_code == 403


def test_lazy_mode_refuses_to_start_without_keys_or_a_public_base_url(lazy_env):
    with pytest.raises(ConfigError, match="URL_SIGNING_KEYS"):
        load_settings(lazy_env | {"THUMBROUTER_URL_SIGNING_KEYS": ""})
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        load_settings(lazy_env | {"THUMBROUTER_PUBLIC_BASE_URL": ""})


@pytest.mark.parametrize("setting, seconds", [({}, 0.3), ({"redis_timeout_ms": "1500"}, 1.5)])
def test_every_redis_call_of_the_app_has_the_configured_timeout(s3_server, buckets, redis_server, setting, seconds):
    guard = create_app(app_env(s3_server, buckets[0], redis_server.url, **setting)).extensions[EXTENSION].guard
    options = guard.client.connection_pool.connection_kwargs
    assert (options["socket_timeout"], options["socket_connect_timeout"]) == (seconds, seconds)


def test_readiness_reports_redis_degraded_without_failing_and_thumb_keeps_working(
        s3_server, s3, buckets, redis_server):
    app = create_app(app_env(s3_server, buckets[0], redis_server.url))
    client = app.test_client()
    assert client.get("/readyz").json["checks"]["redis"]["ok"] is True
    redis_server.stop()
    app.extensions["thumbrouter.readiness"].ttl = 0
    s3.put_object(Bucket=buckets[0], Key="a.jpg", Body=jpeg())
    assert client.get("/thumb/thumb50/a.jpg").status_code == 302
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["redis"]["ok"] is False
    assert "degraded" in ready.json["checks"]["redis"]["detail"]


def test_metrics_count_generations(app, s3, buckets):
    s3.put_object(Bucket=buckets[0], Key="m.jpg", Body=jpeg())
    client = app.test_client()
    client.get("/thumb/thumb50/m.jpg")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'thumbrouter_ondemand_generations_total{backend="local",outcome="created"} 1.0' in text


def test_a_thumbnail_seen_once_is_served_again_without_an_s3_call(app, s3, buckets, monkeypatch):
    s3.put_object(Bucket=buckets[1], Key="hot_50x50.jpg", Body=b"thumbnail bytes")
    client = app.test_client()
    first = client.get("/thumb/thumb50/hot.jpg")
    monkeypatch.setattr(app.extensions["thumbrouter.ondemand"].storage, "head", lambda *a: pytest.fail("S3"))
    assert [client.get("/thumb/thumb50/hot.jpg").location for _ in range(50)] == [first.location] * 50


def test_an_original_whose_name_ends_in_a_non_preset_size_still_gets_its_thumbnail(app, s3, buckets):
    s3.put_object(Bucket=buckets[0], Key="Elephants_3840x2160.jpg", Body=jpeg())
    response = app.test_client().get("/thumb/thumb50/Elephants_3840x2160.jpg")
    assert response.status_code == 302 and "Elephants_3840x2160_50x50.jpg" in response.location


def test_an_avif_its_decoder_refuses_answers_422_and_is_remembered(app, s3, buckets, decodes):
    from tests.support import hostile_heif

    s3.put_object(Bucket=buckets[0], Key="grid.avif", Body=hostile_heif.repeated_tile("AVIF"))  # libavif: RuntimeError
    client = app.test_client()
    answers = [client.get("/thumb/thumb50/grid.avif") for _ in range(5)]
    assert {(a.status_code, a.content_type) for a in answers} == {(422, "image/png")}
    assert len(decodes.calls) == 1


@pytest.mark.parametrize("location", ["https://b.s3.amazonaws.com/a%20b.jpg?X-Amz-Signature=ab%2Fc",
                                      "http://\u2603.net/p\u00e5th?q=\u00e8ry%DF", "/relative/p\u00e5th x"])
def test_a_signed_redirect_sends_the_location_werkzeug_would_send_every_time(location):
    from flask import Response
    from werkzeug.utils import redirect

    from thumbrouter.router.ondemand.presets import Preset
    from thumbrouter.router.ondemand.views import REDIRECT_CACHE, SignedRedirect, redirect_headers

    expected = redirect(location, 302, Response=Response).get_wsgi_headers({})
    for method in ("GET", "HEAD", "GET"):  # the second GET's conversion is the memoised one
        response = SignedRedirect(None, 302, redirect_headers(location, Preset("thumb50", "50x50")))
        closed = []
        response.call_on_close(functools.partial(closed.append, True))
        response.headers["X-Hook"] = "set after the view"  # as an after_request hook would
        body, status, headers = response.get_wsgi_response({"REQUEST_METHOD": method})
        assert status == "302 FOUND" and b"".join(body) == b""
        assert sorted(headers) == [("Cache-Control", REDIRECT_CACHE), ("Content-Length", "0"),
                                   ("Location", expected["Location"]), ("X-Hook", "set after the view")]
        body.close()  # what a WSGI server does at the end: Response.close and its callbacks run
        assert closed == [True]
