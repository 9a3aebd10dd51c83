"""PNG pixel data inflated by ISA-L, unfiltered and unpacked by Pillow's own PNG decoder.

Pillow's PNG decoder inflates with zlib and then undoes the row filters. Measured on the mate
PNGs, ISA-L's inflate (the `isal` binding, already shipped for `png.py`) is 2-5x faster than
zlib's, and inflate is a third to a half of the decode. So ISA-L inflates the IDAT stream here,
a slice at a time, and each slice is handed to Pillow's decoder wrapped in *stored* deflate blocks
(no compression: inflating them is a copy). Pillow then unfilters and unpacks exactly as it always
does, so the pixels are Pillow's, byte for byte.

Only a clean decode is done here: on anything unexpected (a corrupt stream, data that ends early,
an APNG) `load` returns False before the image is touched or after it is only partly written, and
the caller decodes the original bytes the ordinary way, which decides what is wrong.
"""

import struct
from types import ModuleType

from PIL import Image, ImageFile

isal_zlib: ModuleType | None
try:
    from isal import isal_zlib
except ImportError:  # optional speed-up only: Pillow's own decoder does the same work
    isal_zlib = None

SLICE = 1 << 18  # inflated bytes per step: bounded memory, and the slice stays in cache for the unfilter
_STORED_MAX = 0xFFFF
_ZLIB_HEADER = b"\x78\x01"  # deflate, 32 KiB window, no dictionary; (0x7801 % 31 == 0)
# What Pillow's PNG reader raises on damaged or missing data (SyntaxError: a broken chunk).
_BAD_DATA = (EOFError, struct.error, OSError, ValueError, SyntaxError)


def can_load(image: ImageFile.ImageFile) -> bool:
    """A still PNG whose pixels are one zlib stream, and ISA-L to inflate it."""
    return (
        isal_zlib is not None
        and image.format == "PNG"
        and not getattr(image, "is_animated", False)
        and len(image.tile) == 1
        and image.tile[0].codec_name == "zip"
    )


def load(image: ImageFile.ImageFile) -> bool:
    """Decode `image` in place. True when every row decoded; False: decode the bytes another way."""
    assert isal_zlib is not None and image.fp is not None
    tile = image.tile[0]
    image.load_prepare()
    image.fp.seek(tile.offset)
    decoder = Image._getdecoder(image.mode, tile.codec_name, tile.args, image.decoderconfig)
    try:
        decoder.setimage(image.im, tile.extents)
        if not _feed(isal_zlib, decoder, image.load_read):  # type: ignore[attr-defined]  # PngImageFile's
            return False
    finally:
        decoder.cleanup()
    image.tile = []
    try:
        image.load_end()  # chunks after the pixels (text, eXIf)
    except _BAD_DATA:  # the ordinary decoder judges them
        return False
    image.fp = None
    Image.Image.load(image)
    return True


def _feed(inflate: ModuleType, decoder, read) -> bool:
    inflater = inflate.decompressobj()
    stream = _ZLIB_HEADER
    try:
        while compressed := read(ImageFile.SAFEBLOCK):
            while compressed:
                rows = inflater.decompress(compressed, SLICE)
                compressed = inflater.unconsumed_tail
                stream += _stored(rows)
                consumed, code = decoder.decode(stream)
                if consumed < 0:
                    return code >= 0  # finished; Pillow's codec errors are negative
                stream = stream[consumed:]
            if inflater.eof:
                return False  # the zlib stream ended before the last row
    except (inflate.error, *_BAD_DATA):
        pass  # corrupt or cut short: the caller's decoder says which
    return False


def _stored(data: bytes) -> bytes:
    """`data` as non-final stored deflate blocks (each at most 65535 bytes)."""
    view = memoryview(data)
    parts: list[bytes | memoryview] = []
    for start in range(0, len(data), _STORED_MAX):
        block = view[start:start + _STORED_MAX]
        parts.append(struct.pack("<BHH", 0, len(block), len(block) ^ 0xFFFF))
        parts.append(block)
    return b"".join(parts)
