"""thumbnails: the pure image core (bytes in, bytes out; no network, no files, no boto3)."""

from .errors import (
    CorruptProgressionError,
    DecodeError,
    EmptyImageError,
    ImageTooLargeError,
    InvalidSizeError,
    NotAnImageError,
    ThumbnailError,
    TooManyFramesError,
    TooManyScansError,
    UnsupportedFormatError,
)
from .formats import CONTENT_TYPES, EXTENSIONS, format_for, format_for_key
from .naming import MAX_KEY_BYTES, format_size, is_thumbnail_key, no_thumbnail_reason, parse_size, thumbnail_key
from .limits import (DEFAULT_MAX_DECODED_BYTES, DEFAULT_MAX_FRAMES, DEFAULT_MAX_ICC_BYTES, DEFAULT_MAX_PIXELS,
                     DEFAULT_MAX_SCANS, Limits)
from .pipeline import MODES, Thumbnail, make_thumbnail

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_MAX_DECODED_BYTES",
    "DEFAULT_MAX_FRAMES",
    "DEFAULT_MAX_ICC_BYTES",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_MAX_SCANS",
    "EXTENSIONS",
    "MAX_KEY_BYTES",
    "MODES",
    "CorruptProgressionError",
    "DecodeError",
    "EmptyImageError",
    "ImageTooLargeError",
    "InvalidSizeError",
    "Limits",
    "NotAnImageError",
    "Thumbnail",
    "ThumbnailError",
    "TooManyFramesError",
    "TooManyScansError",
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
