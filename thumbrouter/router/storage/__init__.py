"""Storage backends: the small interface the router needs from a cloud, and the registry of them.

A backend turns a validated key into signed URLs (for a given signing `Window`) and an insert-only
upload request, and reports its own readiness. One module per cloud; `BACKENDS` maps a cloud name to its
factory, so adding a cloud is one entry, never dotted-path loading.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ..config import Settings, missing_package
from ..urlcache import Window

# (key, expires_at epoch seconds) -> URL of the on-demand thumbnail; supplied by router.signing.
LazyThumbnailUrl = Callable[[str, int], str]


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
    """What the router needs from one cloud."""

    cloud: str

    def download_urls(self, key: str, *, thumbnail: bool, filename: str | None,
                      window: Window) -> tuple[str, str | None]:
        """(download URL, thumbnail URL or None) valid until `window.expires_at`."""

    def upload(self, key: str, *, content_type: str, size: int, expires: int) -> Upload:
        """An insert-only upload of exactly `size` bytes of `content_type` to `key`; raises BackendUnavailable."""

    def checks(self) -> dict[str, dict]:
        """Readiness pieces: name -> {"ok": bool, "detail": str}; never raises."""


def _s3(settings: Settings, **hooks) -> Storage:
    from .s3 import S3Storage

    return S3Storage.from_settings(settings, **hooks)


def _qiniu(settings: Settings, **hooks) -> Storage:
    try:
        from .qiniu import QiniuStorage
    except ModuleNotFoundError as exc:
        if exc.name != "qiniu":
            raise
        raise missing_package("qiniu", "THUMBROUTER_QINIU_BUCKET") from None

    return QiniuStorage.from_settings(settings)


BACKENDS: Mapping[str, Callable[..., Storage]] = {"s3": _s3, "qiniu": _qiniu}


def build_backends(settings: Settings, *, lazy_thumbnail_url: LazyThumbnailUrl | None = None) -> dict[str, Storage]:
    """One backend per configured cloud."""
    return {cloud: BACKENDS[cloud](settings, lazy_thumbnail_url=lazy_thumbnail_url) for cloud in settings.clouds}
