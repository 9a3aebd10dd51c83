"""HMAC-SHA256 signatures for lazy thumbnail URLs (`/thumb/<preset>/<key>?expires=..&sig=..`).

The message is the canonical path (preset and percent-encoded key) and the expiry, so a URL is valid
only for the object, the preset and the lifetime the router chose. Keys come as a list for rotation:
sign with the first, accept any; compare with `hmac.compare_digest` (constant time).
"""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from .errors import Forbidden
from .security import whole_number

THUMB_PREFIX = "/thumb"


def thumb_path(preset: str, key: str) -> str:
    """The canonical, percent-encoded path of a preset thumbnail (`/` kept, everything else quoted)."""
    return f"{THUMB_PREFIX}/{quote(preset, safe='')}/{quote(key, safe='/')}"


def _digest(secret: bytes, path: str, expires: int) -> str:
    mac = hmac.new(secret, f"{path}\n{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class UrlSigner:
    """Signs and verifies lazy thumbnail URLs with a rotation list of secrets (first one signs)."""

    keys: tuple[bytes, ...] = field(repr=False)

    @classmethod
    def from_strings(cls, keys) -> "UrlSigner":
        """Build from secret strings; raises ValueError when the list is empty or a key is blank."""
        secrets = tuple(k.encode() for k in keys)
        if not secrets or not all(s.strip() for s in secrets):
            raise ValueError("at least one non-empty signing key is required")
        return cls(secrets)

    def signature(self, preset: str, key: str, expires: int) -> str:
        """The signature of (preset, key, expires) with the current (first) key."""
        return _digest(self.keys[0], thumb_path(preset, key), expires)

    def verify(self, preset: str, key: str, expires: str | None, sig: str | None, *, now=None) -> None:
        """Accept a URL signed by any key in the list and not yet expired.

        Raises Forbidden when expires or sig is missing, expired, or matches no key; BadRequest naming
        `expires` when it is not a whole number (checked before any signature work).
        """
        if not expires or not sig:
            raise Forbidden("missing or malformed signature", log_message="thumb: no/bad sig params")
        expires_at = whole_number(expires, "expires")
        if expires_at < (time.time() if now is None else now):
            raise Forbidden("signature expired")
        path, given = thumb_path(preset, key), sig.encode()
        matches = [hmac.compare_digest(_digest(s, path, expires_at).encode(), given) for s in self.keys]
        if not any(matches):  # every key is tried, so timing does not tell which one matched
            raise Forbidden("invalid signature")

    def url(self, base_url: str, preset: str, key: str, expires: int) -> str:
        """The full lazy URL `<base_url>/thumb/<preset>/<quoted key>?expires=..&sig=..`."""
        query = urlencode({"expires": expires, "sig": self.signature(preset, key, expires)})
        return f"{base_url.rstrip('/')}{thumb_path(preset, key)}?{query}"


def thumbnail_url_builder(settings):
    """The lazy-mode hook of router.service: `(key, expires_at) -> signed /thumb URL` of the lazy-link
    preset. The rules (keys, public base URL, such a preset) are config's; create_app has checked them."""
    from .config import lazy_link_preset

    signer, base, preset = (UrlSigner.from_strings(settings.url_signing_keys), settings.public_base_url,
                            lazy_link_preset(settings))
    if not base or preset is None:
        raise ValueError("lazy links need settings that passed router.config's checks")
    return lambda key, expires_at: signer.url(base, preset, key, expires_at)
