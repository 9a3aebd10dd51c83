"""CloudFront signed URLs: botocore's signer as the known answer, every signature verified with the public key."""

import base64
import datetime
import json
from functools import cache
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from botocore.signers import CloudFrontSigner
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from thumbrouter.imagecore import thumbnail_key
from thumbrouter.router import create_app
from thumbrouter.router.config import ConfigError
from thumbrouter.router.storage.cloudfront import CdnSigner, canned_policy

from .conftest import FakeClock
from .http_helpers import AUTH, router_env

DOMAIN = "d111111abcdef8.cloudfront.net"
KEY_ID = "K2JCJMDEHXQW5F"
SIGNING = ("Expires", "Signature", "Key-Pair-Id", "Hash-Algorithm")
NOW = 1_767_225_600  # 2026-01-01T00:00:00Z


@cache
def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def verify(url: str, public_key) -> dict[str, str]:
    """Check a signed URL as CloudFront does (canned policy rebuilt from the URL); its signing parameters.

    Raises InvalidSignature for a URL whose path, query or expiry differ from what was signed.
    """
    base, _, query = url.partition("?")
    pairs = [pair.split("=", 1) for pair in query.split("&")] if query else []
    params = {k: v for k, v in pairs if k in SIGNING}
    resource = base + ("?" + "&".join(f"{k}={v}" for k, v in pairs if k not in SIGNING) if len(params) < len(pairs)
                       else "")
    signature = base64.b64decode(params["Signature"].translate(str.maketrans("-_~", "+=/")))
    algorithm = hashes.SHA256() if params.get("Hash-Algorithm") == "SHA256" else hashes.SHA1()
    public_key.verify(signature, canned_policy(resource, int(params["Expires"])).encode(), padding.PKCS1v15(),
                      algorithm)
    return params


def test_a_sha1_url_is_exactly_what_botocores_cloudfront_signer_makes():
    key = rsa_key()
    url = f"https://{DOMAIN}/photos/a%20b_50x50.jpg"
    ours = CdnSigner(DOMAIN, KEY_ID, key, hash_algorithm="SHA1").sign(url, NOW + 3600)
    reference = CloudFrontSigner(KEY_ID, lambda message: key.sign(message, padding.PKCS1v15(), hashes.SHA1()))
    expected = reference.generate_presigned_url(url, date_less_than=datetime.datetime.fromtimestamp(
        NOW + 3600, datetime.UTC))
    assert ours == expected


def test_the_canned_policy_is_aws_documented_shape():
    assert canned_policy("https://d111111abcdef8.cloudfront.net/horizon.jpg?size=large&license=yes", 1357034400) == (
        '{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/horizon.jpg?size=large&license=yes",'
        '"Condition":{"DateLessThan":{"AWS:EpochTime":1357034400}}}]}')


def test_a_sha256_url_verifies_with_the_public_key_and_says_its_algorithm():
    signer = CdnSigner(DOMAIN, KEY_ID, rsa_key())
    signed = signer.sign(signer.url("photos/a b.jpg"), NOW + 60)
    params = verify(signed, rsa_key().public_key())
    assert params == {"Expires": str(NOW + 60), "Signature": params["Signature"], "Key-Pair-Id": KEY_ID,
                      "Hash-Algorithm": "SHA256"}
    assert urlsplit(signed).path == "/photos/a%20b.jpg"


@pytest.mark.parametrize("tamper", [
    lambda url: url.replace("a%20b.jpg", "other.jpg"),
    lambda url: url.replace(f"Expires={NOW + 60}", f"Expires={NOW + 61}"),
    lambda url: url.replace("Hash-Algorithm=SHA256", "Hash-Algorithm=SHA1"),
])
def test_a_tampered_url_does_not_verify(tamper):
    signer = CdnSigner(DOMAIN, KEY_ID, rsa_key())
    signed = signer.sign(signer.url("photos/a b.jpg"), NOW + 60)
    verify(signed, rsa_key().public_key())
    with pytest.raises(InvalidSignature):
        verify(tamper(signed), rsa_key().public_key())


def test_another_key_does_not_verify():
    signer = CdnSigner(DOMAIN, KEY_ID, rsa_key())
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidSignature):
        verify(signer.sign(signer.url("a.jpg"), NOW), other.public_key())


def cdn_env(**extra) -> dict:
    return {"THUMBROUTER_CDN_DOMAIN": DOMAIN, "THUMBROUTER_CDN_KEY_ID": KEY_ID,
            "THUMBROUTER_CDN_PRIVATE_KEY": pem(rsa_key()), **extra}


@pytest.fixture
def cdn_router(make_router):
    clock = FakeClock(NOW + 17)
    overrides = {name.removeprefix("THUMBROUTER_"): value for name, value in cdn_env().items()}
    return make_router(clock=clock, DOMESTIC_COUNTRIES="", **overrides), clock


@pytest.mark.parametrize("key", ["photos/plain.jpg", "photos/with space.jpg", "照片/猫 咪.jpg",
                                 "a+b%20c#d?e=f&g;~.png"])
