"""The router's service layer: pick a cloud, validate input, and return signed download URLs or
an upload target. Views (router-http) and library callers both go through `Router`.

`expires_at` is an int (Unix epoch seconds, UTC) everywhere: it serialises to JSON as is and
compares without time zones. Every answer has at least the requested lifetime left.
"""

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from types import MappingProxyType

from thumbrouter.imagecore import no_thumbnail_reason

from .config import ConfigError, Settings, load_settings
from .geo import GeoIP, open_geoip
from .security import (
    thumbnail_format,
    validate_cloud,
    validate_content_type,
    validate_country,
    validate_expires,
    validate_filename,
    validate_key,
    validate_key_for,
    validate_max_bytes,
    validate_size,
)
from .storage import Storage, build_backends
from .urlcache import UrlCache

UPLOAD_EXPIRES = 3600
# Per Router, the validation of this many recent distinct requests is remembered (only what passed): it
# depends on the values alone, and redoing it was a large part of a cached answer's time.
CHECKED_MAX = 4096

# (key, expires_at epoch seconds) -> the URL of a thumbnail made on demand; router.signing builds /thumb's.
LazyThumbnailUrl = Callable[[str, int], str]


@dataclass(frozen=True)
class DownloadUrls:
    """Where to download an object and its thumbnail (None for types without thumbnails)."""

    cloud: str
    download_url: str
    thumbnail_url: str | None
    expires_at: int  # Unix epoch seconds (UTC)

    def to_dict(self) -> dict:
        """The JSON answer's fields (the API's one serialiser of it, single and batch)."""
        # Built by hand: dataclasses.asdict deep-copies every value and was a third of a batch's time.
        return {"cloud": self.cloud, "download_url": self.download_url, "thumbnail_url": self.thumbnail_url,
                "expires_at": self.expires_at}


@dataclass(frozen=True)
class UploadTarget:
    """One insert-only upload of exactly `size` bytes of `content_type` to `key`: send `method` to `url`
    with exactly `headers`; for a form POST (Qiniu) multipart `fields` plus the file in `file_field`,
    for a PUT (S3) the file as the body (`file_field` None, `fields` empty).

    Both clouds refuse an existing key (`insert_only`), another length and another type. `max_bytes`
    equals `size` (kept for clients of the earlier form-only answer). The backend stores `cloud`.
    """

    cloud: str
    key: str
    url: str
    fields: Mapping[str, str] = field(hash=False)
    expires_at: int
    max_bytes: int
    content_type: str
    method: str = "POST"
    file_field: str | None = "file"
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)
    size: int = 0
    insert_only: bool = True

    def to_dict(self) -> dict:
        return ({f.name: getattr(self, f.name) for f in fields(self)}
                | {"fields": dict(self.fields), "headers": dict(self.headers)})


def _default_lazy_builder(settings: Settings) -> LazyThumbnailUrl:
    """The on-demand package's lazy thumbnail URL builder, imported only in lazy mode."""
    try:
        from .signing import thumbnail_url_builder
    except ImportError as exc:
        raise ConfigError("THUMBROUTER_S3_THUMBNAIL_LINKS=lazy needs router.signing.thumbnail_url_builder") from exc
    return thumbnail_url_builder(settings)


