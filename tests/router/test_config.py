"""load_settings: every THUMBROUTER_* variable parsed, every bad value named in a ConfigError."""

import logging

import pytest

from thumbrouter.router.config import DEFAULT_URL_CACHE_SIZE, ConfigError, Settings, load_settings
from thumbrouter.s3job import ThumbnailSpec
from thumbrouter.s3job import env as env_module

S3_ONLY = {"THUMBROUTER_S3_BUCKET": "photos", "THUMBROUTER_DOMESTIC_COUNTRIES": ""}
QINIU = {
    "THUMBROUTER_QINIU_ACCESS_KEY": "ak", "THUMBROUTER_QINIU_SECRET_KEY": "sk-very-secret-value",
    "THUMBROUTER_QINIU_BUCKET": "kodo", "THUMBROUTER_QINIU_DOMAIN": "img.example.com",
}
FULL = {"THUMBROUTER_S3_BUCKET": "photos", **QINIU}


def test_defaults_route_china_to_qiniu_and_the_rest_to_s3_with_eager_50x50_links():
    settings = load_settings({**FULL, "AWS_REGION": "eu-west-1"})
    assert settings.s3_region == "eu-west-1"
    assert settings.thumbnail_spec == ThumbnailSpec()
    assert settings.thumbnail_spec.destination(settings.s3_bucket) == "photosresized"
    assert (settings.s3_thumbnail_mode, settings.thumbnail_size) == ("eager", "50x50")
    assert (settings.qiniu_style, settings.qiniu_private) == ("-thumb50", True)
    assert settings.qiniu_base_url == "https://img.example.com"
    assert settings.domestic_countries == {"CN"} and settings.default_cloud == "s3"
    assert settings.trusted_proxies == 0 and settings.allow_anonymous is False
    assert settings.url_cache_size == DEFAULT_URL_CACHE_SIZE
    assert dict(settings.presets) == {"thumb50": (50, 50), "preview": (1440, 1440)}
    assert settings.generation_backend == "local" and settings.generation_queue_size == 16
    assert settings.clouds == ("s3", "qiniu")


def test_region_defaults_to_us_east_1_without_aws_region():
    assert load_settings(S3_ONLY).s3_region == "us-east-1"


def test_every_variable_is_parsed():
    env = {**FULL, "THUMBROUTER_S3_REGION": "ap-northeast-1", "THUMBROUTER_S3_THUMBNAIL_BASE_URL": "https://cdn.example.com/",
           "THUMBROUTER_THUMBNAIL_SIZE": "100x80", "THUMBROUTER_QINIU_STYLE": "imageView2/1/w/50/h/50",
           "THUMBROUTER_QINIU_PRIVATE": "0", "THUMBROUTER_QINIU_UPLOAD_HOST": "https://up-z2.qiniup.com",
           "THUMBROUTER_DOMESTIC_COUNTRIES": "cn, hk", "THUMBROUTER_DEFAULT_CLOUD": "qiniu",
           "THUMBROUTER_API_TOKENS": "a" * 20 + ",  " + "b" * 16, "THUMBROUTER_ALLOW_ANONYMOUS": "true",
           "THUMBROUTER_TRUSTED_PROXIES": "2", "THUMBROUTER_COUNTRY_HEADER": "CF-IPCountry",
           "THUMBROUTER_URL_CACHE_SIZE": "500", "THUMBROUTER_MAX_UPLOAD_BYTES": "1_000_000",
           "THUMBROUTER_PRESETS": "small=64x64,card=100x80", "THUMBROUTER_REDIS_URL": "redis://:pw@127.0.0.1:6379/0",
           "THUMBROUTER_GENERATION_BACKEND": "lambda", "THUMBROUTER_GENERATION_LAMBDA": "thumbs-prod",
           "THUMBROUTER_GENERATION_POOL_SIZE": "3", "THUMBROUTER_GENERATION_QUEUE_SIZE": "0",
           "THUMBROUTER_S3_THUMBNAIL_MODE": "lazy", "THUMBROUTER_URL_SIGNING_KEYS": "k" * 32,
           "THUMBROUTER_PUBLIC_BASE_URL": "https://router.example.com/"}
    s = load_settings(env)
    assert (s.s3_region, s.s3_thumbnail_base_url, s.thumbnail_size) == (
        "ap-northeast-1", "https://cdn.example.com", "100x80")
    assert (s.qiniu_style, s.qiniu_private, s.qiniu_upload_host) == (
        "imageView2/1/w/50/h/50", False, "https://up-z2.qiniup.com")
    assert (s.domestic_countries, s.default_cloud) == ({"CN", "HK"}, "qiniu")
    assert s.api_tokens == ("a" * 20, "b" * 16) and s.allow_anonymous
    assert (s.trusted_proxies, s.country_header, s.url_cache_size, s.max_upload_bytes) == (
        2, "CF-IPCountry", 500, 1_000_000)
    assert dict(s.presets) == {"small": (64, 64), "card": (100, 80)} and s.redis_url.startswith("redis://")
    assert (s.generation_backend, s.generation_lambda, s.generation_pool_size, s.generation_queue_size) == (
        "lambda", "thumbs-prod", 3, 0)
    assert (s.s3_thumbnail_mode, s.url_signing_keys, s.public_base_url) == ("lazy", ("k" * 32,), "https://router.example.com")


