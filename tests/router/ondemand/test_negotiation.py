"""/thumb negotiates WebP/AVIF by Accept for presets that allow it, each variant its own object and lock."""

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests

from tests.lambda_handler import helpers  # noqa: F401 -- puts lambda/ on sys.path
from tests.support.accept import ACCEPT_ROWS, CHROME
from thumbrouter.router import create_app
from thumbrouter.router.config import ConfigError, load_settings
from thumbrouter.router.ondemand.backends import LambdaBackend
from thumbrouter.router.ondemand.negotiation import MAX_ACCEPT, negotiate
from thumbrouter.router.ondemand.pool import GenerationPool
from thumbrouter.s3job import LambdaSettings, OnDemandRequest, PayloadError, parse_request

from .helpers import SIGNING_KEY, app_env, jpeg, open_image
from .test_backends import FakeLambda

BOTH = ("AVIF", "WEBP")


@pytest.mark.parametrize(("accept", "expected"), ACCEPT_ROWS)
def test_only_explicitly_listed_acceptable_types_pick_a_modern_format(accept, expected):
    assert negotiate(accept, BOTH) == expected


def test_a_preset_without_formats_never_negotiates():
    assert negotiate(CHROME, ()) is None and negotiate("image/webp", ("AVIF",)) is None


