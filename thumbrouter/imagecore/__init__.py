"""thumbrouter.imagecore: the pure image core (bytes in, bytes out; no network, no files, no boto3).

The names that need no Pillow (errors, formats, naming, MODES, the budgets) load with the package, so
the router's /v1 and the job's settings use them without the image stack. The Pillow-backed names
(`make_thumbnail`, `Thumbnail`) load on first use (PEP 562); `preload()` loads them now, for a Lambda's
init, so the cold-start work stays out of the first record. `reuse_freed_memory()` is for the same
init: it keeps freed picture buffers mapped for the next thumbnail (see allocator.py).
"""

import importlib
from typing import TYPE_CHECKING

from .allocator import reuse_freed_memory
from .errors import (
    CorruptProgressionError,
    DecodeError,
    EmptyImageError,
    ImageTooLargeError,
    InvalidSizeError,
    NotAnImageError,
    ThumbnailError,
    TooManyChunksError,
    TooManyFramesError,
    TooManyScansError,
    UnsupportedFormatError,
)
from .formats import (
    CONTENT_TYPES,
    EXTENSIONS,
    INPUT_CONTENT_TYPES,
    OUTPUT_CONTENT_TYPES,
    content_type_for,
    content_type_for_key,
    format_for,
    format_for_key,
    output_format_for_key,
)
from .geometry import MODES
from .limits import (
    DEFAULT_MAX_DECODED_BYTES,
    DEFAULT_MAX_FRAMES,
    DEFAULT_MAX_ICC_BYTES,
    DEFAULT_MAX_PIXELS,
    DEFAULT_MAX_SCANS,
    Limits,
)
from .naming import (
    MAX_KEY_BYTES,
    VARIANT_EXTENSIONS,
    format_size,
    is_thumbnail_of,
    no_thumbnail_reason,
    parse_size,
    parse_thumbnail_key,
    thumbnail_key,
    thumbnail_keys,
    thumbnail_prefix,
    variant_key,
)

if TYPE_CHECKING:
    from .pipeline import Thumbnail, make_thumbnail

# Pillow-backed name -> the module that defines it, imported on first access.
_LAZY = {"Thumbnail": "pipeline", "make_thumbnail": "pipeline"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def preload() -> None:
    """Import Pillow and the pipeline now (a Lambda's init) rather than on the first thumbnail."""
    for name in _LAZY:
        __getattr__(name)


__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_MAX_DECODED_BYTES",
    "DEFAULT_MAX_FRAMES",
    "DEFAULT_MAX_ICC_BYTES",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_MAX_SCANS",
    "EXTENSIONS",
    "INPUT_CONTENT_TYPES",
    "OUTPUT_CONTENT_TYPES",
    "MAX_KEY_BYTES",
    "VARIANT_EXTENSIONS",
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
    "TooManyChunksError",
    "TooManyFramesError",
    "TooManyScansError",
    "UnsupportedFormatError",
    "content_type_for",
    "content_type_for_key",
    "format_for",
    "format_for_key",
    "output_format_for_key",
    "format_size",
    "is_thumbnail_of",
    "make_thumbnail",
    "no_thumbnail_reason",
    "parse_size",
    "parse_thumbnail_key",
    "preload",
    "reuse_freed_memory",
    "thumbnail_key",
    "thumbnail_keys",
    "thumbnail_prefix",
    "variant_key",
]
