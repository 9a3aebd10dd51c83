"""thumbrouter's router: download URLs and upload targets for Qiniu and S3."""

from .app import check_access_policy, check_bind, create_app  # noqa: E402  (after the service it is built from)
from .config import ConfigError, Settings, load_settings
from .emf import EmfWriter
from .emf import init_app as init_emf
from .errors import (
    BackendUnavailable,
    BadRequest,
    Forbidden,
    NotFound,
    Overloaded,
    RouterError,
    Unauthorized,
    Unprocessable,
)
from .service import DownloadUrls, Router, UploadTarget, get_download_urls, get_upload_target
from .storage.qiniu_style import QiniuStyle, style_processing

__all__ = [
    "BackendUnavailable", "BadRequest", "ConfigError", "DownloadUrls", "EmfWriter", "Forbidden", "NotFound",
    "Overloaded", "QiniuStyle",
    "Router", "RouterError", "Settings", "Unauthorized", "Unprocessable", "UploadTarget", "check_access_policy",
    "check_bind", "create_app", "get_download_urls", "get_upload_target", "init_emf", "load_settings",
    "style_processing",
]