def test_only_the_first_max_accept_characters_are_read_and_a_cut_item_never_counts():
    padding = "x/y," * (MAX_ACCEPT // 4)
    assert negotiate(padding + "image/webp", BOTH) is None
    cut = padding[: MAX_ACCEPT - len("image/webp")] + "image/webp;q=0"  # the `;q=0` falls past the limit
    assert negotiate(cut, BOTH) is None
    assert negotiate("image/webp," + padding, BOTH) == "WEBP"


@pytest.mark.parametrize("text", ["a=50x50:gif", "a=50x50:webp+", "a=50x50:", "a=5000x5000:3x", "a=50x50:4x"])
def test_malformed_preset_options_stop_start_up_naming_the_variable(text):
    with pytest.raises(ConfigError, match="THUMBROUTER_PRESETS"):
        load_settings({"THUMBROUTER_S3_BUCKET": "demo", "THUMBROUTER_PRESETS": text})




@pytest.fixture
def app(s3_server, s3, buckets):
    s3.put_object(Bucket=buckets[0], Key="dir/a b.jpg", Body=jpeg((400, 300)))
    return create_app(app_env(s3_server, buckets[0],
                              presets="thumb50=50x50:webp+avif+2x,plain=50x50,preview=1440x1440:webp"))


def _get(app, path, accept=None):
    return app.test_client().get(path, headers={"Accept": accept} if accept else {})


def _fetch(response):
    """Follow a /thumb redirect to the local S3 server for real: (stored key, Content-Type, image)."""
    assert response.status_code == 302, response.data
    target = requests.get(response.location, timeout=10)
    assert target.status_code == 200
    return urlsplit(response.location).path.split("/", 2)[2], target.headers["Content-Type"], open_image(target.content)


@pytest.mark.parametrize(("accept", "suffix", "content_type", "fmt"), [
    (CHROME, "_50x50.jpg.avif", "image/avif", "AVIF"),
    ("image/webp,*/*", "_50x50.jpg.webp", "image/webp", "WEBP"),
    ("*/*", "_50x50.jpg", "image/jpeg", "JPEG"),
    ("image/*", "_50x50.jpg", "image/jpeg", "JPEG"),
    ("image/webp;q=0", "_50x50.jpg", "image/jpeg", "JPEG"),
    (None, "_50x50.jpg", "image/jpeg", "JPEG"),
])
def test_thumb_answers_the_format_the_browser_accepts_and_jpeg_otherwise(app, accept, suffix, content_type, fmt):
    response = _get(app, "/thumb/thumb50/dir/a%20b.jpg", accept)
    key, served_type, image = _fetch(response)
    assert key == requests.utils.quote("dir/a b" + suffix) and served_type == content_type
    assert image.format == fmt and image.size == (50, 38)
    assert response.headers["Vary"] == "Accept" and response.headers["Cache-Control"] == "private, max-age=300"


def test_the_variants_are_separate_objects_each_made_once(app, s3, buckets, decodes):
    for accept in (CHROME, "image/webp", "*/*", CHROME, "image/webp", "*/*"):
        assert _get(app, "/thumb/thumb50/dir/a%20b.jpg", accept).status_code == 302
    stored = {o["Key"]: s3.head_object(Bucket=buckets[1], Key=o["Key"])["ContentType"]
              for o in s3.list_objects_v2(Bucket=buckets[1])["Contents"]}
    assert stored == {"dir/a b_50x50.jpg": "image/jpeg", "dir/a b_50x50.jpg.webp": "image/webp",
                      "dir/a b_50x50.jpg.avif": "image/avif"}
    assert sorted(decodes.calls) == ["AVIF", "JPEG", "WEBP"]


def test_concurrent_requests_generate_each_variant_once(s3_server, s3, buckets, redis_server, decodes):
    # One HEAD place per request: this test is about single flight per variant, not the S3 bulkhead, which would
    # shed some of 18 simultaneous HEADs while the local S3 (in this process, on 2 shared cores) answers slowly.
    app = create_app(app_env(s3_server, buckets[0], redis_server.url, presets="thumb50=50x50:webp+avif",
                             s3_max_inflight="32"))
    s3.put_object(Bucket=buckets[0], Key="hot.jpg", Body=jpeg())
    decodes.gate.clear()
    accepts = [CHROME, "image/webp", "*/*"] * 6
    with ThreadPoolExecutor(len(accepts)) as pool:
        futures = [pool.submit(_get, app, "/thumb/thumb50/hot.jpg", a) for a in accepts]
        running = min(3, app.extensions["thumbrouter.settings"].generation_pool_size)  # 3 variants; the pool
        for _ in range(running):  # generations hold their variants' single flights; the others queue behind them
            decodes.entered.get(timeout=30)
        decodes.gate.set()
        answers = [f.result(30) for f in futures]
    assert [a.status_code for a in answers] == [302] * len(accepts)
    assert sorted(decodes.calls) == ["AVIF", "JPEG", "WEBP"]
    by_accept = {a: {r.location for r, x in zip(answers, accepts, strict=True) if x == a} for a in set(accepts)}
    assert all(len(locations) == 1 for locations in by_accept.values())
    assert len(set.union(*by_accept.values())) == 3


def test_every_answer_of_a_negotiating_preset_varies_on_accept(app, s3, buckets):
    s3.put_object(Bucket=buckets[0], Key="poison.jpg", Body=b"\xff\xd8\xff not a jpeg")
    answers = {
        302: _get(app, "/thumb/thumb50/dir/a%20b.jpg", CHROME),
        404: _get(app, "/thumb/thumb50/missing.jpg", CHROME),
        422: _get(app, "/thumb/thumb50/poison.jpg", CHROME),
        400: _get(app, "/thumb/thumb50//leading-slash.jpg"),
    }
    assert {status: a.status_code for status, a in answers.items()} == {s: s for s in answers}
    assert all(a.headers.get("Vary") == "Accept" for a in answers.values())


def test_a_preset_without_modern_formats_never_negotiates_and_has_no_vary(app, decodes):
    for path in ("/thumb/plain/dir/a%20b.jpg", "/thumb/plain/missing.jpg", "/thumb/nope/a.jpg"):
        assert "Vary" not in _get(app, path, CHROME).headers
    key, content_type, image = _fetch(_get(app, "/thumb/plain/dir/a%20b.jpg", CHROME))
    assert key.endswith("_50x50.jpg") and content_type == "image/jpeg" and decodes.calls == ["JPEG"]


def test_a_preset_offers_only_the_formats_it_lists(app):
    key, content_type, _ = _fetch(_get(app, "/thumb/preview/dir/a%20b.jpg", CHROME))
    assert key.endswith("_1440x1440.jpg.webp") and content_type == "image/webp"


def test_an_original_already_in_the_negotiated_format_uses_its_default_thumbnail(app, s3, buckets):
    s3.put_object(Bucket=buckets[0], Key="w.webp", Body=open_webp())
    key, content_type, _ = _fetch(_get(app, "/thumb/thumb50/w.webp", "image/webp"))
    assert key == "w_50x50.webp" and content_type == "image/webp"


def open_webp() -> bytes:
    import io

    out = io.BytesIO()
    open_image(jpeg()).save(out, "WEBP")
    return out.getvalue()


def test_dpr_names_make_the_scaled_box_under_its_real_size(app):
    key, content_type, image = _fetch(_get(app, "/thumb/thumb50@2x/dir/a%20b.jpg", "image/webp"))
    assert key == requests.utils.quote("dir/a b_100x100.jpg.webp") and image.size == (100, 75)


@pytest.mark.parametrize("name", ["thumb50@3x", "plain@2x", "preview@2x", "thumb50@2x@2x", "thumb50@1x"])
def test_densities_a_preset_does_not_allow_are_unknown_presets(app, name):
    assert _get(app, f"/thumb/{name}/dir/a%20b.jpg").status_code == 404


def test_signed_urls_verify_whatever_format_accept_picks(s3_server, buckets, s3):
    s3.put_object(Bucket=buckets[0], Key="s.jpg", Body=jpeg())
    app = create_app(app_env(s3_server, buckets[0], url_signing_keys=SIGNING_KEY))
    signer = app.extensions["thumbrouter.ondemand"].signer
    expires = int(time.time()) + 600
    path = f"/thumb/thumb50/s.jpg?expires={expires}&sig={signer.signature('thumb50', 's.jpg', expires)}"
    assert _fetch(_get(app, path, CHROME))[1] == "image/avif"
    assert _fetch(_get(app, path, "*/*"))[1] == "image/jpeg"
    forged = _get(app, path.replace("thumb50", "thumb50@2x"), CHROME)
    assert forged.status_code in (403, 404) and forged.headers.get("Vary") in (None, "Accept")


def test_the_lambda_backend_payload_carries_the_format_and_the_lambda_writes_that_variant(s3, buckets, monkeypatch):
    import on_demand
    from thumbrouter.s3job import client

    client.default_s3_client.cache_clear()
    monkeypatch.setattr(on_demand, "SETTINGS", LambdaSettings())
    source, resized = buckets
    s3.put_object(Bucket=source, Key="l.png", Body=jpeg())
    fake = FakeLambda(lambda payload: on_demand.handler(payload, None))
    backend = LambdaBackend(GenerationPool(1, 1), "fn", fake)
    answer = backend.submit(OnDemandRequest(source, "l.png", "50x50", "fit", resized, "AVIF")).result(30)
    default = backend.submit(OnDemandRequest(source, "l.png", "50x50", "fit", resized)).result(30)
    client.default_s3_client.cache_clear()
    assert [c["Payload"].count(b'"format"') for c in fake.calls] == [1, 0]  # older Lambdas still take defaults
    assert answer["thumbnail_key"] == "l_50x50.png.avif" and default["thumbnail_key"] == "l_50x50.png"
    assert s3.head_object(Bucket=resized, Key="l_50x50.png.avif")["ContentType"] == "image/avif"


@pytest.mark.parametrize(("key", "fmt"), [("a.jpg", "PNG"), ("a.jpg", "webp"), ("a.jpg", 5), ("a.jpg", "TIFF")])
def test_the_on_demand_payload_refuses_a_format_the_key_can_have_no_variant_in(key, fmt):
    payload = {"bucket": "demo", "key": key, "size": "50x50", "format": fmt}
    with pytest.raises(PayloadError, match="format"):
        parse_request(payload, LambdaSettings())


def test_the_on_demand_payload_accepts_a_variant_or_the_keys_own_format():
    parse = lambda fmt: parse_request({"bucket": "demo", "key": "a.jpg", "size": "50x50", "format": fmt},  # noqa: E731
                                      LambdaSettings()).thumbnail_key
    assert (parse("WEBP"), parse("AVIF"), parse("JPEG")) == ("a_50x50.jpg.webp", "a_50x50.jpg.avif", "a_50x50.jpg")
