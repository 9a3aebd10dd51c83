"""Storage backends: the small interface the router needs from a cloud, and the registry of them.

A backend turns a validated key into signed URLs (for a given signing `Window`) and upload form
fields, and reports its own readiness. One module per cloud; `BACKENDS` maps a cloud name to its
factory, so adding a cloud is one entry, never dotted-path loading.
"""

from collections.abc import Callable, Mapping
from typing import Protocol

from ..config import Settings
from ..urlcache import Window

# (key, expires_at epoch seconds) -> URL of the on-demand thumbnail; supplied by router.signing (issue 5).
LazyThumbnailUrl = Callable[[str, int], str]


class Storage(Protocol):
    """What the router needs from one cloud."""

    cloud: str

    def download_urls(self, key: str, *, thumbnail: bool, filename: str | None,
                      window: Window) -> tuple[str, str | None]:
        """(download URL, thumbnail URL or None) valid until `window.expires_at`."""

    def upload_form(self, key: str, *, content_type: str | None, max_bytes: int,
                    expires: int) -> tuple[str, dict[str, str]]:
        """(form POST URL, form fields) for a browser upload of `key`; raises BackendUnavailable."""

    def checks(self) -> dict[str, dict]:
        """Readiness pieces: name -> {"ok": bool, "detail": str}; never raises."""


def _s3(settings: Settings, **hooks) -> Storage:
    from .s3 import S3Storage

    return S3Storage.from_settings(settings, **hooks)


def _qiniu(settings: Settings, **hooks) -> Storage:
    from .qiniu import QiniuStorage

    return QiniuStorage.from_settings(settings)


BACKENDS: Mapping[str, Callable[..., Storage]] = {"s3": _s3, "qiniu": _qiniu}


def build_backends(settings: Settings, *, lazy_thumbnail_url: LazyThumbnailUrl | None = None) -> dict[str, Storage]:
    """One backend per configured cloud."""
    return {cloud: BACKENDS[cloud](settings, lazy_thumbnail_url=lazy_thumbnail_url) for cloud in settings.clouds}
