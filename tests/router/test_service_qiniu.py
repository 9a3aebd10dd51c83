"""Qiniu download URLs: the documented known answer, keys encoded once, style and attname signed."""

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import qiniu.auth
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from qiniu import Auth

from thumbrouter.router.storage.qiniu import sign_url
from thumbrouter.router.storage.qiniu_style import STYLE_SEPARATORS

from .conftest import FakeClock

SECRET = b"MY_SECRET_KEY"
DOC_DOMAIN = "http://78re52.com1.z0.glb.clouddn.com"
DOC_DEADLINE = 1451491200
# A clock inside the cache window whose end + 3600 s is the documented deadline (window 360 s).
DOC_CLOCK = DOC_DEADLINE - 3600 - 360 + 17
SPECIAL_KEYS = ["plain.jpg", "with space.jpg", "a+b.jpg", "100%.jpg", "%20literal.jpg", "#hash.jpg",
                "what?.jpg", "照片/猫 咪.jpg", "mixed/ a+b%20c#d?e=f&g;照~.png"]


def hmac_token(data: str) -> str:
    digest = hmac.new(SECRET, data.encode(), hashlib.sha1).digest()
    return "MY_ACCESS_KEY:" + base64.urlsafe_b64encode(digest).decode()


def split_token(url: str) -> tuple[str, str]:
    """(the URL that was signed, its token)."""
    signed, _, token = url.rpartition("&token=")
    return signed, token


@pytest.fixture
def clock():
    return FakeClock(DOC_CLOCK)


@pytest.fixture
def router(make_router, clock):
    return make_router(clock=clock, QINIU_DOMAIN=DOC_DOMAIN)


def test_the_documented_known_answer_through_the_router(router):
    urls = router.download_urls("resource/flower.jpg", cloud="qiniu")
    assert urls.download_url == (f"{DOC_DOMAIN}/resource/flower.jpg?e={DOC_DEADLINE}"
                                 "&token=MY_ACCESS_KEY:438dd8pXocjYuF-6dTcKMtETB2g=")
    assert urls.expires_at == DOC_DEADLINE


def test_signing_is_qinius_private_download_url_with_an_explicit_deadline(monkeypatch):
    monkeypatch.setattr(qiniu.auth.time, "time", lambda: DOC_DEADLINE - 3600)
    auth = Auth("MY_ACCESS_KEY", "MY_SECRET_KEY")
    for url in (f"{DOC_DOMAIN}/resource/flower.jpg", f"{DOC_DOMAIN}/a.jpg?imageView2/1/w/50"):
        assert sign_url(auth, url, DOC_DEADLINE) == auth.private_download_url(url, 3600)


@pytest.mark.parametrize("key", SPECIAL_KEYS)
def test_special_keys_are_encoded_once(router, key):
    urls = router.download_urls(key, cloud="qiniu")
    assert unquote(urlsplit(urls.download_url).path) == f"/{key}"
    assert unquote(urlsplit(urls.thumbnail_url).path) == f"/{key}-thumb50"
    path = urlsplit(urls.download_url).path
    assert ("%25" in path) == ("%" in key) and "%2525" not in path  # "%" encoded, but only once
    assert not set("+# ?") & set(path)


@pytest.mark.parametrize("key", SPECIAL_KEYS)
def test_the_style_is_inside_the_signature(router, key):
    thumb = router.download_urls(key, cloud="qiniu").thumbnail_url
    signed, token = split_token(thumb)
    assert "-thumb50?e=" in signed and token == hmac_token(signed)
    assert hmac_token(signed.replace("-thumb50", "-thumb99")) != token


def test_attname_is_inside_the_signature_and_decodes_to_the_name(router):
    name = 'Résumé "final" #2?.jpg'
    url = router.download_urls("docs/cv.jpg", cloud="qiniu", filename=name).download_url
    signed, token = split_token(url)
    query = dict(parse_qsl(urlsplit(signed).query))
    assert query["attname"] == name and token == hmac_token(signed)
    assert hmac_token(signed.replace("attname=", "attname=x")) != token


def test_a_query_style_combines_with_the_deadline(make_router, clock):
    router = make_router(clock=clock, QINIU_DOMAIN=DOC_DOMAIN, QINIU_STYLE="imageView2/1/w/50/h/50")
    thumb = router.download_urls("a b.jpg", cloud="qiniu").thumbnail_url
    signed, token = split_token(thumb)
    assert signed == f"{DOC_DOMAIN}/a%20b.jpg?imageView2/1/w/50/h/50&e={DOC_DEADLINE}"
    assert token == hmac_token(signed)


def test_the_deadline_is_in_the_future_by_at_least_the_lifetime(router, clock):
    for expires in (60, 3600, 86_400):
        urls = router.download_urls("a.jpg", cloud="qiniu", expires=expires)
        deadline = int(dict(parse_qsl(urlsplit(urls.download_url).query))["e"])
        assert deadline == urls.expires_at and deadline - clock() >= expires


def test_the_same_url_within_a_window_and_a_new_one_after(router, clock):
    first = router.download_urls("a.jpg", cloud="qiniu")
    clock.advance(300)
    assert router.download_urls("a.jpg", cloud="qiniu") == first
    clock.advance(360)
    assert router.download_urls("a.jpg", cloud="qiniu").download_url != first.download_url


def test_the_default_domain_is_https(make_router):
    urls = make_router().download_urls("a.jpg", cloud="qiniu")
    assert urls.download_url.startswith("https://img.example.com/a.jpg?e=")


def test_public_buckets_are_unsigned(make_router):
    urls = make_router(QINIU_PRIVATE="0").download_urls("a b.jpg", cloud="qiniu", filename="x.jpg")
    assert urls.download_url == "https://img.example.com/a%20b.jpg?attname=x.jpg"
    assert urls.thumbnail_url == "https://img.example.com/a%20b.jpg-thumb50"


def test_files_without_thumbnails_get_none(router):
    assert router.download_urls("docs/a.pdf", cloud="qiniu").thumbnail_url is None


def test_the_secret_key_is_in_no_repr(router):
    assert "MY_SECRET_KEY" not in repr(router.storage("qiniu")) + repr(router.settings)


KEY_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x85"),
                   min_size=1, max_size=60)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=KEY_TEXT.filter(lambda k: "." not in k.split("/") and ".." not in k.split("/") and k[0] != "/"))
def test_any_key_round_trips_through_the_url_path(router, key):
    # A key ending in a separator and the style's name is refused (tests/router/test_cloud_keys.py).
    style = router.settings.qiniu_style
    assume(style[:1] not in STYLE_SEPARATORS or not any(key.endswith(sep + style[1:]) for sep in STYLE_SEPARATORS))
    urls = router.download_urls(key, cloud="qiniu")
    assert unquote(urlsplit(urls.download_url).path) == f"/{key}"
    signed, token = split_token(urls.download_url)
    assert token == hmac_token(signed)


@pytest.mark.parametrize("filetype", ["image/jpeg", "png"])
def test_a_filetype_gives_a_qiniu_thumbnail_to_a_key_without_extension(router, filetype):
    # Kodo's style reads the content, so the type alone decides (on S3 the job goes by the extension).
    thumb = router.download_urls("uploads/abc123", cloud="qiniu", filetype=filetype).thumbnail_url
    assert unquote(urlsplit(thumb).path) == "/uploads/abc123-thumb50"
    assert router.download_urls("uploads/abc123", cloud="qiniu").thumbnail_url is None
