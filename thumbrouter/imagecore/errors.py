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
    """The image exceeds a budget (pixels, decoded bytes), refused before its pixels are decoded."""


class TooManyScansError(ImageTooLargeError):
    """A JPEG with more scans (or segments) than max_scans: each scan walks the whole image again."""


class TooManyFramesError(ImageTooLargeError):
    """An animation (GIF, WebP, APNG, MPO) with more frames than max_frames."""


class TooManyChunksError(ImageTooLargeError):
    """A PNG with more chunks (or text chunks) than any encoder writes: Pillow walks each one in Python."""


class DecodeError(ThumbnailError):
    """The header was valid but the pixel data could not be decoded at all."""


class CorruptProgressionError(DecodeError):
    """A progressive JPEG's scan script breaks the rules libjpeg checks (it only warns about most)."""


class InvalidSizeError(ThumbnailError, ValueError):
    """A thumbnail size string or tuple is malformed or out of range."""
