"""Open and decode untrusted bytes safely: every check runs before pixels are decoded.

Thread-safe by construction: nothing here writes Pillow's process-global switches
(`ImageFile.LOAD_TRUNCATED_IMAGES`, `Image.MAX_IMAGE_PIXELS`, warnings filters). Truncated data
is decoded by driving Pillow's decoder for this one image (see `_load_partial`).
"""

import io
import struct
import threading

from PIL import (
    AvifImagePlugin,
    GifImagePlugin,
    Image,
    ImageFile,
    JpegImagePlugin,
    PngImagePlugin,
    WebPImagePlugin,
)

from . import jpeg_scans, png_read
from .errors import DecodeError, EmptyImageError, ImageTooLargeError, NotAnImageError, UnsupportedFormatError
from .formats import PILLOW_FORMATS

ORIENTATION_TAG = 0x0112

# Magic numbers of image formats we recognise but refuse. Sniffed ourselves so that the
# parsers for these (EPS runs Ghostscript, FITS/PSD/PDF are large attack surfaces) never run.
_REFUSED_SIGNATURES = {
    b"%!PS": "EPS", b"\xc5\xd0\xd3\xc6": "EPS", b"SIMPLE  =": "FITS", b"8BPS": "PSD", b"%PDF": "PDF",
    b"II*\x00": "TIFF", b"MM\x00*": "TIFF", b"BM": "BMP", b"\x00\x00\x01\x00": "ICO",
    b"\x00\x00\x00\x0cjP  ": "JPEG 2000", b"\xff\x4f\xff\x51": "JPEG 2000", b"qoif": "QOI",
    b"icns": "ICNS", b"DDS ": "DDS", b"\x76\x2f\x31\x01": "OpenEXR", b"#?RADIANCE": "HDR",
}
_ALLOWED_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
_FTYP_BRANDS = (b"jxl ",)  # ISO-BMFF images we refuse
# ISO-BMFF (ftyp) brands: an AVIF brand anywhere in the box wins (an AVIF may be major brand mif1);
# otherwise HEVC-coded HEIF or the generic image brands, which only libheif opens.
AVIF_BRANDS = frozenset({b"avif", b"avis"})
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"})
_MAX_FTYP_BYTES = 256
WHOLE_IMAGE_FORMATS = ("HEIF", "AVIF")  # libheif and libavif decode a whole image or fail: nothing partial
_HEIF_LOCK = threading.Lock()
_TRUNCATION_ERRORS = (EOFError, IndexError, struct.error)
# Registering the allow-listed plugins by import keeps Image.open from importing all the others.
_PLUGINS = (AvifImagePlugin, GifImagePlugin, JpegImagePlugin, PngImagePlugin, WebPImagePlugin)


def sniff_refused_format(data: bytes) -> str | None:
    """Name the refused image format these bytes start with, or None."""
    for magic, name in _REFUSED_SIGNATURES.items():
        if data.startswith(magic):
            return name
    if data[4:8] == b"ftyp" and data[8:12] in _FTYP_BRANDS:
        return data[8:12].decode().strip().upper()
    return None


