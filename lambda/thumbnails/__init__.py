"""thumbnails: the pure image core (bytes in, bytes out; no network, no files, no boto3)."""

from .errors import (
    DecodeError,
    EmptyImageError,
    ImageTooLargeError,
    InvalidSizeError,
    NotAnImageError,
    ThumbnailError,
    UnsupportedFormatError,
)
from .formats import CONTENT_TYPES, EXTENSIONS, format_for, format_for_key
from .naming import MAX_KEY_BYTES, format_size, is_thumbnail_key, no_thumbnail_reason, parse_size, thumbnail_key
from .pipeline import DEFAULT_MAX_PIXELS, MODES, Thumbnail, make_thumbnail

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_MAX_PIXELS",
    "EXTENSIONS",
    "MAX_KEY_BYTES",
    "MODES",
    "DecodeError",
    "EmptyImageError",
    "ImageTooLargeError",
    "InvalidSizeError",
    "NotAnImageError",
    "Thumbnail",
    "ThumbnailError",
    "UnsupportedFormatError",
    "format_for",
    "format_for_key",
    "format_size",
    "is_thumbnail_key",
    "make_thumbnail",
    "no_thumbnail_reason",
    "parse_size",
    "thumbnail_key",
]
