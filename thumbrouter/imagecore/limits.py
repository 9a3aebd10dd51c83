"""The budgets every input must fit, with their defaults in one place, checked before decoding.

Like imgproxy's IMGPROXY_MAX_SRC_RESOLUTION / MAX_ANIMATION_FRAMES and Pillow's security
guidance, every limit is checked on what the headers declare, before the expensive work:
1. before Image.open (on the raw bytes, bounded walks): frames of GIF/WebP (frames.py), scans,
   segments and scan script of JPEG (jpeg_scans.py), the item table of HEIF/AVIF (heif.py: what
   the decoder will build, grid and overlay canvases, the size before a crop, alpha planes, bit
   depth and chroma, a sequence's frames, is charged here; a HEIC decoded from its embedded
   thumbnail is charged for its thumbnails instead, and for its primary if none is used);
2. after Image.open (headers only): pixels (frames x width x height), decoded bytes; HEIF bursts
   (several top-level images) are counted by libheif on open without decoding anything;
3. ICC profiles over max_icc_bytes are dropped (the picture is treated as sRGB), not refused:
   a thumbnail in slightly off colours beats no thumbnail.
Defaults: a worst case stays under 400 MB above the interpreter, so a 1024 MB Lambda (one image at
a time) and a router worker with a pool of 2 stay well inside memory; see bench/results/hostile.md.
"""

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow loads with the pipeline, not with these budgets (the router and the job read them)
    from PIL import Image

    from .heif import Picture

from .errors import ImageTooLargeError, InvalidSizeError, TooManyFramesError

MiB = 1024 * 1024
# 80 M pixels: a 64 MP phone photo or a 12000x6000 panorama fits; kept under Pillow's own
# MAX_IMAGE_PIXELS (89.5 M), whose warning would otherwise be the real limit.
DEFAULT_MAX_PIXELS = 80_000_000
DEFAULT_MAX_DECODED_BYTES = 320 * MiB  # measured peaks stay within 400 MB (bench/results/hostile.md)
DEFAULT_MAX_SCANS = 100  # libjpeg's progressive script has 10 (6 for grey); 100 empty scans at 80 MP cost ~1 s
DEFAULT_MAX_FRAMES = 1000  # only the first frame is decoded; more frames only cost the walk to count them
DEFAULT_MAX_ICC_BYTES = 4 * MiB  # camera/display profiles are < 10 KB, big CMYK press profiles ~2 MB

# Bytes per source pixel of the full-size images the core holds at its peak, by the mode Pillow
# decodes to. Pillow keeps 2- to 4-band pixels in 4 bytes; the rest is the copies the steps make:
# palette and 16-bit grey are converted at full size, alpha is premultiplied for resizing.
# Measured (peak RSS / pixels at 3000x3000, both boxes; bench/results/hostile.md) and rounded up.
FULL_SIZE_BYTES = {"1": 2, "L": 2, "P": 6, "I;16": 5, "I;16B": 5, "I;16L": 5, "LA": 8, "La": 8,
                   "RGB": 6, "RGBA": 8, "RGBa": 8, "CMYK": 6, "I": 10, "F": 10}
