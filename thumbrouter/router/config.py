"""Router settings: every THUMBROUTER_* variable is parsed and validated here, and only here.

`load_settings(environ)` returns a frozen `Settings` or raises `ConfigError` naming the variable and
what is wrong, so a bad deployment stops at start-up instead of failing per request. Secrets
(Qiniu secret key, API tokens, URL signing keys, the Redis URL) are kept out of every repr.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from thumbrouter.imagecore import InvalidSizeError, format_size
from thumbrouter.s3job import ConfigError, Env, ThumbnailSpec, renamed_variables

from .secrets import resolve_secrets

__all__ = ["ConfigError", "Settings", "load_settings"]  # ConfigError is s3job's: one error type for both configs
PREFIX = "THUMBROUTER_"
# Eager or lazy S3 links. Its old name (RENAMED) was too easily confused with the spec's fit/cover mode, itself
# renamed (ThumbnailSpec.RENAMED); old names are still read, with a deprecation line in the log.
LINKS = "S3_THUMBNAIL_LINKS"
RENAMED = {LINKS: "S3_THUMBNAIL_MODE"}  # variable -> its name before the rename (both without PREFIX)
# The same as full names, old -> new (the spec's own renames are ThumbnailSpec's, read by ThumbnailSpec.from_env).
_RENAMES = renamed_variables({name: name for name in RENAMED}, RENAMED, PREFIX)

CLOUDS = ("s3", "qiniu")
# Each cached entry holds two signed URLs (~0.5-1.5 KB each): 10,000 entries stay near 20 MB per worker.
DEFAULT_URL_CACHE_SIZE = 10_000
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DEFAULT_REDIS_TIMEOUT_MS = 300  # a healthy loopback or in-VPC Redis answers in well under 1 ms
MIN_SECRET_CHARS = 16
MIN_ORIGIN_SECRET_CHARS = 32  # sent by CloudFront on every failover request: long and random

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?$")
_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
# "-thumb50" style (separator + name) or a processing query such as "imageView2/1/w/50/h/50".
_QINIU_STYLE = re.compile(r"^([-_!/.][A-Za-z0-9_.-]+|(imageView2|imageMogr2)/[A-Za-z0-9/._!-]*)$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_HEADER = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_TABLE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")  # DynamoDB's table name rule
_CDN_KEY_ID = re.compile(r"^K[A-Z0-9]{5,63}$")  # CloudFront public key ids: K2JCJMDEHXQW5F
# A function name, optionally as a full ARN, optionally with a :version or :alias qualifier.
_LAMBDA_NAME = re.compile(r"^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:)?"
                          r"[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$")


@dataclass(frozen=True)
class Settings:
    """Validated router configuration (build it with `load_settings`)."""

    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    s3_endpoint_url: str | None = None  # AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (local server): path-style URLs
    s3_thumbnail_base_url: str | None = None
    s3_thumbnail_mode: str = "eager"
    # Where thumbnails are and how they are made: the functions' THN_BUCKET, THUMBNAIL_SIZES, THUMBNAIL_FIT,
    # JPEG_QUALITY, CACHE_CONTROL with this prefix (`thumbrouter deploy ENV output --env-format` prints them).
    thumbnail_spec: ThumbnailSpec = field(default_factory=ThumbnailSpec)
    thumbnail_size: str = "50x50"  # the size linked in download URLs: default the spec's first
    qiniu_access_key: str | None = None
    qiniu_secret_key: str | None = field(default=None, repr=False)
    qiniu_bucket: str | None = None
    qiniu_domain: str | None = None
    qiniu_style: str = "-thumb50"
    qiniu_private: bool = True
    qiniu_upload_host: str = "https://up.qiniup.com"
    domestic_countries: frozenset[str] = frozenset({"CN"})
    default_cloud: str = "s3"
    geoip_db: str | None = None
    api_tokens: tuple[str, ...] = field(default=(), repr=False)
    allow_anonymous: bool = False
    trusted_proxies: int = 0
    country_header: str | None = None
    url_cache_size: int = DEFAULT_URL_CACHE_SIZE
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    # THUMBROUTER_PRESETS, parsed by the spec (s3job.presets): per preset its box, the formats /thumb
    # negotiates by Accept (best first) and the `@2x` densities it allows.
    presets: Mapping[str, tuple[int, int]] = field(
        default_factory=lambda: ThumbnailSpec().preset_table().sizes, hash=False)
    preset_formats: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: ThumbnailSpec().preset_table().formats, hash=False)
    preset_densities: Mapping[str, tuple[int, ...]] = field(
        default_factory=lambda: ThumbnailSpec().preset_table().densities, hash=False)
    ondemand: bool = True  # GET /thumb; off, the router never imports it (Pillow, redis, the job code)
    redis_url: str | None = field(default=None, repr=False)
    redis_timeout_ms: int = DEFAULT_REDIS_TIMEOUT_MS  # per call, connect and read: slower counts as unavailable
    # Single-flight's shared store without a VPC (a router on Lambda); Redis stays the choice under gunicorn.
    dynamodb_table: str | None = None
    dynamodb_region: str = "us-east-1"  # AWS_REGION (the router's own region on Lambda), else the S3 region
    dynamodb_endpoint_url: str | None = None  # AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL (local server)
    dynamodb_timeout_ms: int = 500  # per call, connect and read: slower counts as unavailable
    generation_backend: str = "local"
    generation_pool_size: int = field(default_factory=lambda: os.cpu_count() or 1)
    generation_queue_size: int = 16
    generation_lambda: str | None = None
    url_signing_keys: tuple[str, ...] = field(default=(), repr=False)
    public_base_url: str | None = None
    s3_max_inflight: int = 8  # request-path S3 calls waiting at once per process (router.breaker's bulkhead)
    # CloudFront in front of the buckets (`thumbrouter deploy ENV output` prints the domain and key id; the
    # private key comes from the secret store): S3 download and thumbnail URLs become signed CDN URLs.
    cdn_domain: str | None = None
    cdn_key_id: str | None = None
    cdn_private_key: str | None = field(default=None, repr=False)
    # The header CloudFront adds on its failover to the router (GET /edge/<thumbnail key>); a comma list
    # while rotating. Unset: no /edge route.
    cdn_origin_secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def qiniu_base_url(self) -> str | None:
        """`https://<QINIU_DOMAIN>` (a domain given with http:// or https:// is kept as is)."""
        if not self.qiniu_domain:
            return None
        return self.qiniu_domain if "://" in self.qiniu_domain else f"https://{self.qiniu_domain}"

    @cached_property  # asked on every request; Settings is frozen, so computing it once is safe
    def clouds(self) -> tuple[str, ...]:
        """The clouds this router is configured for."""
        return tuple(c for c, ok in (("s3", bool(self.s3_bucket)), ("qiniu", bool(self.qiniu_bucket))) if ok)


def _countries(env: Env) -> frozenset[str]:
    raw = env.environ.get(env.name("DOMESTIC_COUNTRIES"))  # unset: CN; set but empty: nobody is domestic
    values = ("CN",) if raw is None else tuple(v.strip().upper() for v in raw.split(",") if v.strip())
    for value in values:
        if not _COUNTRY.match(value):
            raise env.error("DOMESTIC_COUNTRIES", f"must list two-letter country codes, got {value!r}")
    return frozenset(values)


def _size(env: Env, spec: ThumbnailSpec) -> str:
    try:
        return format_size(env.text("THUMBNAIL_SIZE") or spec.sizes[0])
    except InvalidSizeError as exc:
        raise ConfigError(f"THUMBROUTER_THUMBNAIL_SIZE: {exc}") from None


def _presets(spec: ThumbnailSpec) -> dict:
    """presets, preset_formats and preset_densities from the spec's THUMBROUTER_PRESETS (validated there)."""
    table = spec.preset_table()
    return {"presets": table.sizes, "preset_formats": table.formats, "preset_densities": table.densities}


def _geoip_db(env: Env) -> str | None:
    path = env.text("GEOIP_DB")
    if path is not None and not os.path.isfile(path):
        raise ConfigError(f"THUMBROUTER_GEOIP_DB: no such file {path!r}")
    return path


def _redis_url(env: Env) -> str | None:
    url = env.text("REDIS_URL")
    if url is not None and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("THUMBROUTER_REDIS_URL must start with redis://, rediss:// or unix://")
    return url


def _dynamodb(env: Env, s3_region: str) -> dict:
    aws = (env.environ.get("AWS_REGION") or env.environ.get("AWS_DEFAULT_REGION") or "").strip()
    endpoint = (env.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or env.environ.get("AWS_ENDPOINT_URL") or "").strip()
    return {"dynamodb_table": env.match("DYNAMODB_TABLE", _TABLE, "a DynamoDB table name"),
            "dynamodb_region": aws if _REGION.match(aws) else s3_region,
            "dynamodb_endpoint_url": endpoint.rstrip("/") or None,
            "dynamodb_timeout_ms": env.integer("DYNAMODB_TIMEOUT_MS", 500, 50, 10_000)}


def _s3_region(env: Env) -> str:
    aws = env.environ.get("AWS_REGION") or env.environ.get("AWS_DEFAULT_REGION") or ""
    value = env.text("S3_REGION") or aws.strip() or "us-east-1"
    if not _REGION.match(value):
        raise ConfigError(f"THUMBROUTER_S3_REGION (or AWS_REGION) must be an AWS region like us-east-1, got {value!r}")
    return value


def _endpoint(env: Env) -> str | None:
    value = (env.environ.get("AWS_ENDPOINT_URL_S3") or env.environ.get("AWS_ENDPOINT_URL") or "").strip()
    return value.rstrip("/") or None


def _url(env: Env, name: str) -> str | None:
    value = env.match(name, _URL, "an http(s) URL")
    return value.rstrip("/") if value else None


def _qiniu_domain(env: Env) -> str | None:
    value = env.text("QINIU_DOMAIN")
    if value is None:
        return None
    if not (_HOST.match(value) or _URL.match(value)):
        raise ConfigError(f"THUMBROUTER_QINIU_DOMAIN must be a host name (or http(s)://host), got {value!r}")
    return value.rstrip("/")


def _pem(env: Env, name: str) -> str | None:
    """PEM text; a secret store that cannot hold newlines may give them as literal \\n (never echoed)."""
    value = env.text(name)
    if value is not None and "-----BEGIN" not in value:
        raise env.error(name, "must be a PEM private key (-----BEGIN ... PRIVATE KEY-----)")
    return value.replace("\\n", "\n") if value else None


def renames() -> dict[str, str]:
    """Deprecated full name -> current full name, for every router variable with an old name (the spec's too)."""
    return {**_RENAMES, **ThumbnailSpec.renames(PREFIX)}


def _fields(environ: Mapping[str, str]) -> dict:
    """Parse every variable into Settings field values (each parser names its variable on error)."""
    env = Env(environ, PREFIX, _RENAMES)
    spec = ThumbnailSpec.from_env(environ, PREFIX)
    region = _s3_region(env)
    return dict(
        s3_bucket=env.bucket("S3_BUCKET"), thumbnail_spec=spec,
        s3_region=region, s3_endpoint_url=_endpoint(env), **_dynamodb(env, region),
        s3_thumbnail_base_url=_url(env, "S3_THUMBNAIL_BASE_URL"),
        s3_thumbnail_mode=env.choice(LINKS, ("eager", "lazy"), "eager"),
        thumbnail_size=_size(env, spec),
        qiniu_access_key=env.text("QINIU_ACCESS_KEY"), qiniu_secret_key=env.text("QINIU_SECRET_KEY"),
        qiniu_bucket=env.text("QINIU_BUCKET"), qiniu_domain=_qiniu_domain(env),
        qiniu_style=env.match("QINIU_STYLE", _QINIU_STYLE, "a style like -thumb50 or imageView2/...", "-thumb50"),
        qiniu_private=env.boolean("QINIU_PRIVATE", True),
        qiniu_upload_host=_url(env, "QINIU_UPLOAD_HOST") or "https://up.qiniup.com",
        domestic_countries=_countries(env),
        default_cloud=env.choice("DEFAULT_CLOUD", CLOUDS, "s3"),
        geoip_db=_geoip_db(env),
        api_tokens=env.secrets("API_TOKENS", MIN_SECRET_CHARS), allow_anonymous=env.boolean("ALLOW_ANONYMOUS", False),
        trusted_proxies=env.integer("TRUSTED_PROXIES", 0, 0, 10),
        country_header=env.match("COUNTRY_HEADER", _HEADER, "an HTTP header name"),
        url_cache_size=env.integer("URL_CACHE_SIZE", DEFAULT_URL_CACHE_SIZE, 0, 10_000_000),
        max_upload_bytes=env.integer("MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES, 1, 5 * 1024**3),
        **_presets(spec), ondemand=env.boolean("ONDEMAND", True), redis_url=_redis_url(env),
        redis_timeout_ms=env.integer("REDIS_TIMEOUT_MS", DEFAULT_REDIS_TIMEOUT_MS, 50, 10_000),
        generation_backend=env.choice("GENERATION_BACKEND", ("local", "lambda"), "local"),
        generation_pool_size=env.integer("GENERATION_POOL_SIZE", os.cpu_count() or 1, 1, 256),
        generation_queue_size=env.integer("GENERATION_QUEUE_SIZE", 16, 0, 100_000),
        generation_lambda=env.match("GENERATION_LAMBDA", _LAMBDA_NAME, "a Lambda function name or ARN"),
        url_signing_keys=env.secrets("URL_SIGNING_KEYS", MIN_SECRET_CHARS),
        public_base_url=_url(env, "PUBLIC_BASE_URL"),
        s3_max_inflight=env.integer("S3_MAX_INFLIGHT", 8, 1, 1024),
        cdn_domain=env.match("CDN_DOMAIN", _HOST, "a host name like d111111abcdef8.cloudfront.net"),
        cdn_key_id=env.match("CDN_KEY_ID", _CDN_KEY_ID, "a CloudFront public key id like K2JCJMDEHXQW5F"),
        cdn_private_key=_pem(env, "CDN_PRIVATE_KEY"),
        cdn_origin_secrets=env.secrets("CDN_ORIGIN_SECRET", MIN_ORIGIN_SECRET_CHARS),
    )


def _check_qiniu_complete(s: Settings) -> None:
    parts = {"QINIU_ACCESS_KEY": s.qiniu_access_key, "QINIU_SECRET_KEY": s.qiniu_secret_key,
             "QINIU_BUCKET": s.qiniu_bucket, "QINIU_DOMAIN": s.qiniu_domain}
    missing = [f"THUMBROUTER_{name}" for name, value in parts.items() if not value]
    if missing and len(missing) < len(parts):
        raise ConfigError(f"Qiniu is half configured: set {', '.join(missing)} too (or none of them)")


def _check_cdn(s: Settings) -> None:
    parts = {"CDN_DOMAIN": s.cdn_domain, "CDN_KEY_ID": s.cdn_key_id, "CDN_PRIVATE_KEY": s.cdn_private_key}
    missing = [f"THUMBROUTER_{name}" for name, value in parts.items() if not value]
    if missing and len(missing) < len(parts):
        raise ConfigError(f"the CDN is half configured: set {', '.join(missing)} too (or none of them)")
    if s.cdn_domain and not s.s3_bucket:
        raise ConfigError("THUMBROUTER_CDN_DOMAIN serves the S3 buckets: it needs THUMBROUTER_S3_BUCKET")
    if s.cdn_origin_secrets and not (s.s3_bucket and s.ondemand):
        raise ConfigError("THUMBROUTER_CDN_ORIGIN_SECRET serves the CDN's misses from /edge: it needs "
                          "THUMBROUTER_S3_BUCKET and THUMBROUTER_ONDEMAND=1")
    if s.cdn_domain and s.s3_thumbnail_base_url:
        raise ConfigError("set THUMBROUTER_CDN_DOMAIN (signed CDN URLs) or THUMBROUTER_S3_THUMBNAIL_BASE_URL "
                          "(an unsigned thumbnail base), not both")


def _check_thumbnails(s: Settings) -> None:
    """The thumbnail bucket is a bucket, and eager links point at a size the Lambda writes."""
    if not s.s3_bucket:
        return
    try:
        s.thumbnail_spec.destination(s.s3_bucket)
    except ConfigError as exc:
        raise ConfigError(f"THUMBROUTER_S3_BUCKET / THUMBROUTER_THN_BUCKET: {exc}") from None
    if s.s3_thumbnail_mode == "eager" and s.thumbnail_size not in s.thumbnail_spec.sizes:
        raise ConfigError(f"THUMBROUTER_THUMBNAIL_SIZE={s.thumbnail_size} is not in THUMBROUTER_THUMBNAIL_SIZES="
                          f"{','.join(s.thumbnail_spec.sizes)}: eager URLs would link thumbnails nobody writes")


def lazy_link_preset(s: Settings) -> str | None:
    """The preset lazy thumbnail links name: the first whose size is THUMBROUTER_THUMBNAIL_SIZE (or None)."""
    return next((name for name, size in s.presets.items() if format_size(size) == s.thumbnail_size), None)


def _check_lazy_links(s: Settings) -> None:
    """Lazy links are signed /thumb URLs of one preset, served at the public base URL."""
    if not s.url_signing_keys:
        raise ConfigError(f"{PREFIX}{LINKS}=lazy needs THUMBROUTER_URL_SIGNING_KEYS")
    if not s.ondemand:
        raise ConfigError(f"{PREFIX}{LINKS}=lazy links /thumb URLs: it needs THUMBROUTER_ONDEMAND=1")
    if not s.public_base_url:
        raise ConfigError(f"{PREFIX}{LINKS}=lazy needs THUMBROUTER_PUBLIC_BASE_URL (where /thumb is served)")
    if lazy_link_preset(s) is None:
        raise ConfigError(f"THUMBROUTER_PRESETS has no preset of THUMBROUTER_THUMBNAIL_SIZE={s.thumbnail_size}")


def check_consistent(s: Settings) -> None:
    """Cross-variable rules: the clouds we route to exist, and lazy/lambda modes have what they need."""
    _check_qiniu_complete(s)
    _check_cdn(s)
    _check_thumbnails(s)
    if s.default_cloud not in s.clouds:
        need = "THUMBROUTER_S3_BUCKET" if s.default_cloud == "s3" else "THUMBROUTER_QINIU_*"
        raise ConfigError(f"THUMBROUTER_DEFAULT_CLOUD is {s.default_cloud!r} but {need} is not set")
    if s.domestic_countries and "qiniu" not in s.clouds:
        raise ConfigError("THUMBROUTER_DOMESTIC_COUNTRIES routes to Qiniu but THUMBROUTER_QINIU_* is not set "
                          "(set THUMBROUTER_DOMESTIC_COUNTRIES= empty to route everyone to the default cloud)")
    if s.s3_thumbnail_mode == "lazy":
        _check_lazy_links(s)
    if s.redis_url and s.dynamodb_table:
        raise ConfigError("THUMBROUTER_REDIS_URL and THUMBROUTER_DYNAMODB_TABLE both set: single-flight uses one "
                          "shared store (Redis under gunicorn, DynamoDB on Lambda); unset one")
    if s.generation_backend == "lambda" and not s.generation_lambda:
        raise ConfigError("THUMBROUTER_GENERATION_BACKEND=lambda needs THUMBROUTER_GENERATION_LAMBDA")


def missing_package(package: str, setting: str) -> ConfigError:
    """The start-up error for a setting whose optional package this deployment does not include.

    The router's Lambda zip carries what an S3 router imports (thumbrouter/cli/artifact.py's CONTENTS), so
    Qiniu and a MaxMind database fail its cold start here, by name, not with an ImportError.
    """
    return ConfigError(f"{setting} needs the {package} package, which this deployment does not include "
                       f"(the router's Lambda zip leaves it out): run this configuration under gunicorn with "
                       f"thumbrouter[router] installed, or unset {setting}")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from `environ` (default: os.environ), secrets named by `THUMBROUTER_*_PARAMETER`
    read from SSM or Secrets Manager first (router.secrets).

    Raises ConfigError naming the first variable that is missing or malformed, or whose parameter cannot be read.
    """
    settings = Settings(**_fields(resolve_secrets(os.environ if environ is None else environ)))
    check_consistent(settings)
    return settings
