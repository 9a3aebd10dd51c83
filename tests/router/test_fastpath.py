"""router.fastpath answers exactly what Flask answers.

Every request goes to an app with the fast path and to a twin app without it (the same settings, the same
local S3 server, one clock for both URL caches); status, headers, body, the access log's route and the
request metrics must be equal, and the fast path must have answered the hot routes' successes itself.
The requests are drawn at random from hostile and ordinary parts: tokens, signatures, keys (non-UTF-8
bytes, control characters, dot segments, `//`, too long), query strings, Accept, proxies, methods.
"""

import json
import random
from urllib.parse import quote, unquote_to_bytes, urlencode

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from thumbrouter.router import create_app
from thumbrouter.router.errors import error_body
from thumbrouter.router.fastpath import FastPath
from thumbrouter.router.metrics import ROUTE
from thumbrouter.router.signing import UrlSigner

from .conftest import QINIU_ENV, FakeClock
from .ondemand.helpers import SIGNING_KEY, TOKEN, app_env, jpeg

NOW = 1_800_000_000
PRESETS = ("thumb50", "card", "card@2x", "CARD", "w50", "")
STORED = ["a.jpg", "photos/user 1/IMG_0001.jpg", "\u00fc/\u00df \u6771\u4eac.png", "a+b%2F.jpg", "x.webp"]
KEYS = STORED + [
    "missing/none.jpg", "poison.jpg", "doc.pdf", "no-extension", "trail/", "./a.jpg", "a/../b.jpg", "/lead.jpg",
    "bad\x01.jpg", "new\nline.jpg", "deep/" * 210 + "x.jpg", "a.jpg-thumb50", "k.JPG", "%ff.jpg", "sp ace.gif"]
TOKENS = [f"Bearer {TOKEN}", f"bearer   {TOKEN} ", f"Bearer {TOKEN}x", "Bearer ", "Basic dXNlcjpwdw==", None]
ACCEPTS = [None, "image/webp", "image/avif,image/webp,*/*", "*/*", "image/webp;q=0", "x" * 2000, ";;,"]
FORWARDED = [None, "203.0.113.9", "1.2.3.4, 198.51.100.7", "not-an-ip", ""]
COUNTRIES = [None, "CN", "us", "XX", "ZZZ"]
FIELDS = {"key": KEYS, "cloud": ["s3", "qiniu", "gcs", ""], "country": ["CN", "US", "c", ""],
          "filetype": ["image", "file", "video", "x"], "filename": ["r\u00e9sum\u00e9.jpg", "a\r\nb", ""],
          "expires": ["60", "3600", "0", "-5", "1e3", "9" * 30, "604800"], "bogus": ["1"]}


def fastpath_of(app) -> tuple[object, str]:
    """(holder, attribute name) of the app's FastPath in its middleware chain; AttributeError without one."""
    holder, name = app, "wsgi_app"
    while not isinstance(getattr(holder, name), FastPath):
        holder = getattr(holder, name)
        name = "wsgi_app" if hasattr(holder, "wsgi_app") else "app"  # ProxyFix keeps the next one as .app
    return holder, name


def without_fastpath(app):
    """Take the app's FastPath out of its middleware chain (ProxyFix and the timer stay)."""
    holder, name = fastpath_of(app)
    setattr(holder, name, getattr(holder, name).wsgi_app)
    return app


def count_flask_calls(app) -> list:
    """Wrap what the app's FastPath hands requests to; returns the list each call appends to."""
    fast, calls = getattr(*fastpath_of(app)), []
    inner = fast.wsgi_app
    fast.wsgi_app = lambda environ, start_response: calls.append(1) or inner(environ, start_response)
    return calls