def open_image(data: bytes) -> ImageFile.ImageFile:
    """Open (header only) with the allow-listed parsers.

    Raises EmptyImageError, UnsupportedFormatError, NotAnImageError, ImageTooLargeError.
    """
    if not data:
        raise EmptyImageError("the input is empty (0 bytes)")
    formats = pillow_formats(data)
    try:
        return Image.open(io.BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # the warning if made an error
        raise ImageTooLargeError(str(exc)) from exc
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 -- Pillow's openers, libavif (RuntimeError) and pillow-heif raise anything
        refused = sniff_refused_format(data)
        if refused:
            raise UnsupportedFormatError(f"{refused} images are not supported (JPEG, PNG, WebP, GIF, HEIF, "
                                         "AVIF only)") from exc
        if _has_allowed_signature(data) or formats != PILLOW_FORMATS:
            raise DecodeError(f"the header of this image is truncated or corrupt: {exc}") from exc
        raise NotAnImageError(f"not a JPEG, PNG, WebP, GIF, HEIF or AVIF image ({len(data)} bytes)") from exc


def _has_allowed_signature(data: bytes) -> bool:
    return data.startswith(_ALLOWED_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def pillow_formats(data: bytes) -> tuple[str, ...]:
    """The Pillow openers these bytes may reach: AVIF or HEIF alone by ftyp brand, else PILLOW_FORMATS."""
    fmt = heif_format(data)
    if fmt == "HEIF":
        _register_heif()
    return (fmt,) if fmt else PILLOW_FORMATS


def heif_format(data: bytes) -> str | None:
    """The ISO-BMFF image format of these bytes by ftyp brand ("AVIF" or "HEIF", as pillow_formats picks), or None."""
    if ftyp_brands(data) & AVIF_BRANDS:
        return "AVIF"
    return "HEIF" if data[8:12] in HEIF_BRANDS else None


def ftyp_brands(data: bytes) -> frozenset[bytes]:
    """The major and compatible brands of an ISO-BMFF ftyp box at the start of `data` (empty if none)."""
    if data[4:8] != b"ftyp":
        return frozenset()
    end = min(int.from_bytes(data[:4], "big"), len(data), _MAX_FTYP_BYTES)
    return frozenset([data[8:12]] + [data[i:i + 4] for i in range(16, end - 3, 4)])


def _register_heif() -> None:
    """Register pillow-heif's HEIF opener on the first HEIF (its import costs ~50 ms of every cold start).

    Only its opener: AVIF stays with Pillow's own plugin. Depth and auxiliary images are not read;
    the embedded thumbnails are listed (their sizes) and decoded only by load_embedded_thumbnail.
    Raises UnsupportedFormatError without pillow-heif.
    """
    if "HEIF" in Image.OPEN:
        return
    with _HEIF_LOCK:
        try:
            from pillow_heif import register_heif_opener
        except ImportError as exc:
            raise UnsupportedFormatError("HEIF images need pillow-heif, which is not installed") from exc
        if "HEIF" not in Image.OPEN:
            register_heif_opener(thumbnails=True, depth_images=False, aux_images=False)


def load_embedded_thumbnail(image: ImageFile.ImageFile, size: tuple[int, int]) -> bool:
    """Decode a HEIF's smallest embedded thumbnail of at least `size` instead of its primary image.

    pillow-heif's draft takes only a scaled copy of the primary (same mode, aspect ratio, crop,
    rotation, mirroring and colour profile) and decodes it now; the image then has the thumbnail's
    size. False, nothing decoded, when there is none (or none decodes). Call it only once the
    thumbnails are known to fit the budgets (limits.heif_thumbnails_fit).
    """
    return image.format == "HEIF" and image.draft(None, size) is not None


def frame_count(image: Image.Image) -> int:
    """Declared frames of a PNG (acTL) or MPO (its index): read from headers, no walking."""
    try:
        return max(1, int(getattr(image, "n_frames", 1)))
    except (*_TRUNCATION_ERRORS, OSError, SyntaxError, ValueError, RuntimeError) as exc:
        raise DecodeError(f"cannot read the frames of this {image.format} image: {exc}") from exc


def read_orientation(image: Image.Image) -> int:
    """EXIF orientation 1-8 (1 when absent or invalid); never raises."""
    try:
        value = image.getexif().get(ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 -- Pillow's EXIF parser raises anything on bad data; EXIF is stripped anyway
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def load(data: bytes, image: ImageFile.ImageFile, draft_box: tuple[int, int] | None,
         truncated: bool = False) -> tuple[Image.Image, bool]:
    """Decode the first frame (at reduced JPEG scale when `draft_box` is given).

    Returns (image, degraded): degraded is True when the data ended early and only what
    decoded is kept. `truncated`: already known to end early (a JPEG without EOI), so it is
    decoded once, by the partial decoder, instead of failing at full cost first.
    Raises DecodeError when the pixel data is corrupt.
    """
    if truncated:
        return _load_truncated(image, draft_box), True
    slim = _eighth_scale_stream(data, image, draft_box)
    if slim is not None:
        try:
            return _load_complete(slim, draft_box), False
        except (*_TRUNCATION_ERRORS, OSError):
            pass  # the original bytes decide what is wrong
    if png_read.can_load(image):
        if png_read.load(image):
            return image, False
        image = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS)  # the ordinary decoder says what is wrong
    _apply_draft(image, draft_box)
    try:
        image.load()
        return image, False
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 -- libheif, libavif and Pillow's decoders raise anything on bad data
        if image.format in WHOLE_IMAGE_FORMATS or not _looks_truncated(exc):
            raise DecodeError(f"cannot decode this {image.format} image: {exc}") from exc
    return _load_truncated(Image.open(io.BytesIO(data), formats=PILLOW_FORMATS), draft_box), True


def _load_truncated(image: ImageFile.ImageFile, draft_box: tuple[int, int] | None) -> Image.Image:
    _apply_draft(image, draft_box)
    try:
        _load_partial(image)
    except (*_TRUNCATION_ERRORS, OSError, ValueError) as exc:
        raise DecodeError(f"cannot decode what remains of this {image.format} image: {exc}") from exc
    return image


def _eighth_scale_stream(data: bytes, image: Image.Image, draft_box) -> bytes | None:
    """For a progressive JPEG decoded at 1/8 scale: the same picture without its detail scans."""
    if image.format != "JPEG" or not draft_box:
        return None
    if min(image.size[0] // draft_box[0], image.size[1] // draft_box[1]) < 8:
        return None
    return jpeg_scans.dc_scans_only(data)


def _load_complete(data: bytes, draft_box: tuple[int, int] | None) -> Image.Image:
    image = Image.open(io.BytesIO(data), formats=("JPEG",))
    _apply_draft(image, draft_box)
    image.load()
    return image


def _apply_draft(image: Image.Image, draft_box: tuple[int, int] | None) -> None:
    """Ask libjpeg to decode at 1/2, 1/4 or 1/8 scale while staying at least `draft_box` big."""
    if draft_box and image.format in ("JPEG", "MPO"):
        image.draft(None, draft_box)


def _looks_truncated(exc: BaseException) -> bool:
    return isinstance(exc, _TRUNCATION_ERRORS) or "truncated" in str(exc)


def _load_partial(image: ImageFile.ImageFile) -> None:
    """Decode what the bytes hold, for this image only, stopping quietly where they end.

    This is ImageFile.load() with LOAD_TRUNCATED_IMAGES behaviour scoped to one image instead of
    the process. Raises DecodeError if the decoder reports corrupt data.
    """
    image.load_prepare()
    fp = image.fp
    assert fp is not None, "Image.open keeps the file open until the image is loaded"
    read = getattr(image, "load_read", fp.read)
    for tile in sorted(image.tile, key=lambda t: t.offset):
        fp.seek(tile.offset)
        decoder = Image._getdecoder(image.mode, tile.codec_name, tile.args, image.decoderconfig)
        try:
            decoder.setimage(image.im, tile.extents)
            _feed(decoder, read, image.decodermaxblock, image.format)
        finally:
            decoder.cleanup()
    image.tile = []
    try:
        image.load_end()
    except (*_TRUNCATION_ERRORS, OSError, SyntaxError):
        pass  # trailing chunks are gone with the rest of the data; the pixels we have stand
    image.fp = None
    Image.Image.load(image)


def _feed(decoder, read, block: int, fmt: str | None) -> None:
    """Push bytes into a decoder until it finishes or the data runs out."""
    buffer = b""
    ended = False
    while True:
        try:
            chunk = read(block)
        except _TRUNCATION_ERRORS:
            chunk = b""
        if not chunk:
            if ended or fmt not in ("JPEG", "MPO"):
                return
            chunk, ended = b"\xff\xd9", True  # an EOI marker lets libjpeg finish the rows it has
        buffer += chunk
        consumed, err_code = decoder.decode(buffer)
        if consumed < 0:
            if err_code < 0 and not ended:  # after our EOI, libjpeg may still report the gap
                raise DecodeError(f"corrupt {fmt} data (decoder error {err_code})")
            return
        buffer = buffer[consumed:]