def test_the_local_endpoint_is_taken_from_the_aws_variable():
    assert load_settings({**S3_ONLY, "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000/"}).s3_endpoint_url == "http://127.0.0.1:9000"


def test_secrets_appear_in_no_repr():
    env = {**FULL, "THUMBROUTER_API_TOKENS": "token-token-token-1",
           "THUMBROUTER_URL_SIGNING_KEYS": "signing-key-signing-key",
           "THUMBROUTER_REDIS_URL": "redis://:redis-password@127.0.0.1:1/0"}
    text = repr(load_settings(env))
    for secret in ("sk-very-secret-value", "token-token-token-1", "signing-key-signing-key", "redis-password"):
        assert secret not in text


@pytest.mark.parametrize("name, value", [
    ("S3_BUCKET", "Has_Upper"), ("S3_BUCKET", "x" * 57), ("S3_REGION", "mars"), ("S3_THUMBNAIL_BASE_URL", "ftp://x"),
    ("S3_THUMBNAIL_MODE", "sometimes"), ("THUMBNAIL_SIZE", "50"), ("THUMBNAIL_SIZE", "0x50"),
    ("QINIU_DOMAIN", "bad domain"), ("QINIU_STYLE", "thumb50"), ("QINIU_STYLE", "-a b"), ("QINIU_PRIVATE", "maybe"),
    ("QINIU_UPLOAD_HOST", "up.qiniup.com"), ("DOMESTIC_COUNTRIES", "CHN"), ("DEFAULT_CLOUD", "azure"),
    ("GEOIP_DB", "/nonexistent/GeoLite2-Country.mmdb"), ("API_TOKENS", "short"), ("ALLOW_ANONYMOUS", "2"),
    ("TRUSTED_PROXIES", "-1"), ("TRUSTED_PROXIES", "lots"), ("COUNTRY_HEADER", "Bad Header"),
    ("URL_CACHE_SIZE", "1e9"), ("MAX_UPLOAD_BYTES", "0"), ("PRESETS", "thumb=50"), ("PRESETS", "a=1x1,a=2x2"),
    ("REDIS_URL", "http://127.0.0.1"), ("GENERATION_BACKEND", "gpu"), ("GENERATION_POOL_SIZE", "0"),
    ("GENERATION_QUEUE_SIZE", "x"), ("GENERATION_LAMBDA", "bad name!"), ("URL_SIGNING_KEYS", "short"),
    ("PUBLIC_BASE_URL", "router.example.com"), ("S3_BUCKET", "x" * 64), ("S3_BUCKET", "a..b"),
    ("THN_BUCKET", "Not_A_Bucket"), ("THN_BUCKET", "photos"), ("THUMBNAIL_SIZES", "50"), ("THUMBNAIL_MODE", "stretch"),
    ("JPEG_QUALITY", "96"), ("CACHE_CONTROL", "max-age=1\r\nX-Evil: 1"),
])
def test_a_bad_value_stops_start_up_naming_the_variable(name, value):
    with pytest.raises(ConfigError, match=f"THUMBROUTER_{name}"):
        load_settings({**FULL, f"THUMBROUTER_{name}": value})


def test_a_missing_bucket_for_the_default_cloud_is_named():
    with pytest.raises(ConfigError, match="THUMBROUTER_S3_BUCKET"):
        load_settings({"THUMBROUTER_DOMESTIC_COUNTRIES": ""})


def test_half_configured_qiniu_names_what_is_missing():
    with pytest.raises(ConfigError, match="THUMBROUTER_QINIU_SECRET_KEY"):
        load_settings({**FULL, "THUMBROUTER_QINIU_SECRET_KEY": ""})


def test_domestic_routing_without_qiniu_is_refused():
    with pytest.raises(ConfigError, match="THUMBROUTER_DOMESTIC_COUNTRIES"):
        load_settings({"THUMBROUTER_S3_BUCKET": "photos"})


def test_lazy_mode_needs_signing_keys():
    with pytest.raises(ConfigError, match="THUMBROUTER_URL_SIGNING_KEYS"):
        load_settings({**FULL, "THUMBROUTER_S3_THUMBNAIL_MODE": "lazy"})