UNKNOWN_MODE_BYTES = 10
# steps.normalize_mode turns a colour key into RGBA at full size, whatever the mode (grey, 1-bit,
# palette or RGB with tRNS, GIF transparency): the png-grey-trns-5000x5000 row of bench/results/hostile.md.
KEYED_BYTES = FULL_SIZE_BYTES["RGBA"]
# libwebp's animation decoder holds two RGBA canvases, Pillow copies the frame into bytes and then
# into the image: 16 bytes per canvas pixel, lossy or lossless, still or animated (measured).
WEBP_BYTES = 16
# A JPEG decodes at its draft (DCT-scaled) size; the decoded draft and one resized copy, 4 bytes each.
JPEG_DRAFT_BYTES = 8
# HEIF (libheif + libde265) and AVIF (libavif + dav1d) decode the whole primary image to YUV planes,
# convert them to 8-bit RGB(A) and Pillow copies that into its 4-byte pixels. Measured peak RSS /
# pixels of a 4000x3000 single-image file, measured as bench/hostile.py does (HEIF 7.95 RGB, 9.3 RGBA;
# AVIF 9.2 RGB, 11.7 RGBA), rounded up. Grid (tiled) HEIC decodes tile by tile: lower.
DECODER_BYTES = {"HEIF": {"RGB": 9, "RGBA": 10}, "AVIF": {"RGB": 10, "RGBA": 12}}
# What the table above leaves out (it was measured on 8-bit 4:2:0): the decoders hold YUV planes of
# 1 (grey), 1.5 (4:2:0), 2 (4:2:2) or 3 (4:4:4) samples per pixel, 2 bytes each past 8 bits, and
# copies of them (libheif converts 10/12-bit 4:4:4 through 16-bit RGB). PLANE_COPIES bytes a pixel per
# plane byte beyond 4:2:0's 1.5 covers the measured peaks: the heic-*bit-*-3000x3000 and 10-bit 4:4:4
# grid rows of bench/results/hostile.md.
# An alpha plane bigger than the picture is decoded whole, then scaled: ALPHA_BYTES per extra pixel.
SAMPLES_PER_PIXEL = {"400": 1.0, "420": 1.5, "422": 2.0, "444": 3.0}
PLANE_COPIES = 2
ALPHA_BYTES = 4


@dataclass(frozen=True)
class Limits:
    """The budgets of one make_thumbnail call (keyword arguments of the same names)."""

    max_pixels: int = DEFAULT_MAX_PIXELS
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES
    max_scans: int = DEFAULT_MAX_SCANS
    max_frames: int = DEFAULT_MAX_FRAMES
    max_icc_bytes: int = DEFAULT_MAX_ICC_BYTES

    def __post_init__(self):
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InvalidSizeError(f"{field.name} must be a positive integer, got {value!r}")
        from PIL import Image

        ceiling = Image.MAX_IMAGE_PIXELS
        if ceiling and self.max_pixels > ceiling:
            raise InvalidSizeError(f"max_pixels {self.max_pixels} is above Pillow's MAX_IMAGE_PIXELS ({ceiling}), "
                                   "which Image.open would silently enforce instead")


def check_pixels(size: tuple[int, int], frames: int, limits: Limits) -> None:
    """Refuse frames x width x height over max_pixels. Raises ImageTooLargeError, TooManyFramesError."""
    if frames > limits.max_frames:
        raise TooManyFramesError(f"{frames} frames exceed the limit of {limits.max_frames} (max_frames)")
    pixels = size[0] * size[1] * frames
    if pixels > limits.max_pixels:
        raise ImageTooLargeError(f"{size[0]}x{size[1]} x {frames} frame(s) = {pixels} pixels exceeds the limit "
                                 f"of {limits.max_pixels} (max_pixels)")


def check_webp_canvas(canvas: tuple[int, int], frames: int, limits: Limits) -> None:
    """Pixels and decoded bytes of a WebP's declared canvas, before libwebp allocates it."""
    check_pixels(canvas, frames, limits)
    if canvas[0] * canvas[1] * WEBP_BYTES > limits.max_decoded_bytes:
        raise ImageTooLargeError(
            f"decoding this {canvas[0]}x{canvas[1]} WebP would take about {canvas[0] * canvas[1] * WEBP_BYTES // MiB}"
            f" MiB, over the limit of {limits.max_decoded_bytes // MiB} MiB (max_decoded_bytes)")


def heif_decoded_bytes(fmt: str, picture: "Picture") -> int:
    """The bytes libheif (HEIF) or libavif (AVIF) and Pillow hold decoding `picture` (heif.survey)."""
    pixels = picture.width * picture.height
    mode = "RGBA" if picture.alpha_pixels else "RGB"
    sample_bytes = 2 if picture.depth > 8 else 1
    # never under the table: grey (4:0:0) saves a plane in the decoder, not in the copies measured above
    planes = max(0.0, SAMPLES_PER_PIXEL.get(picture.chroma, 3.0) * sample_bytes - SAMPLES_PER_PIXEL["420"])
    estimate = pixels * (DECODER_BYTES[fmt][mode] + PLANE_COPIES * planes)
    return int(estimate + max(0, picture.alpha_pixels - pixels) * ALPHA_BYTES * sample_bytes)


