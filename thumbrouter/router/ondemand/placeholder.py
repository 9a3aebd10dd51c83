"""A small placeholder image answered with 404 (source missing) and 422 (image cannot be thumbnailed).

Written once per process with the stdlib (zlib) and kept as bytes, so error answers cost no image work and
the router needs no image stack for them (its Lambda zip has none: /thumb generates in the on-demand function).
"""

import functools
import struct
import zlib

CONTENT_TYPE = "image/png"
EDGE = 50
BACKGROUND, FRAME, CROSS = 230, 170, 190


def _grey(x: int, y: int) -> int:
    """A light-grey square with a darker frame and both diagonals (a "no picture" mark)."""
    if x == y or x + y == EDGE - 1:
        return CROSS
    return FRAME if x in (0, EDGE - 1) or y in (0, EDGE - 1) else BACKGROUND


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def placeholder_png() -> bytes:
    """The EDGE x EDGE 8-bit greyscale PNG; never raises."""
    rows = b"".join(b"\0" + bytes(_grey(x, y) for x in range(EDGE)) for y in range(EDGE))  # filter 0 per row
    header = struct.pack(">IIBBBBB", EDGE, EDGE, 8, 0, 0, 0, 0)  # 8-bit, greyscale, deflate, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9))
            + _chunk(b"IEND", b""))