@pytest.mark.parametrize("change, named", [
    ({"THUMBROUTER_PUBLIC_BASE_URL": ""}, "THUMBROUTER_PUBLIC_BASE_URL"),
    ({"THUMBROUTER_PRESETS": "small=64x64"}, "no preset of THUMBROUTER_THUMBNAIL_SIZE=50x50"),
])
def test_load_settings_refuses_lazy_links_that_every_worker_would_refuse(change, named):
    """gunicorn's pre-fork check runs load_settings alone: every lazy-link rule is in it, not in the app."""
    lazy = {**FULL, "THUMBROUTER_URL_SIGNING_KEYS": "k" * 32, "THUMBROUTER_S3_THUMBNAIL_MODE": "lazy",
            "THUMBROUTER_PUBLIC_BASE_URL": "https://router.example.com"}
    assert load_settings(lazy).s3_thumbnail_mode == "lazy"
    with pytest.raises(ConfigError, match=named):
        load_settings({**lazy, **change})


def test_on_demand_is_on_by_default_and_lazy_links_refuse_to_start_without_it():
    keys = {"THUMBROUTER_URL_SIGNING_KEYS": "k" * 32, "THUMBROUTER_S3_THUMBNAIL_MODE": "lazy"}
    assert load_settings(FULL).ondemand and not load_settings({**FULL, "THUMBROUTER_ONDEMAND": "0"}).ondemand
    with pytest.raises(ConfigError, match="THUMBROUTER_ONDEMAND=1"):
        load_settings({**FULL, **keys, "THUMBROUTER_ONDEMAND": "0"})


def test_lambda_generation_needs_a_function_name():
    with pytest.raises(ConfigError, match="THUMBROUTER_GENERATION_LAMBDA"):
        load_settings({**FULL, "THUMBROUTER_GENERATION_BACKEND": "lambda"})


def test_config_error_is_a_value_error_and_settings_are_frozen():
    assert issubclass(ConfigError, ValueError)
    with pytest.raises(AttributeError):
        load_settings(FULL).s3_bucket = "other"  # type: ignore[misc]
    assert isinstance(load_settings(FULL), Settings)


def test_the_thumbnail_spec_is_read_from_the_lambdas_variable_names_with_the_router_prefix():
    env = {**FULL, "THUMBROUTER_THN_BUCKET": "thumbs", "THUMBROUTER_THUMBNAIL_SIZES": "200x100,50x50",
           "THUMBROUTER_THUMBNAIL_MODE": "cover", "THUMBROUTER_JPEG_QUALITY": "70",
           "THUMBROUTER_CACHE_CONTROL": "max-age=60", "THN_BUCKET": "ignored", "JPEG_QUALITY": "1"}
    settings = load_settings(env)
    assert settings.thumbnail_spec == ThumbnailSpec("thumbs", ("200x100", "50x50"), "cover", 70, "max-age=60")
    assert settings.thumbnail_size == "200x100"  # the spec's first size unless THUMBROUTER_THUMBNAIL_SIZE says


def test_a_source_bucket_whose_resized_twin_would_be_too_long_needs_thn_bucket():
    long_name = "b" * 60  # a valid bucket, but `<bucket>resized` would be 67 characters
    with pytest.raises(ConfigError, match="THUMBROUTER_THN_BUCKET.*67 characters"):
        load_settings({**FULL, "THUMBROUTER_S3_BUCKET": long_name})
    settings = load_settings({**FULL, "THUMBROUTER_S3_BUCKET": long_name, "THUMBROUTER_THN_BUCKET": "thumbs"})
    assert settings.s3_bucket == long_name


def test_eager_links_must_name_a_size_the_lambda_writes():
    with pytest.raises(ConfigError, match="THUMBROUTER_THUMBNAIL_SIZE=100x80 is not in THUMBROUTER_THUMBNAIL_SIZES"):
        load_settings({**FULL, "THUMBROUTER_THUMBNAIL_SIZE": "100x80"})
    sizes = {"THUMBROUTER_THUMBNAIL_SIZE": "100x80", "THUMBROUTER_THUMBNAIL_SIZES": "50x50,100x80"}
    assert load_settings({**FULL, **sizes}).thumbnail_size == "100x80"


def test_a_dynamodb_table_selects_single_flight_on_dynamodb_in_the_routers_region():
    s = load_settings({**S3_ONLY, "THUMBROUTER_DYNAMODB_TABLE": "thumbrouter-locks", "AWS_REGION": "eu-west-1",
                       "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:5000/", "THUMBROUTER_DYNAMODB_TIMEOUT_MS": "800"})
    assert (s.dynamodb_table, s.dynamodb_region, s.dynamodb_endpoint_url, s.dynamodb_timeout_ms) == (
        "thumbrouter-locks", "eu-west-1", "http://127.0.0.1:5000", 800)
    assert load_settings(S3_ONLY).dynamodb_table is None