def check_heif_picture(fmt: str, picture: "Picture", limits: Limits) -> None:
    """Pixels and decoded bytes of what the HEIF/AVIF decoder builds. Raises ImageTooLargeError."""
    check_pixels((picture.width, picture.height), 1, limits)
    if picture.alpha_pixels > limits.max_pixels:
        raise ImageTooLargeError(f"the alpha plane of this {fmt} has {picture.alpha_pixels} pixels, over the limit "
                                 f"of {limits.max_pixels} (max_pixels)")
    estimate = heif_decoded_bytes(fmt, picture)
    if estimate > limits.max_decoded_bytes:
        raise ImageTooLargeError(
            f"decoding this {picture.width}x{picture.height} {fmt} ({picture.depth}-bit {picture.chroma}"
            f"{', alpha' if picture.alpha_pixels else ''}) would take about {estimate // MiB} MiB, over the limit "
            f"of {limits.max_decoded_bytes // MiB} MiB (max_decoded_bytes)")


def heif_thumbnails_fit(fmt: str, picture: "Picture", limits: Limits) -> bool:
    """Whether decoding any of `picture`'s embedded thumbnails stays within max_pixels and max_decoded_bytes.

    Any, not one: pillow-heif's draft decodes the smallest that is big enough and tries the next if it fails.
    """
    return bool(picture.thumbnails) and all(
        thumbnail.width * thumbnail.height <= limits.max_pixels
        and heif_decoded_bytes(fmt, thumbnail) <= limits.max_decoded_bytes for thumbnail in picture.thumbnails)


def decoded_bytes(image: "Image.Image", draft_box: tuple[int, int] | None, coefficient_bytes: float) -> int:
    """The bytes decoding and the full-size steps will hold at once (see the tables above).

    `image` is opened, not loaded; a JPEG decodes at the DCT scale Pillow's draft() picks for
    `draft_box`, plus `coefficient_bytes` per pixel for libjpeg's coefficient buffer (multi-scan).
    """
    width, height = image.size
    if image.format in ("JPEG", "MPO"):
        scale = _draft_scale(image.size, draft_box)
        draft = -(-width // scale) * -(-height // scale)
        return int(draft * JPEG_DRAFT_BYTES + width * height * coefficient_bytes)
    if image.format == "WEBP":
        return width * height * WEBP_BYTES
    if image.format in DECODER_BYTES:
        table = DECODER_BYTES[image.format]
        return width * height * table.get(image.mode, max(table.values()))
    per_pixel = FULL_SIZE_BYTES.get(image.mode, UNKNOWN_MODE_BYTES)
    if "transparency" in image.info:  # a colour key (tRNS, GIF) becomes an alpha band at full size
        per_pixel = max(per_pixel, KEYED_BYTES)
    return width * height * per_pixel


def _draft_scale(size: tuple[int, int], box: tuple[int, int] | None) -> int:
    """The divisor JpegImageFile.draft() picks: the largest of 8, 4, 2, 1 not above the ratio."""
    ratio = min(size[0] // box[0], size[1] // box[1]) if box else 1
    return next((scale for scale in (8, 4, 2) if ratio >= scale), 1)


def check_decoded_bytes(image: "Image.Image", estimate: int, limits: Limits) -> None:
    """Refuse an image whose decoding would hold more than max_decoded_bytes. Raises ImageTooLargeError."""
    if estimate > limits.max_decoded_bytes:
        raise ImageTooLargeError(
            f"decoding this {image.size[0]}x{image.size[1]} {image.format} ({image.mode}) would take about "
            f"{estimate // MiB} MiB, over the limit of {limits.max_decoded_bytes // MiB} MiB (max_decoded_bytes)")


def usable_icc_profile(profile: bytes | None, limits: Limits) -> bytes | None:
    """The embedded profile, or None (treat as sRGB) when it is larger than max_icc_bytes."""
    return profile if profile and len(profile) <= limits.max_icc_bytes else None
