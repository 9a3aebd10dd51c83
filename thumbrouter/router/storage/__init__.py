"""Storage backends: the small interface the router needs from a cloud, and the registry of them.

A backend turns a validated key into signed URLs (for a given signing `Window`) and an insert-only
upload request, and reports its own readiness. It never calls back up: which thumbnail link an answer
carries (the stored thumbnail, or the router's own on-demand `/thumb` URL) is the router's choice
(router.service). One module per cloud; `BACKENDS` maps a cloud name to its factory, so adding a cloud
is one entry, never dotted-path loading.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..config import Settings, missing_package
from ..urlcache import Window


@dataclass(frozen=True)
class Upload:
    """One HTTP request that uploads a file: `method` to `url` with exactly `headers`; for a form
    POST, multipart `fields` plus the file in the field `file_field` (None when the body is the file)."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)
    fields: Mapping[str, str] = field(default_factory=dict, hash=False)
    file_field: str | None = None


class Storage(Protocol):
    """What `/v1` (router.service) and readiness (router.health) need from one cloud."""

    def download_urls(self, key: str, *, thumbnail: bool, filename: str | None,
                      window: Window) -> tuple[str, str | None]:
        """(download URL, thumbnail URL or None) valid until `window.expires_at`."""

    def upload(self, key: str, *, content_type: str, size: int, expires: int) -> Upload:
        """An insert-only upload of exactly `size` bytes of `content_type` to `key`; raises BackendUnavailable."""

    def checks(self) -> dict[str, dict]:
        """Readiness pieces: name -> {"ok": bool, "detail": str}; never raises."""


@runtime_checkable
class ThumbnailStore(Protocol):
    """What on-demand `/thumb` needs from the one cloud it serves (S3): its buckets, HEAD, GET, a signed GET."""

    bucket: str
    thumbnail_bucket: str

    def head(self, bucket: str, key: str) -> dict | None:
        """The object's metadata, or None when it does not exist; raises BackendUnavailable."""

    def get(self, bucket: str, key: str, max_bytes: int) -> tuple[bytes, dict] | None:
        """(body, metadata) of a small object, or None when it does not exist; raises BackendUnavailable."""

    def presign_get(self, bucket: str, key: str, expires: int = 3600, *,
                    filename: str | None = None, signed_at: int | None = None) -> str:
        """A signed GET of (bucket, key) valid for `expires` seconds from `signed_at`."""


def _s3(settings: Settings) -> Storage:
    from .s3 import S3Storage

    return S3Storage.from_settings(settings)


def _qiniu(settings: Settings) -> Storage:
    try:
        from .qiniu import QiniuStorage
    except ModuleNotFoundError as exc:
        if exc.name != "qiniu":
            raise
        raise missing_package("qiniu", "THUMBROUTER_QINIU_BUCKET") from None

    return QiniuStorage.from_settings(settings)


BACKENDS: Mapping[str, Callable[..., Storage]] = {"s3": _s3, "qiniu": _qiniu}


def build_backends(settings: Settings) -> dict[str, Storage]:
    """One backend per configured cloud."""
    return {cloud: BACKENDS[cloud](settings) for cloud in settings.clouds}