class Router:
    """Validated, cached URL signing for the configured clouds.

    The thumbnail link is the router's choice: a cloud in `lazy_links` gets that link (the on-demand
    `/thumb` URL, which makes the thumbnail when it is missing); any other gets its backend's URL of the
    stored thumbnail.
    """

    def __init__(self, settings: Settings, backends: Mapping[str, Storage], geoip: GeoIP,
                 cache: UrlCache, clock: Callable[[], float] = time.time,
                 lazy_links: Mapping[str, LazyThumbnailUrl] | None = None):
        self.settings, self.backends, self.geoip, self.cache, self.clock = settings, backends, geoip, cache, clock
        self.lazy_links = MappingProxyType(dict(lazy_links or {}))
        # Bounded memos of pure validation; a call that raises (a refused value) is not remembered.
        self._valid_key = lru_cache(maxsize=CHECKED_MAX)(validate_key)
        self._checked_download = lru_cache(maxsize=CHECKED_MAX)(self._check_download)

    @classmethod
    def from_settings(cls, settings: Settings, *, lazy_thumbnail_url: LazyThumbnailUrl | None = None,
                      clock: Callable[[], float] = time.time, geoip: GeoIP | None = None) -> "Router":
        """Build backends, GeoIP and the URL cache from settings.

        In lazy thumbnail mode (THUMBROUTER_S3_THUMBNAIL_LINKS=lazy) `lazy_thumbnail_url(key, expires_at)
        -> url` builds S3 thumbnail links; when not given, `router.signing.thumbnail_url_builder(settings)`.
        Raises ConfigError (bad lazy setup) or OSError / maxminddb errors (unreadable GeoIP db).
        """
        lazy_links = {}
        if settings.s3_thumbnail_mode == "lazy" and "s3" in settings.clouds:
            lazy_links["s3"] = lazy_thumbnail_url or _default_lazy_builder(settings)
        return cls(settings, build_backends(settings), geoip or open_geoip(settings.geoip_db),
                   UrlCache(settings.url_cache_size, clock), clock, lazy_links)

    def storage(self, cloud: str) -> Storage:
        """The backend of a configured cloud (e.g. `router.storage("s3").presign_get(...)`)."""
        return self.backends[cloud]

    def choose_cloud(self, *, cloud: str | None = None, country: str | None = None,
                     client_ip: str | None = None) -> str:
        """`cloud` wins; else the country (given, or from the IP) decides; unknown -> default cloud.

        Raises BadRequest for an unknown or unconfigured cloud or a malformed country.
        """
        chosen, country = validate_cloud(cloud, self.settings.clouds), validate_country(country)
        if chosen:
            return chosen
        if country is None and client_ip:
            country = self.geoip.country(client_ip)
        if country in self.settings.domestic_countries and "qiniu" in self.backends:
            return "qiniu"  # load_settings refuses domestic routing without Qiniu; hand-made Settings may not
        return self.settings.default_cloud

    def download_urls(self, key: str | None, *, cloud: str | None = None, country: str | None = None,
                      client_ip: str | None = None, filetype: str | None = None,
                      filename: str | None = None, expires: int | None = None) -> DownloadUrls:
        """Signed download and thumbnail URLs for `key`, cached per window.

        Raises BadRequest naming the bad field (a missing key included); BackendUnavailable when signing
        cannot be done.
        """
        memo = _hashable(key, filetype, filename, expires)  # JSON may hand over lists: validated, never cached
        key = self._valid_key(key) if memo else validate_key(key)
        chosen = self.choose_cloud(cloud=cloud, country=country, client_ip=client_ip)
        check = self._checked_download if memo else self._check_download
        key, thumbnail, filename, lifetime = check(key, chosen, filetype, filename, expires)
        backend, lazy = self.backends[chosen], self.lazy_links.get(chosen) if thumbnail else None

        def sign(window) -> DownloadUrls:
            download, stored = backend.download_urls(key, thumbnail=thumbnail and lazy is None, filename=filename,
                                                     window=window)
            link = lazy(key, window.expires_at) if lazy is not None else stored
            return DownloadUrls(chosen, download, link, window.expires_at)

        return self.cache.get_or_sign((chosen, key, thumbnail, filename, lifetime), lifetime, sign)

    def _check_download(self, key: str, chosen: str, filetype, filename, expires) -> tuple[str, bool, str | None, int]:
        """(key, has a thumbnail, filename, lifetime) of a download in `chosen`, validated in the security order."""
        key = validate_key_for(key, chosen, self.settings.qiniu_style)
        lifetime = validate_expires(expires)
        # Qiniu keys are at most 750 bytes, so the S3 naming limit never hides a Qiniu thumbnail.
        thumbnail = (thumbnail_format(filetype, key, chosen) is not None
                     and no_thumbnail_reason(key, self.settings.thumbnail_size) is None)
        return key, thumbnail, validate_filename(filename), lifetime

    def upload_target(self, key: str, *, country: str | None = None, client_ip: str | None = None,
                      content_type: str | None = None, max_bytes: int | None = None,
                      size: int | None = None) -> UploadTarget:
        """An insert-only upload of one key, exactly `size` bytes of one allowed image type, to the
        cloud the location picks. `content_type` defaults to the key's extension's type.

        Raises BadRequest naming the bad field; BackendUnavailable when the backend fails.
        """
        key = validate_key(key)
        chosen = self.choose_cloud(country=country, client_ip=client_ip)
        key = validate_key_for(key, chosen, self.settings.qiniu_style)
        content_type = validate_content_type(content_type, key)
        size = validate_size(size, validate_max_bytes(max_bytes, self.settings.max_upload_bytes))
        upload = self.backends[chosen].upload(key, content_type=content_type, size=size, expires=UPLOAD_EXPIRES)
        # The SDKs sign uploads against the real clock (no window), so expires_at uses it too.
        return UploadTarget(chosen, key, upload.url, MappingProxyType(dict(upload.fields)),
                            int(time.time()) + UPLOAD_EXPIRES, size, content_type, method=upload.method,
                            file_field=upload.file_field, headers=MappingProxyType(dict(upload.headers)), size=size)

    def warm(self) -> None:
        """Load the GeoIP data now (call at start-up so the first request does not pay for it)."""
        self.geoip.warm()


def _hashable(*values) -> bool:
    for value in values:  # a loop, not all(...): this runs on every request and a generator costs more
        if value is not None and type(value) is not str and type(value) is not int:
            return False
    return True


_default: Router | None = None
_default_lock = threading.Lock()


def default_router() -> Router:
    """The process-wide Router built from os.environ on first use. Raises ConfigError."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Router.from_settings(load_settings())
        return _default


def reset_default_router() -> None:
    """Forget the default Router (tests, or after the environment changed)."""
    global _default
    with _default_lock:
        _default = None


def get_download_urls(key: str, *, cloud: str | None = None, country: str | None = None,
                      client_ip: str | None = None, filetype: str | None = None,
                      filename: str | None = None, expires: int | None = None) -> DownloadUrls:
    """`Router.download_urls` on the default Router (configured from THUMBROUTER_* variables)."""
    return default_router().download_urls(key, cloud=cloud, country=country, client_ip=client_ip,
                                          filetype=filetype, filename=filename, expires=expires)


def get_upload_target(key: str, *, country: str | None = None, client_ip: str | None = None,
                      content_type: str | None = None, max_bytes: int | None = None,
                      size: int | None = None) -> UploadTarget:
    """`Router.upload_target` on the default Router (configured from THUMBROUTER_* variables)."""
    return default_router().upload_target(key, country=country, client_ip=client_ip,
                                          content_type=content_type, max_bytes=max_bytes, size=size)
