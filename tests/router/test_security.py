"""Every bad input is a 400 BadRequest whose message names the field, before any signing happens."""

import pytest

from thumbrouter.router.errors import BadRequest, RouterError
from thumbrouter.router.security import validate_expires, validate_key


@pytest.fixture
def router(make_router):
    return make_router()


@pytest.mark.parametrize("kwargs, field", [
    ({"key": ""}, "key"),
    ({"key": None}, "key"),
    ({"key": 123}, "key"),
    ({"key": "é" * 513}, "key"),                      # 1026 UTF-8 bytes
    ({"key": "a\nb.jpg"}, "key"),
    ({"key": "a\x00b.jpg"}, "key"),
    ({"key": "a\x7fb.jpg"}, "key"),
    ({"key": "a\u0085b.jpg"}, "key"),                 # C1 control (NEL)
    ({"key": "\ud800.jpg"}, "key"),                   # lone surrogate: not UTF-8
    ({"key": "a/../b.jpg"}, "key"),                   # clients rewrite dot segments
    ({"key": "./a.jpg"}, "key"),
    ({"key": ".."}, "key"),
    ({"key": "a.jpg", "cloud": "azure"}, "cloud"),
    ({"key": "a.jpg", "country": "CHN"}, "country"),
    ({"key": "a.jpg", "country": "C1"}, "country"),
    ({"key": "a.jpg", "country": "中国"}, "country"),
    ({"key": "a.jpg", "expires": 59}, "expires"),
    ({"key": "a.jpg", "expires": 604_801}, "expires"),
    ({"key": "a.jpg", "expires": -1}, "expires"),
    ({"key": "a.jpg", "expires": 3.5}, "expires"),
    ({"key": "a.jpg", "expires": True}, "expires"),
    ({"key": "a.jpg", "expires": "soon"}, "expires"),
    ({"key": "a.jpg", "filetype": "image/jpeg; x=\n"}, "filetype"),
    ({"key": "a.jpg", "filetype": "x" * 101}, "filetype"),
    ({"key": "a.jpg", "filename": "a\r\nSet-Cookie: x.jpg"}, "filename"),
    ({"key": "a.jpg", "filename": "tab\tname.jpg"}, "filename"),
    ({"key": "a.jpg", "filename": 42}, "filename"),
    ({"key": "a.jpg", "filename": "名" * 86}, "filename"),   # 258 UTF-8 bytes
    ({"key": "/a.jpg"}, "key must not start with /"),          # `//` does not survive proxies and clients
    ({"key": "//a.jpg"}, "key must not start with /"),
])
def test_bad_download_input_is_a_bad_request_naming_the_field(router, kwargs, field):
    key = kwargs.pop("key")
    with pytest.raises(BadRequest, match=field) as caught:
        router.download_urls(key, **kwargs)
    assert (caught.value.status, caught.value.code) == (400, "bad_request")
    assert caught.value.to_dict() == {"error": {"code": "bad_request", "message": caught.value.public_message}}


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067",
                                  "\u2068", "\u2069", "\u200e", "\u200f", "\u061c", "\u2028", "\u2029"])
def test_bidi_controls_and_line_separators_in_a_filename_are_refused(router, char):
    with pytest.raises(BadRequest, match="filename must not contain bidirectional"):
        router.download_urls("a.jpg", filename=f"invoice{char}gpj.exe")


def test_filenames_with_emoji_joiners_and_right_to_left_text_are_kept(router):
    for name in ("👩\u200d💻 notes.jpg", "صورة.jpg", "שלום.png"):
        assert "response-content-disposition" in router.download_urls("a.jpg", filename=name, cloud="s3").download_url


@pytest.mark.parametrize("kwargs, field", [
    ({"key": ""}, "key"),
    ({"key": "/a.jpg"}, "key"),
    ({"key": "a.jpg", "country": "X"}, "country"),
    ({"key": "a.jpg", "content_type": "text/html"}, "content_type"),
    ({"key": "a.jpg", "content_type": "image/"}, "content_type"),
    ({"key": "a.jpg", "content_type": "image/svg+xml"}, "content_type"),
    ({"key": "a.jpg", "max_bytes": 0}, "max_bytes"),
    ({"key": "a.jpg", "max_bytes": 10**12}, "max_bytes"),
    ({"key": "a.jpg", "max_bytes": "100"}, "max_bytes"),
])
def test_bad_upload_input_is_a_bad_request_naming_the_field(router, kwargs, field):
    key = kwargs.pop("key")
    with pytest.raises(BadRequest, match=field):
        router.upload_target(key, **kwargs)


def test_a_cloud_this_router_does_not_serve_is_refused(make_router):
    router = make_router(QINIU_ACCESS_KEY=None, QINIU_SECRET_KEY=None, QINIU_BUCKET=None, QINIU_DOMAIN=None,
                         DOMESTIC_COUNTRIES="")
    with pytest.raises(BadRequest, match="cloud 'qiniu' is not configured"):
        router.download_urls("a.jpg", cloud="qiniu")


def test_limits_accept_their_edges():
    assert validate_key("k" * 1024) == "k" * 1024
    assert validate_key("照片/猫 #1?.jpg") == "照片/猫 #1?.jpg"
    assert validate_key("a/.../b..jpg/.hidden") == "a/.../b..jpg/.hidden"
    assert [validate_expires(v) for v in (None, 60, 604_800, "120")] == [3600, 60, 604_800, 120]


def test_errors_carry_a_public_and_a_separate_log_message():
    error = BadRequest("key is missing", log_message="caller 10.0.0.1 sent no key")
    assert isinstance(error, RouterError) and str(error) == "key is missing"
    assert error.log_message == "caller 10.0.0.1 sent no key"
