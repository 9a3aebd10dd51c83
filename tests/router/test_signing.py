"""Lazy thumbnail URL signatures: HMAC-SHA256 over path and expiry, key rotation, constant-time compare."""

import hmac
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from thumbrouter.router import create_app
from thumbrouter.router.errors import BadRequest, Forbidden
from thumbrouter.router.signing import UrlSigner, thumb_path

from .http_helpers import router_env

OLD, NEW = "old-secret-0123456789abcdef", "new-secret-0123456789abcdef"


def _params(url):
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return parts.path, query["expires"], query["sig"]


def test_a_url_signed_by_the_router_verifies():
    signer = UrlSigner.from_strings([NEW])
    expires = int(time.time()) + 600
    url = signer.url("https://img.example.com/", "thumb50", "photos/a b+c%#?.jpg", expires)
    path, exp, sig = _params(url)
    assert url.startswith("https://img.example.com/thumb/thumb50/photos/a%20b%2Bc%25%23%3F.jpg?")
    signer.verify("thumb50", "photos/a b+c%#?.jpg", exp, sig)


@pytest.mark.parametrize("preset, key", [("preview", "photos/a.jpg"), ("thumb50", "photos/b.jpg"),
                                         ("thumb50", "photos/a.jpg/"), ("thumb50", "Photos/a.jpg")])
def test_a_signature_for_one_path_is_refused_for_any_other(preset, key):
    signer = UrlSigner.from_strings([NEW])
    expires = int(time.time()) + 600
    sig = signer.signature("thumb50", "photos/a.jpg", expires)
    with pytest.raises(Forbidden, match="invalid signature"):
        signer.verify(preset, key, str(expires), sig)


def test_a_tampered_expiry_is_refused():
    signer = UrlSigner.from_strings([NEW])
    expires = int(time.time()) + 600
    sig = signer.signature("thumb50", "a.jpg", expires)
    with pytest.raises(Forbidden, match="invalid signature"):
        signer.verify("thumb50", "a.jpg", str(expires + 86400), sig)


def test_an_expired_url_is_refused_even_with_a_good_signature():
    signer = UrlSigner.from_strings([NEW])
    expires = int(time.time()) - 1
    with pytest.raises(Forbidden, match="expired"):
        signer.verify("thumb50", "a.jpg", str(expires), signer.signature("thumb50", "a.jpg", expires))


@pytest.mark.parametrize("expires, sig", [(None, "x"), ("123", None), ("", "")])
def test_missing_parameters_are_forbidden(expires, sig):
    with pytest.raises(Forbidden):
        UrlSigner.from_strings([NEW]).verify("thumb50", "a.jpg", expires, sig)


@pytest.mark.parametrize("expires", ["12a", "-5", "9" * 40, "9" * 5000, "²", "１２３４５６７８９０", "1e9", "0x10"])
def test_an_expires_that_is_not_a_bounded_ascii_number_is_a_bad_request_naming_it(expires):
    with pytest.raises(BadRequest, match="expires"):
        UrlSigner.from_strings([NEW]).verify("thumb50", "a.jpg", expires, "x")


@pytest.mark.parametrize("expires", ["²", "9" * 5000])
def test_thumb_answers_400_for_a_malformed_expires_without_a_token_or_any_s3_call(s3_server, expires, monkeypatch):
    env = router_env(URL_SIGNING_KEYS=NEW)
    app = create_app(env)
    monkeypatch.setattr(app.extensions["thumbrouter.ondemand"].storage, "head", lambda *a: pytest.fail("S3"))
    answer = app.test_client().get("/thumb/thumb50/a.jpg", query_string={"expires": expires, "sig": "x"})
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "bad_request" and "expires" in answer.json["error"]["message"]


def test_a_url_signed_with_the_previous_key_stays_valid_after_rotation():
    expires = int(time.time()) + 600
    old_sig = UrlSigner.from_strings([OLD]).signature("thumb50", "a.jpg", expires)
    rotated = UrlSigner.from_strings([NEW, OLD])
    rotated.verify("thumb50", "a.jpg", str(expires), old_sig)
    assert rotated.signature("thumb50", "a.jpg", expires) != old_sig  # new URLs use the first key
    with pytest.raises(Forbidden):
        UrlSigner.from_strings([NEW]).verify("thumb50", "a.jpg", str(expires), old_sig)


def test_signatures_are_compared_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    signer = UrlSigner.from_strings([NEW, OLD])
    expires = int(time.time()) + 600
    signer.verify("thumb50", "a.jpg", str(expires), signer.signature("thumb50", "a.jpg", expires))
    assert len(calls) == 2  # every key is compared, not only until the first match


def test_the_canonical_path_quotes_everything_but_slashes():
    assert thumb_path("thumb50", "dir/ü ?#%+.png") == "/thumb/thumb50/dir/%C3%BC%20%3F%23%25%2B.png"


def test_signing_keys_never_appear_in_repr():
    assert NEW not in repr(UrlSigner.from_strings([NEW]))


def test_an_empty_key_list_is_refused():
    with pytest.raises(ValueError):
        UrlSigner.from_strings([])
