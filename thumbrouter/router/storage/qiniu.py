"""Qiniu Kodo: style-suffixed thumbnail URLs, private-bucket download tokens, upload tokens.

URLs are `<base>/<key percent-encoded once, "/" kept>`; the thumbnail is that URL plus the style
(`-thumb50` appended to the path, or `imageView2/...` as the query) BEFORE signing, so the style is
covered by the token. Signing mirrors `qiniu.Auth.private_download_url` (append `e=<deadline>`,
then `token=` from `Auth.token` over the whole URL) with an explicit deadline, because the cache
needs the deadline to be the window end rather than `time.time() + expires`. The style's processing
(what Kodo does for `-thumb50`) is derived from the thumbnail spec in `qiniu_style.py`.
"""

from dataclasses import dataclass, field
from urllib.parse import quote

from qiniu import Auth

from ..config import ConfigError, Settings
from ..urlcache import Window
from . import Upload

QUERY_STYLES = ("imageView2/", "imageMogr2/")


def object_url(base_url: str, key: str) -> str:
    """`<base>/<key>` with every reserved or non-ASCII character encoded exactly once."""
    return f"{base_url}/{quote(key, safe='/~')}"


def styled_url(url: str, style: str) -> str:
    """The URL of a styled (thumbnail) variant: `-thumb50` joins the path, `imageView2/...` is the query."""
    return f"{url}?{style}" if style.startswith(QUERY_STYLES) else f"{url}{style}"


def with_param(url: str, name: str, value: str) -> str:
    """Append `name=value` with `?` or `&` as the URL needs (value already encoded)."""
    return f"{url}{'&' if '?' in url else '?'}{name}={value}"


def sign_url(auth: Auth, url: str, deadline: int) -> str:
    """Qiniu private download URL valid until `deadline` (epoch seconds): `...e=<deadline>&token=<ak:sig>`."""
    url = with_param(url, "e", str(deadline))
    return f"{url}&token={auth.token(url)}"


@dataclass
class QiniuStorage:
    """One Qiniu bucket served from `base_url` (its bound domain)."""

    bucket: str
    base_url: str
    auth: Auth = field(repr=False)
    style: str = "-thumb50"
    private: bool = True
    upload_host: str = "https://up.qiniup.com"

    @classmethod
    def from_settings(cls, settings: Settings) -> "QiniuStorage":
        """Raises ConfigError without THUMBROUTER_QINIU_BUCKET and _DOMAIN (load_settings checks them first)."""
        if not settings.qiniu_bucket or not settings.qiniu_base_url:
            raise ConfigError("THUMBROUTER_QINIU_BUCKET and THUMBROUTER_QINIU_DOMAIN must be set for Qiniu")
        return cls(bucket=settings.qiniu_bucket, base_url=settings.qiniu_base_url,
                   auth=Auth(settings.qiniu_access_key, settings.qiniu_secret_key),
                   style=settings.qiniu_style, private=settings.qiniu_private,
                   upload_host=settings.qiniu_upload_host)

    def _finish(self, url: str, window: Window) -> str:
        return sign_url(self.auth, url, window.expires_at) if self.private else url

    def download_urls(self, key: str, *, thumbnail: bool, filename: str | None,
                      window: Window) -> tuple[str, str | None]:
        """Signed (private) or plain (public) URLs; `attname` makes the download save as `filename`.

        The thumbnail never carries `attname`: it is shown inline, and the user's name is the original's.
        """
        url = object_url(self.base_url, key)
        download = with_param(url, "attname", quote(filename, safe="")) if filename else url
        thumb = self._finish(styled_url(url, self.style), window) if thumbnail else None
        return self._finish(download, window), thumb

    def upload_policy(self, key: str, *, content_type: str, size: int) -> dict:
        """The put policy: only this key, never overwrite, exactly `size` bytes, exactly `content_type`.

        Kodo checks `mimeLimit` (`;`-separated exact types) against the type it detects from the content.
        """
        return {"insertOnly": 1, "fsizeMin": size, "fsizeLimit": size, "mimeLimit": content_type}

    def upload(self, key: str, *, content_type: str, size: int, expires: int) -> Upload:
        """Form POST to the upload host with fields `token` (scope bucket:key) and `key`, file in `file`."""
        policy = self.upload_policy(key, content_type=content_type, size=size)
        token = self.auth.upload_token(self.bucket, key, expires, policy)
        return Upload("POST", self.upload_host, fields={"key": key, "token": token}, file_field="file")

    def checks(self) -> dict[str, dict]:
        """Qiniu is not contacted (no cheap authenticated probe); the configuration is checked at start-up."""
        return {"qiniu": {"ok": True, "detail": f"bucket {self.bucket} configured (not contacted)"}}
