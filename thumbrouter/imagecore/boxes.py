"""ISO-BMFF boxes, walked bounded: every box counted against MAX_BOXES, nesting refused past MAX_DEPTH.

The primitives isobmff.py reads a HEIF/AVIF item table with. A file of millions of tiny boxes costs
the walk MAX_BOXES steps; a box whose size overruns its parent, or a field past a box's end, is a
DecodeError, as libheif and libavif would find it.
"""

import struct
from collections.abc import Callable, Iterator
from typing import Any

from .errors import DecodeError, ImageTooLargeError

MAX_BOXES = 4096  # a phone HEIC has ~30 boxes plus 2-3 per grid tile (192 tiles for 48 MP)
MAX_DEPTH = 8  # meta > iprp > ipco > property is the deepest an image file nests; a sequence reaches 7


class Walker:
    """Iterates boxes, counting them all against MAX_BOXES and refusing nesting past MAX_DEPTH."""

    def __init__(self, data: bytes):
        self.data, self.boxes = data, 0

    def children(self, start: int, end: int, depth: int) -> Iterator[tuple[bytes, int, int]]:
        """(kind, body start, end) of each box in data[start:end], boxes nested `depth` deep."""
        if depth > MAX_DEPTH:
            raise DecodeError(f"the boxes of this HEIF/AVIF nest deeper than {MAX_DEPTH}")
        data, position = self.data, start
        while position + 8 <= end:
            self.boxes += 1
            if self.boxes > MAX_BOXES:
                raise ImageTooLargeError(f"this HEIF/AVIF has more than {MAX_BOXES} boxes")
            size, kind = struct.unpack_from(">I4s", data, position)
            header = 8
            if size == 1 and position + 16 <= end:
                size, header = struct.unpack_from(">Q", data, position + 8)[0], 16
            elif size == 0:
                size = end - position
            if size < header or position + size > end:
                raise DecodeError(f"the {kind!r} box of this HEIF/AVIF is truncated or overruns its parent")
            yield kind, position + header, position + size
            position += size


def guard(read_box: Callable[[bytes, Any], None], body: bytes, target: Any, name: str) -> None:
    """Run read_box(body, target); an index or struct error (the box ends early) becomes DecodeError."""
    try:
        read_box(body, target)
    except (IndexError, struct.error) as exc:
        raise DecodeError(f"the {name} box of this HEIF/AVIF is truncated") from exc


def uint(data: bytes, position: int, size: int) -> int:
    """The big-endian unsigned integer of `size` bytes at `position`. Raises DecodeError past the end."""
    if position + size > len(data):
        raise DecodeError("a box of this HEIF/AVIF ends inside a field")
    return int.from_bytes(data[position:position + size], "big")
