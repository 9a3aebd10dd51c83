"""make_thumbnail: bytes of an image in, bytes of its thumbnail out (pure: no files, no network).

The order of work:
1. checks before decoding (decode.open_image, decode.check_pixels): empty, not an image,
   refused format, too many pixels;
2. decode the first frame, at reduced JPEG scale when the box allows (decode.load), keeping
   what decodes of a truncated file (degraded=True);
3. the image STEPS below, in order; 4. encode.
"""

from dataclasses import dataclass

from PIL import Image

from . import decode, geometry, steps
from .encode import encode
from .errors import InvalidSizeError
from .formats import CONTENT_TYPES, OUTPUT_FORMAT
from .naming import parse_size

DEFAULT_MAX_PIXELS = 100_000_000
MODES = ("fit", "cover")

STEPS = (
    steps.normalize_mode,  # the only step on full-size pixels: 16-bit, palette, opaque alpha
    steps.resize,  # fit or cover, in stored axes
    steps.drop_opaque_alpha,  # identical picture, fewer bytes to encode
    steps.convert_to_srgb,  # embedded ICC profile -> sRGB, on the small image
    steps.apply_orientation,  # EXIF 1-8, on the small image
    steps.fit_output_mode,  # flatten alpha on white for JPEG, palette for GIF
    steps.strip_metadata,  # EXIF/GPS, XMP, comments, ICC: never copied to the output
)


@dataclass(frozen=True)
class Thumbnail:
    """An encoded thumbnail and what to label it with."""

    data: bytes
    format: str
    content_type: str
    width: int
    height: int
    degraded: bool = False


def make_thumbnail(data: bytes, size: str | tuple[int, int] = (50, 50), *, mode: str = "fit",
                   quality: int = 85, max_pixels: int = DEFAULT_MAX_PIXELS) -> Thumbnail:
    """Make a thumbnail in the input's own format (MPO gives JPEG).

    Raises a ThumbnailError subclass: InvalidSizeError (size, mode, quality), EmptyImageError,
    NotAnImageError, UnsupportedFormatError, ImageTooLargeError, DecodeError.
    """
    box = _check_arguments(size, mode, quality)
    image = decode.open_image(data)
    decode.check_pixels(image, max_pixels)
    output_format = OUTPUT_FORMAT[image.format]
    orientation = decode.read_orientation(image) if image.format != "PNG" else 1
    stored = geometry.stored_box(box, orientation)
    header_size = image.size
    image, degraded = decode.load(data, image, geometry.draft_box(image.size, stored, mode))
    if image.format == "PNG":  # PNG may carry eXIf after the pixels, readable only once loaded
        orientation = decode.read_orientation(image)
        stored = geometry.stored_box(box, orientation)
    job = steps.Job(stored, mode, output_format, orientation, image.info.get("icc_profile"),
                    dct_scaled=image.size != header_size)
    for step in STEPS:
        image = step(image, job)
    encoded = encode(image, output_format, quality)
    return Thumbnail(encoded, output_format, CONTENT_TYPES[output_format], image.width, image.height, degraded)


def _check_arguments(size, mode: str, quality: int) -> tuple[int, int]:
    """Validate the caller's options. Raises InvalidSizeError."""
    if mode not in MODES:
        raise InvalidSizeError(f"mode must be one of {MODES}, got {mode!r}")
    if not isinstance(quality, int) or not 1 <= quality <= 100:
        raise InvalidSizeError(f"quality must be an integer in 1..100, got {quality!r}")
    return parse_size(size)