def wsgi(text: str) -> str:
    """The WSGI string of `text` sent as UTF-8 (its raw bytes as latin-1); surrogate escapes stand for bytes
    that are not UTF-8."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def draw_request(rng: random.Random, signer: UrlSigner | None) -> dict:
    """One request: method, raw PATH_INFO and QUERY_STRING, headers."""
    # Half the draws are ordinary (a stored key, the right token), so both routes succeed often.
    ordinary = rng.random() < 0.5
    key = rng.choice(STORED if ordinary else KEYS + ["\udcff\udcfe.jpg"])  # the last: bytes that are not UTF-8
    headers = {name: value for name, value in (
        ("Authorization", TOKENS[0] if ordinary else rng.choice(TOKENS)), ("Accept", rng.choice(ACCEPTS)),
        ("X-Forwarded-For", rng.choice(FORWARDED)), ("CloudFront-Viewer-Country", rng.choice(COUNTRIES)))
        if value is not None}
    method = "GET" if ordinary else rng.choice(["GET"] * 6 + ["HEAD", "POST", "get"])
    if rng.random() < 0.5:
        odds = 0.1 if ordinary else 0.4
        fields = {name: rng.choice(values) for name, values in FIELDS.items() if rng.random() < odds}
        fields.setdefault("key", key)
        query = urlencode(fields, encoding="utf-8", errors="surrogateescape")
        query = rng.choice([query] * 6 + [query + "&key=second", "key=%ff%fe", "&&=&key", "key=" + "k" * 5000])
        path = rng.choice(["/v1/download-urls"] * 8 + ["/v1/download-urls/", "/v1//download-urls", "/v1/Download-urls"])
        return {"method": method, "path": path, "query": query, "headers": headers}
    preset = rng.choice(PRESETS[:3] if ordinary else PRESETS)
    query = ""
    if signer is not None and rng.random() < 0.9:
        expires = 2_000_000_000 if rng.random() < 0.8 else 1_000_000_000  # 2033, or long expired
        signable = rng.random() < 0.85 and not any("\udc80" <= c <= "\udcff" for c in key)
        sig = signer.signature(preset, key, expires) if signable else "A" * 43
        query = rng.choice([urlencode({"expires": expires, "sig": sig})] * 5 + [f"sig={sig}", "expires=x&sig=y"])
    sep = rng.choice(["/"] * 9 + ["//"])
    path = f"/thumb/{preset}{sep}{quote(key.encode('utf-8', 'surrogateescape'), safe='/')}"
    return {"method": method, "path": path, "query": query,
            "headers": headers}


def call(app, request: dict) -> tuple:
    """(status, headers, body, access-log route) of one request; PATH_INFO and QUERY_STRING as sent."""
    environ = EnvironBuilder(method=request["method"], headers=request["headers"]).get_environ()
    environ["REQUEST_METHOD"] = request["method"]
    environ["PATH_INFO"] = wsgi(unquote_to_bytes(request["path"]).decode("utf-8", "surrogateescape"))
    environ["QUERY_STRING"] = wsgi(request["query"])
    environ["REMOTE_ADDR"] = "10.0.0.2"
    body, status, headers = run_wsgi_app(app, environ, buffered=True)
    return status, list(headers.items()), b"".join(body), environ.get(ROUTE)


def request_samples(app) -> dict:
    """The HTTP request counters and URL cache lookups (no latencies, which differ) by labels."""
    registry = app.extensions["thumbrouter.metrics"].registry
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in registry.collect() for sample in family.samples
            if sample.name in ("thumbrouter_http_requests_total", "thumbrouter_url_cache_lookups_total",
                               "thumbrouter_http_request_duration_seconds_count")}


@pytest.fixture(params=["tokens", "signed links"])
def twins(request, s3_server, buckets, s3):
    """(app with the fast path, app without it, signer or None) sharing one S3 and one clock."""
    source, resized = buckets
    for key in STORED + ["poison.jpg"]:
        s3.put_object(Bucket=source, Key=key, Body=jpeg((64, 48)) if key != "poison.jpg" else b"not an image")
    env = app_env(s3_server, source) | QINIU_ENV | {
        "THUMBROUTER_ALLOW_ANONYMOUS": "0", "THUMBROUTER_API_TOKENS": TOKEN, "THUMBROUTER_DOMESTIC_COUNTRIES": "CN",
        "THUMBROUTER_PRESETS": "thumb50=50x50,card=64x64:webp+2x", "THUMBROUTER_TRUSTED_PROXIES": "1",
        "THUMBROUTER_COUNTRY_HEADER": "CloudFront-Viewer-Country"}
    if request.param == "signed links":
        env |= {"THUMBROUTER_URL_SIGNING_KEYS": SIGNING_KEY, "THUMBROUTER_S3_THUMBNAIL_LINKS": "lazy",
                "THUMBROUTER_PUBLIC_BASE_URL": "https://router.example.com"}
    fast, flask_only = create_app(env), without_fastpath(create_app(env))
    clock = FakeClock(NOW)
    for app in (fast, flask_only):
        app.extensions["thumbrouter"].cache.clock = clock
    return fast, flask_only, UrlSigner.from_strings([SIGNING_KEY]) if request.param == "signed links" else None


def test_the_fast_path_answers_every_request_as_flask_does(twins):
    fast, flask_only, signer = twins
    flask_calls, rng = count_flask_calls(fast), random.Random(17)
    served_fast = {"/v1": 0, "/thumb": 0}
    for number in range(1200):
        request = draw_request(rng, signer)
        before = len(flask_calls)
        answer, expected = call(fast, request), call(flask_only, request)
        assert answer == expected, (number, request)
        if len(flask_calls) == before:
            served_fast[request["path"][:request["path"].index("/", 1)]] += 1
            assert request["method"] == "GET" and answer[0] in ("200 OK", "302 FOUND"), (number, request)
        elif request["path"] == "/v1/download-urls" and request["method"] == "GET":
            assert answer[0] != "200 OK", (number, request)  # every GET success of /v1 is the fast path's
    assert request_samples(fast) == request_samples(flask_only)
    assert served_fast["/v1"] > 50 and served_fast["/thumb"] > 50, served_fast


def test_an_anonymous_app_has_no_fast_path_and_refuses_other_peers_on_the_hot_routes(s3_server, buckets):
    app = create_app(app_env(s3_server, buckets[0]))
    for path in ("/v1/download-urls?key=a.jpg", "/thumb/thumb50/a.jpg"):
        response = app.test_client().get(path, environ_base={"REMOTE_ADDR": "203.0.113.5"})
        assert response.status_code == 403
    with pytest.raises(AttributeError):
        count_flask_calls(app)  # walks the chain to its end without meeting a FastPath


def test_an_unexpected_failure_on_the_fast_path_is_served_by_flask_as_a_logged_500(twins, monkeypatch, caplog):
    fast, flask_only, _ = twins

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    request = {"method": "GET", "path": "/v1/download-urls", "query": "key=a.jpg",
               "headers": {"Authorization": TOKENS[0]}}
    for app in (fast, flask_only):
        monkeypatch.setattr(app.extensions["thumbrouter"], "download_urls", broken)
    status, _, body, _ = answer = call(fast, request)
    assert (status, json.loads(body)) == ("500 INTERNAL SERVER ERROR", error_body("internal_error", "internal error"))
    assert answer == call(flask_only, request) and caplog.text.count("unexpected error") == 2


def test_a_flask_hook_the_fast_path_does_not_know_turns_it_off(twins):
    fast, _, _ = twins
    request = {"method": "GET", "path": "/v1/download-urls", "query": "key=a.jpg",
               "headers": {"Authorization": TOKENS[0]}}
    assert call(fast, request)[0] == "200 OK"
    fast.before_request(lambda: ("maintenance", 503))  # e.g. an extension's hook, added after create_app
    assert call(fast, request)[:3] == ("503 SERVICE UNAVAILABLE", [("Content-Type", "text/html; charset=utf-8"),
                                                                   ("Content-Length", "11")], b"maintenance")
