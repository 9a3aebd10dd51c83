"""LambdaSettings: the thumbnail job's configuration, parsed and validated once from the environment.

A wrong value raises SettingsError naming the variable, so a bad deploy fails at cold start
instead of failing every record later.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from PIL import Image

from thumbrouter.imagecore import DEFAULT_MAX_DECODED_BYTES, DEFAULT_MAX_PIXELS, MODES, InvalidSizeError, format_size

# 50 MiB: above any camera JPEG or phone photo (typically 2-25 MB) yet small enough that the
# original, its decoded draft and the output fit comfortably in a 1 GB Lambda.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Not `immutable`: the thumbnail key is derived from the original's key, not its content, so
# replacing an original (or a backfill with new settings) rewrites the same key. One day bounds
# how long a stale thumbnail can be served while sparing browsers and CDNs a refetch per view.
DEFAULT_CACHE_CONTROL = "public, max-age=86400"
DEFAULT_JPEG_QUALITY = 85

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_HEADER_VALUE = re.compile(r"^[\x20-\x7e]+$")


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


class SameBucketError(SettingsError):
    """The destination bucket equals the source bucket: thumbnails would land among originals."""


@dataclass(frozen=True)
class LambdaSettings:
    """Validated configuration of the thumbnail job (see from_env for the variables)."""

    thn_bucket: str | None = None
    sizes: tuple[str, ...] = ("50x50",)
    mode: str = "fit"
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_bytes: int = DEFAULT_MAX_BYTES
    jpeg_quality: int = DEFAULT_JPEG_QUALITY
    cache_control: str = DEFAULT_CACHE_CONTROL
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "LambdaSettings":
        """Read THN_BUCKET, THUMBNAIL_SIZES, THUMBNAIL_MODE, MAX_PIXELS, MAX_BYTES, JPEG_QUALITY, CACHE_CONTROL,
        MAX_DECODED_BYTES (MAX_PIXELS at most Pillow's MAX_IMAGE_PIXELS, which would otherwise win silently).

        Unset or empty variables take the defaults. Raises SettingsError naming the variable.
        """
        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        return cls(
            thn_bucket=_bucket("THN_BUCKET", get("THN_BUCKET")),
            sizes=_sizes("THUMBNAIL_SIZES", get("THUMBNAIL_SIZES") or "50x50"),
            mode=_choice("THUMBNAIL_MODE", get("THUMBNAIL_MODE") or "fit", MODES),
            max_pixels=_integer("MAX_PIXELS", get("MAX_PIXELS"), DEFAULT_MAX_PIXELS, 1, Image.MAX_IMAGE_PIXELS or 10**10),
            max_bytes=_integer("MAX_BYTES", get("MAX_BYTES"), DEFAULT_MAX_BYTES, 1, 5 * 1024**3),
            jpeg_quality=_integer("JPEG_QUALITY", get("JPEG_QUALITY"), DEFAULT_JPEG_QUALITY, 1, 95),
            cache_control=_header("CACHE_CONTROL", get("CACHE_CONTROL") or DEFAULT_CACHE_CONTROL),
            max_decoded_bytes=_integer("MAX_DECODED_BYTES", get("MAX_DECODED_BYTES"), DEFAULT_MAX_DECODED_BYTES,
                                       1024**2, 8 * 1024**3),
        )

    def destination(self, source_bucket: str) -> str:
        """The bucket thumbnails of `source_bucket` go to: THN_BUCKET, else `<source>resized`.

        Raises SameBucketError when that is the source bucket itself.
        """
        dest = self.thn_bucket or f"{source_bucket}resized"
        if dest == source_bucket:
            raise SameBucketError(f"THN_BUCKET {dest!r} equals the source bucket; refusing to write thumbnails there")
        return dest


def _bucket(name: str, value: str | None) -> str | None:
    if value is not None and (not _BUCKET.match(value) or ".." in value):
        raise SettingsError(f"{name} must be an S3 bucket name (3-63 of a-z 0-9 . -), got {value!r}")
    return value


def _sizes(name: str, value: str) -> tuple[str, ...]:
    try:
        sizes = tuple(dict.fromkeys(format_size(part) for part in value.split(",") if part.strip()))
    except InvalidSizeError as exc:
        raise SettingsError(f"{name} must be a comma list like 50x50,200x200: {exc}") from None
    if not sizes:
        raise SettingsError(f"{name} names no size, got {value!r}")
    return sizes


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value.lower() not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value.lower()


def _integer(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {value!r}") from None
    if not low <= number <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {number}")
    return number


def _header(name: str, value: str) -> str:
    if not _HEADER_VALUE.match(value):
        raise SettingsError(f"{name} must be printable ASCII without control characters, got {value!r}")
    return value
