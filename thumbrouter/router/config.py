"""Router settings: every THUMBROUTER_* variable is parsed and validated here, and only here.

`load_settings(environ)` returns a frozen `Settings` or raises `ConfigError` naming the variable and
what is wrong, so a bad deployment stops at start-up instead of failing per request. Secrets
(Qiniu secret key, API tokens, URL signing keys, the Redis URL) are kept out of every repr.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from thumbrouter.imagecore import InvalidSizeError, format_size, parse_size

CLOUDS = ("s3", "qiniu")
DEFAULT_PRESETS = "thumb50=50x50,preview=1440x1440"
# Each cached entry holds two signed URLs (~0.5-1.5 KB each): 10,000 entries stay near 20 MB per worker.
DEFAULT_URL_CACHE_SIZE = 10_000
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MIN_SECRET_CHARS = 16

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,54}[a-z0-9]$")  # 56 max so `<bucket>resized` fits 63
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?$")
_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
# "-thumb50" style (separator + name) or a processing query such as "imageView2/1/w/50/h/50".
_QINIU_STYLE = re.compile(r"^([-_!/.][A-Za-z0-9_.-]+|(imageView2|imageMogr2)/[A-Za-z0-9/._!-]*)$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_HEADER = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_PRESET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_LAMBDA_NAME = re.compile(r"^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$")


class ConfigError(ValueError):
    """A configuration variable is missing or wrong; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Validated router configuration (build it with `load_settings`)."""

    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    s3_endpoint_url: str | None = None  # AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (local server): path-style URLs
    s3_thumbnail_base_url: str | None = None
    s3_thumbnail_mode: str = "eager"
    thumbnail_size: str = "50x50"
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
    presets: Mapping[str, tuple[int, int]] = field(
        default_factory=lambda: MappingProxyType({"thumb50": (50, 50), "preview": (1440, 1440)}), hash=False)
    redis_url: str | None = field(default=None, repr=False)
    generation_backend: str = "local"
    generation_pool_size: int = field(default_factory=lambda: os.cpu_count() or 1)
    generation_queue_size: int = 16
    generation_lambda: str | None = None
    url_signing_keys: tuple[str, ...] = field(default=(), repr=False)
    public_base_url: str | None = None
    s3_max_inflight: int = 8  # request-path S3 calls waiting at once per process (router.breaker's bulkhead)

    @property
    def s3_resized_bucket(self) -> str | None:
        """The bucket the Lambda writes thumbnails to: `<bucket>resized`."""
        return f"{self.s3_bucket}resized" if self.s3_bucket else None

    @property
    def qiniu_base_url(self) -> str | None:
        """`https://<QINIU_DOMAIN>` (a domain given with http:// or https:// is kept as is)."""
        if not self.qiniu_domain:
            return None
        return self.qiniu_domain if "://" in self.qiniu_domain else f"https://{self.qiniu_domain}"

    @property
    def clouds(self) -> tuple[str, ...]:
        """The clouds this router is configured for."""
        return tuple(c for c, ok in (("s3", bool(self.s3_bucket)), ("qiniu", bool(self.qiniu_bucket))) if ok)


def _get(env: Mapping[str, str], name: str) -> str | None:
    """The stripped value of THUMBROUTER_<name>, or None when unset or blank."""
    value = env.get(f"THUMBROUTER_{name}")
    return value.strip() if value is not None and value.strip() else None


def _check(env, name: str, pattern: re.Pattern, what: str, default=None):
    value = _get(env, name)
    if value is None:
        return default
    if not pattern.match(value):
        raise ConfigError(f"THUMBROUTER_{name} must be {what}, got {value!r}")
    return value


def _choice(env, name: str, choices: tuple[str, ...], default: str) -> str:
    value = (_get(env, name) or default).lower()
    if value not in choices:
        raise ConfigError(f"THUMBROUTER_{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _bool(env, name: str, default: bool) -> bool:
    value = _get(env, name)
    if value is None:
        return default
    table = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
    if value.lower() not in table:
        raise ConfigError(f"THUMBROUTER_{name} must be 1 or 0 (true/false), got {value!r}")
    return table[value.lower()]


def _int(env, name: str, default: int, low: int, high: int) -> int:
    value = _get(env, name)
    if value is None:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise ConfigError(f"THUMBROUTER_{name} must be an integer, got {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"THUMBROUTER_{name} must be in {low}..{high}, got {number}")
    return number


def _list(env, name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in (_get(env, name) or "").split(",") if item.strip())


def _secrets(env, name: str) -> tuple[str, ...]:
    """A comma list of secrets; each must be long enough to resist guessing (never echoed back)."""
    values = _list(env, name)
    for index, value in enumerate(values):
        if len(value) < MIN_SECRET_CHARS:
            raise ConfigError(f"THUMBROUTER_{name}: entry {index + 1} is shorter than {MIN_SECRET_CHARS} characters")
    return values


def _countries(env) -> frozenset[str]:
    raw = env.get("THUMBROUTER_DOMESTIC_COUNTRIES")
    values = ("CN",) if raw is None else tuple(v.strip().upper() for v in raw.split(",") if v.strip())
    for value in values:
        if not _COUNTRY.match(value):
            raise ConfigError(f"THUMBROUTER_DOMESTIC_COUNTRIES must list two-letter country codes, got {value!r}")
    return frozenset(values)


def _size(env) -> str:
    try:
        return format_size(_get(env, "THUMBNAIL_SIZE") or "50x50")
    except InvalidSizeError as exc:
        raise ConfigError(f"THUMBROUTER_THUMBNAIL_SIZE: {exc}") from None


def _presets(env) -> Mapping[str, tuple[int, int]]:
    presets = {}
    for item in (_get(env, "PRESETS") or DEFAULT_PRESETS).split(","):
        name, _, size = item.strip().partition("=")
        if not _PRESET_NAME.match(name) or name in presets:
            raise ConfigError(f"THUMBROUTER_PRESETS: bad or repeated preset name {name!r} (want name=WxH,...)")
        try:
            presets[name] = parse_size(size.strip())
        except InvalidSizeError as exc:
            raise ConfigError(f"THUMBROUTER_PRESETS: preset {name!r}: {exc}") from None
    return MappingProxyType(presets)


def _geoip_db(env) -> str | None:
    path = _get(env, "GEOIP_DB")
    if path is not None and not os.path.isfile(path):
        raise ConfigError(f"THUMBROUTER_GEOIP_DB: no such file {path!r}")
    return path


def _redis_url(env) -> str | None:
    url = _get(env, "REDIS_URL")
    if url is not None and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("THUMBROUTER_REDIS_URL must start with redis://, rediss:// or unix://")
    return url


def _s3_region(env) -> str:
    value = _get(env, "S3_REGION") or (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip()
    value = value or "us-east-1"
    if not _REGION.match(value):
        raise ConfigError(f"THUMBROUTER_S3_REGION (or AWS_REGION) must be an AWS region like us-east-1, got {value!r}")
    return value


def _endpoint(env) -> str | None:
    value = (env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or "").strip()
    return value.rstrip("/") or None


def _url(env, name: str) -> str | None:
    value = _check(env, name, _URL, "an http(s) URL")
    return value.rstrip("/") if value else None


def _qiniu_domain(env) -> str | None:
    value = _get(env, "QINIU_DOMAIN")
    if value is None:
        return None
    if not (_HOST.match(value) or _URL.match(value)):
        raise ConfigError(f"THUMBROUTER_QINIU_DOMAIN must be a host name (or http(s)://host), got {value!r}")
    return value.rstrip("/")


def _fields(env: Mapping[str, str]) -> dict:
    """Parse every variable into Settings field values (each parser names its variable on error)."""
    return dict(
        s3_bucket=_check(env, "S3_BUCKET", _BUCKET, "an S3 bucket name of 3..56 characters"),
        s3_region=_s3_region(env), s3_endpoint_url=_endpoint(env),
        s3_thumbnail_base_url=_url(env, "S3_THUMBNAIL_BASE_URL"),
        s3_thumbnail_mode=_choice(env, "S3_THUMBNAIL_MODE", ("eager", "lazy"), "eager"),
        thumbnail_size=_size(env),
        qiniu_access_key=_get(env, "QINIU_ACCESS_KEY"), qiniu_secret_key=_get(env, "QINIU_SECRET_KEY"),
        qiniu_bucket=_get(env, "QINIU_BUCKET"), qiniu_domain=_qiniu_domain(env),
        qiniu_style=_check(env, "QINIU_STYLE", _QINIU_STYLE, "a style like -thumb50 or imageView2/...", "-thumb50"),
        qiniu_private=_bool(env, "QINIU_PRIVATE", True),
        qiniu_upload_host=_url(env, "QINIU_UPLOAD_HOST") or "https://up.qiniup.com",
        domestic_countries=_countries(env),
        default_cloud=_choice(env, "DEFAULT_CLOUD", CLOUDS, "s3"),
        geoip_db=_geoip_db(env),
        api_tokens=_secrets(env, "API_TOKENS"), allow_anonymous=_bool(env, "ALLOW_ANONYMOUS", False),
        trusted_proxies=_int(env, "TRUSTED_PROXIES", 0, 0, 10),
        country_header=_check(env, "COUNTRY_HEADER", _HEADER, "an HTTP header name"),
        url_cache_size=_int(env, "URL_CACHE_SIZE", DEFAULT_URL_CACHE_SIZE, 0, 10_000_000),
        max_upload_bytes=_int(env, "MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES, 1, 5 * 1024**3),
        presets=_presets(env), redis_url=_redis_url(env),
        generation_backend=_choice(env, "GENERATION_BACKEND", ("local", "lambda"), "local"),
        generation_pool_size=_int(env, "GENERATION_POOL_SIZE", os.cpu_count() or 1, 1, 256),
        generation_queue_size=_int(env, "GENERATION_QUEUE_SIZE", 16, 0, 100_000),
        generation_lambda=_check(env, "GENERATION_LAMBDA", _LAMBDA_NAME, "a Lambda function name or ARN"),
        url_signing_keys=_secrets(env, "URL_SIGNING_KEYS"),
        public_base_url=_url(env, "PUBLIC_BASE_URL"),
        s3_max_inflight=_int(env, "S3_MAX_INFLIGHT", 8, 1, 1024),
    )


def _check_qiniu_complete(s: Settings) -> None:
    parts = {"QINIU_ACCESS_KEY": s.qiniu_access_key, "QINIU_SECRET_KEY": s.qiniu_secret_key,
             "QINIU_BUCKET": s.qiniu_bucket, "QINIU_DOMAIN": s.qiniu_domain}
    missing = [f"THUMBROUTER_{name}" for name, value in parts.items() if not value]
    if missing and len(missing) < len(parts):
        raise ConfigError(f"Qiniu is half configured: set {', '.join(missing)} too (or none of them)")


def _check_consistent(s: Settings) -> None:
    """Cross-variable rules: the clouds we route to exist, and lazy/lambda modes have what they need."""
    _check_qiniu_complete(s)
    if s.default_cloud not in s.clouds:
        need = "THUMBROUTER_S3_BUCKET" if s.default_cloud == "s3" else "THUMBROUTER_QINIU_*"
        raise ConfigError(f"THUMBROUTER_DEFAULT_CLOUD is {s.default_cloud!r} but {need} is not set")
    if s.domestic_countries and "qiniu" not in s.clouds:
        raise ConfigError("THUMBROUTER_DOMESTIC_COUNTRIES routes to Qiniu but THUMBROUTER_QINIU_* is not set "
                          "(set THUMBROUTER_DOMESTIC_COUNTRIES= empty to route everyone to the default cloud)")
    if s.s3_thumbnail_mode == "lazy" and not s.url_signing_keys:
        raise ConfigError("THUMBROUTER_S3_THUMBNAIL_MODE=lazy needs THUMBROUTER_URL_SIGNING_KEYS")
    if s.generation_backend == "lambda" and not s.generation_lambda:
        raise ConfigError("THUMBROUTER_GENERATION_BACKEND=lambda needs THUMBROUTER_GENERATION_LAMBDA")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from `environ` (default: os.environ).

    Raises ConfigError naming the first variable that is missing or malformed.
    """
    settings = Settings(**_fields(os.environ if environ is None else environ))
    _check_consistent(settings)
    return settings