def test_download_and_thumbnail_urls_are_cdn_urls_whose_signatures_verify(cdn_router, key):
    router, _ = cdn_router
    urls = router.download_urls(key, expires=3600)
    original, thumbnail = urlsplit(urls.download_url), urlsplit(urls.thumbnail_url)
    assert (original.scheme, original.netloc, original.path) == ("https", DOMAIN, "/originals/" + quote(key, "/~"))
    assert thumbnail.path == "/" + quote(thumbnail_key(key, "50x50"), "/~")
    for url in (urls.download_url, urls.thumbnail_url):
        assert verify(url, rsa_key().public_key())["Expires"] == str(urls.expires_at)


def test_a_download_name_is_signed_into_the_url_and_reaches_s3_as_content_disposition(cdn_router):
    router, _ = cdn_router
    url = router.download_urls("photos/a.jpg", filename="Ünïcode \"q\".jpg", expires=600).download_url
    verify(url, rsa_key().public_key())
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["response-content-disposition"].startswith('attachment; filename="Unicode q.jpg"')


def test_urls_are_the_same_within_a_window_and_change_after_it(cdn_router):
    router, clock = cdn_router
    first = router.download_urls("photos/a.jpg", expires=3600)
    router.cache.maxsize = 0  # sign again: equality must come from the window, not the cache
    clock.advance(1)
    assert router.download_urls("photos/a.jpg", expires=3600) == first
    clock.advance(360)
    later = router.download_urls("photos/a.jpg", expires=3600)
    assert later.download_url != first.download_url and later.expires_at > first.expires_at


def test_without_the_cdn_the_router_still_presigns_s3(make_router):
    urls = make_router(DOMESTIC_COUNTRIES="").download_urls("photos/a.jpg")
    assert "X-Amz-Signature=" in urls.download_url and DOMAIN not in urls.download_url


def test_the_v1_api_answers_cloudfront_urls_that_verify():
    app = create_app({**router_env("photos"), **cdn_env()})
    answer = app.test_client().get("/v1/download-urls", query_string={"key": "u/a.jpg"}, headers=AUTH)
    assert answer.status_code == 200, answer.data
    body = answer.get_json()
    for url in (body["download_url"], body["thumbnail_url"]):
        assert urlsplit(url).netloc == DOMAIN
        verify(url, rsa_key().public_key())


@pytest.mark.parametrize(("change", "words"), [
    ({"THUMBROUTER_CDN_KEY_ID": None}, "THUMBROUTER_CDN_KEY_ID"),
    ({"THUMBROUTER_CDN_PRIVATE_KEY": None}, "THUMBROUTER_CDN_PRIVATE_KEY"),
    ({"THUMBROUTER_CDN_KEY_ID": "APKAEIBAERJR2EXAMPLE!"}, "THUMBROUTER_CDN_KEY_ID"),
    ({"THUMBROUTER_CDN_DOMAIN": "https://x/y"}, "THUMBROUTER_CDN_DOMAIN"),
    ({"THUMBROUTER_CDN_PRIVATE_KEY": "not a key"}, "THUMBROUTER_CDN_PRIVATE_KEY"),
    ({"THUMBROUTER_CDN_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"},
     "THUMBROUTER_CDN_PRIVATE_KEY must be an unencrypted PEM"),
    ({"THUMBROUTER_CDN_PRIVATE_KEY": pem(ec.generate_private_key(ec.SECP256R1()))}, "RSA 2048"),
    ({"THUMBROUTER_CDN_PRIVATE_KEY": pem(rsa_key(3072))}, "RSA 2048"),
    ({"THUMBROUTER_S3_THUMBNAIL_BASE_URL": "https://thumbs.example.com"}, "not both"),
])
def test_a_bad_or_half_cdn_configuration_stops_start_up_naming_the_variable(change, words):
    env = {k: v for k, v in {**router_env("photos"), **cdn_env(), **change}.items() if v is not None}
    with pytest.raises(ConfigError, match=words) as caught:
        create_app(env)
    assert "PRIVATE KEY-----\nMII" not in str(caught.value)


def test_the_private_key_never_appears_in_the_settings_repr(make_settings):
    settings = make_settings(**{name.removeprefix("THUMBROUTER_"): v for name, v in cdn_env().items()})
    assert "PRIVATE" not in repr(settings) and settings.cdn_private_key.startswith("-----BEGIN PRIVATE KEY-----")


def test_a_key_with_escaped_newlines_from_a_secret_store_loads(make_settings):
    escaped = pem(rsa_key()).replace("\n", "\\n")
    settings = make_settings(CDN_DOMAIN=DOMAIN, CDN_KEY_ID=KEY_ID, CDN_PRIVATE_KEY=escaped)
    assert settings.cdn_private_key == pem(rsa_key())
    CdnSigner.from_pem(DOMAIN, KEY_ID, settings.cdn_private_key)


def test_signing_twice_gives_the_same_url_so_every_worker_hands_out_one():
    first = CdnSigner(DOMAIN, KEY_ID, rsa_key()).sign(f"https://{DOMAIN}/a.jpg", NOW)
    assert CdnSigner.from_pem(DOMAIN, KEY_ID, pem(rsa_key())).sign(f"https://{DOMAIN}/a.jpg", NOW) == first
    assert json.loads(canned_policy("x", 1))["Statement"][0]["Condition"]["DateLessThan"]["AWS:EpochTime"] == 1