@pytest.mark.parametrize("name, value", [("DYNAMODB_TABLE", "ab"), ("DYNAMODB_TABLE", "has space"),
                                         ("DYNAMODB_TABLE", "x" * 256), ("DYNAMODB_TABLE", "slash/table"),
                                         ("DYNAMODB_TIMEOUT_MS", "10"), ("DYNAMODB_TIMEOUT_MS", "60000"),
                                         ("REDIS_TIMEOUT_MS", "10"), ("REDIS_TIMEOUT_MS", "0.5")])
def test_a_bad_shared_store_setting_is_named(name, value):
    with pytest.raises(ConfigError, match=f"THUMBROUTER_{name}"):
        load_settings({**S3_ONLY, f"THUMBROUTER_{name}": value})


def test_redis_and_dynamodb_together_are_refused():
    with pytest.raises(ConfigError, match="THUMBROUTER_REDIS_URL and THUMBROUTER_DYNAMODB_TABLE"):
        load_settings({**S3_ONLY, "THUMBROUTER_DYNAMODB_TABLE": "locks", "THUMBROUTER_REDIS_URL": "redis://x:1/0"})


# Link mode and fit mode have names that cannot be confused; the old ones still work, deprecated.

@pytest.fixture
def deprecations(monkeypatch, caplog):
    """The deprecation lines logged from here on (the once-per-process memory starts empty)."""
    monkeypatch.setattr(env_module, "_WARNED", set())
    caplog.set_level(logging.WARNING, logger=env_module.__name__)
    return lambda: [r.getMessage() for r in caplog.records if r.name == env_module.__name__]


LAZY = {"THUMBROUTER_URL_SIGNING_KEYS": "k" * 32, "THUMBROUTER_PUBLIC_BASE_URL": "https://router.example.com"}


def test_the_new_link_and_fit_names_are_read_without_a_deprecation(deprecations):
    s = load_settings({**FULL, **LAZY, "THUMBROUTER_S3_THUMBNAIL_LINKS": "lazy", "THUMBROUTER_THUMBNAIL_FIT": "cover"})
    assert (s.s3_thumbnail_mode, s.thumbnail_spec.mode) == ("lazy", "cover")
    assert deprecations() == []


def test_the_old_link_and_fit_names_still_work_and_each_logs_one_deprecation_line(deprecations):
    env = {**FULL, **LAZY, "THUMBROUTER_S3_THUMBNAIL_MODE": "lazy", "THUMBROUTER_THUMBNAIL_MODE": "cover"}
    for _ in range(2):
        s = load_settings(env)
    assert (s.s3_thumbnail_mode, s.thumbnail_spec.mode) == ("lazy", "cover")
    assert sorted(deprecations()) == [
        "THUMBROUTER_S3_THUMBNAIL_MODE is deprecated: set THUMBROUTER_S3_THUMBNAIL_LINKS instead",
        "THUMBROUTER_THUMBNAIL_MODE is deprecated: set THUMBROUTER_THUMBNAIL_FIT instead"]


@pytest.mark.parametrize("old, new, value, other", [
    ("THUMBROUTER_S3_THUMBNAIL_MODE", "THUMBROUTER_S3_THUMBNAIL_LINKS", "lazy", "eager"),
    ("THUMBROUTER_THUMBNAIL_MODE", "THUMBROUTER_THUMBNAIL_FIT", "cover", "fit"),
])
def test_an_old_and_a_new_router_name_set_to_different_values_are_refused_naming_both(deprecations, old, new, value,
                                                                                     other):
    assert load_settings({**FULL, **LAZY, old: value, new: value}) == load_settings({**FULL, **LAZY, new: value})
    with pytest.raises(ConfigError, match=f"^{old}=.* and {new}=.* are both set"):
        load_settings({**FULL, **LAZY, old: other, new: value})


@pytest.mark.parametrize("name", ["S3_THUMBNAIL_LINKS", "THUMBNAIL_FIT"])
def test_a_bad_value_under_a_new_router_name_is_named_by_it(name):
    with pytest.raises(ConfigError, match=f"^THUMBROUTER_{name} must be one of"):
        load_settings({**FULL, f"THUMBROUTER_{name}": "sometimes"})


def test_the_unprefixed_job_names_are_not_the_routers():
    assert load_settings({**FULL, "THUMBNAIL_MODE": "cover", "S3_THUMBNAIL_LINKS": "lazy"}) == load_settings(FULL)
