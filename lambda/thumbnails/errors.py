"""Typed errors of the thumbnail core.

Every ThumbnailError is permanent: the same bytes fail the same way on every try,
so callers must not retry them (the Lambda logs and counts them instead).
"""


class ThumbnailError(Exception):
    """Base class: the input cannot be turned into a thumbnail."""


class EmptyImageError(ThumbnailError):
    """The input has no bytes at all."""


class NotAnImageError(ThumbnailError):
    """The bytes are not an image in any format Pillow recognises."""


class UnsupportedFormatError(ThumbnailError):
    """An image, but in a format outside the allow-list (JPEG/MPO, PNG, WebP, GIF)."""


class ImageTooLargeError(ThumbnailError):
    """Declared dimensions (frames x pixels) exceed the configured pixel budget."""


class DecodeError(ThumbnailError):
    """The header was valid but the pixel data could not be decoded at all."""


class InvalidSizeError(ThumbnailError, ValueError):
    """A thumbnail size string or tuple is malformed or out of range."""
