"""make_thumbnail: bytes of an image in, bytes of its thumbnail out (pure: no files, no network).

The order of work:
1. checks before decoding, in the order limits.py documents: frames of GIF/WebP and scans of JPEG
   on the raw bytes; then open (headers only): empty, not an image, refused format; then pixels
   and decoded bytes against the budgets;
2. decode the first frame, at reduced JPEG scale when the box allows (decode.load), keeping
   what decodes of a truncated file (degraded=True), or a HEIC's embedded thumbnail when it is at
   least THUMBNAIL_MARGIN x the output (a 48 MP photo over the budget still gets a small preset);
3. the image STEPS below, in order; 4. encode.
"""

from dataclasses import dataclass

from . import decode, geometry, heif, jpeg_scans, limits, steps
from .encode import encode
from .errors import InvalidSizeError
from .formats import OUTPUT_CONTENT_TYPES, OUTPUT_FORMAT
from .frames import check_png_chunks, count_frames, webp_canvas
from .geometry import MODES
from .limits import (
    DEFAULT_MAX_DECODED_BYTES,
    DEFAULT_MAX_FRAMES,
    DEFAULT_MAX_ICC_BYTES,
    DEFAULT_MAX_PIXELS,
    DEFAULT_MAX_SCANS,
    Limits,
)
from .naming import parse_size

# Like DRAFT_MARGIN for JPEG: the resampler needs twice the output's pixels per side to filter well.
THUMBNAIL_MARGIN = 2

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
                   quality: int = 85, max_pixels: int = DEFAULT_MAX_PIXELS,
                   max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES, max_scans: int = DEFAULT_MAX_SCANS,
                   max_frames: int = DEFAULT_MAX_FRAMES, max_icc_bytes: int = DEFAULT_MAX_ICC_BYTES,
                   output_format: str | None = None) -> Thumbnail:
    """Make a thumbnail within the budgets, in `output_format` (one of OUTPUT_CONTENT_TYPES) when given,
    else in formats.OUTPUT_FORMAT of the input (its own; MPO gives JPEG, HEIF and AVIF WebP).

    Raises a ThumbnailError subclass: InvalidSizeError (size, mode, quality, a limit), EmptyImageError,
    NotAnImageError, UnsupportedFormatError, ImageTooLargeError (TooManyScansError,
    TooManyFramesError), DecodeError (CorruptProgressionError).
    """
    box = _check_arguments(size, mode, quality)
    if output_format is not None and output_format not in OUTPUT_CONTENT_TYPES:
        raise InvalidSizeError(f"output_format must be one of {sorted(OUTPUT_CONTENT_TYPES)}, got {output_format!r}")
    budget = Limits(max_pixels, max_decoded_bytes, max_scans, max_frames, max_icc_bytes)
    image, layout, deferred = _open_within(data, budget)
    output_format = output_format or OUTPUT_FORMAT[image.format]
    orientation = decode.read_orientation(image) if image.format != "PNG" else 1
    if deferred is not None:
        _embedded_thumbnail_or_primary(image, deferred, geometry.stored_box(box, orientation), mode, budget)
    draft_box = geometry.draft_box(image.size, geometry.stored_box(box, orientation), mode)
    coefficients = layout.coefficient_bytes_per_pixel if layout else 0.0
    limits.check_decoded_bytes(image, limits.decoded_bytes(image, draft_box, coefficients), budget)
    header_size = image.size
    image, degraded = decode.load(data, image, draft_box, truncated=bool(layout) and layout.complete is False)
    if image.format == "PNG":  # PNG may carry eXIf after the pixels, readable only once loaded
        orientation = decode.read_orientation(image)
    icc_profile = limits.usable_icc_profile(image.info.get("icc_profile"), budget)
    job = steps.Job(geometry.stored_box(box, orientation), mode, output_format, orientation, icc_profile,
                    dct_scaled=image.size != header_size)
    for step in STEPS:
        image = step(image, job)
    encoded = encode(image, output_format, quality)
    return Thumbnail(encoded, output_format, OUTPUT_CONTENT_TYPES[output_format], image.width, image.height, degraded)


def _open_within(data: bytes, budget: Limits):
    """Walk the containers (bounded), open the headers, check frames and pixels: nothing decoded yet."""
    frames = count_frames(data, budget.max_frames)  # GIF/WebP: before Pillow or libwebp walk every frame
    check_png_chunks(data)  # PNG: before Pillow walks every chunk and inflates every text chunk
    layout = jpeg_scans.survey(data, budget.max_scans)  # JPEG: before libjpeg runs every scan
    canvas = webp_canvas(data)
    if canvas:  # before libwebp allocates the canvas when Pillow opens the file
        limits.check_webp_canvas(canvas, frames or 1, budget)
    heif_format, deferred = decode.heif_format(data), None
    if heif_format:  # before libheif/libavif parse the container and build what it describes
        picture = heif.survey(data, budget.max_frames)
        if heif_format == "HEIF" and limits.heif_thumbnails_fit(heif_format, picture, budget):
            limits.check_pixels((picture.width, picture.height), 1, budget)
            deferred = picture  # its decoded bytes are charged once the box picks the primary or a thumbnail
        else:
            limits.check_heif_picture(heif_format, picture, budget)
    image = decode.open_image(data)
    limits.check_pixels(image.size, frames or decode.frame_count(image), budget)
    return image, layout, deferred


def _embedded_thumbnail_or_primary(image, picture: heif.Picture, box: tuple[int, int], mode: str,
                                   budget: Limits) -> None:
    """Decode the HEIC's embedded thumbnail if one is big enough for the box, else charge the primary.

    Raises ImageTooLargeError when the primary is over the budgets and no thumbnail serves the box.
    """
    output = geometry.plan(image.size, box, mode).size
    if not decode.load_embedded_thumbnail(image, (THUMBNAIL_MARGIN * output[0], THUMBNAIL_MARGIN * output[1])):
        limits.check_heif_picture("HEIF", picture, budget)


def _check_arguments(size, mode: str, quality: int) -> tuple[int, int]:
    """Validate the caller's options. Raises InvalidSizeError."""
    if mode not in MODES:
        raise InvalidSizeError(f"mode must be one of {MODES}, got {mode!r}")
    if not isinstance(quality, int) or not 1 <= quality <= 100:
        raise InvalidSizeError(f"quality must be an integer in 1..100, got {quality!r}")
    return parse_size(size)
