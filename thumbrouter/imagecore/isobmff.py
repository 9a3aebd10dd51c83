"""Read the item table of a HEIF/AVIF file (ISO-BMFF `meta`) and an AVIF sequence's sample counts, bounded.

Headers only: the boxes that say which items exist, what references what (`dimg` tiles, `auxl`
alpha), each item's properties (`ispe`, `pixi`, `hvcC`, `av1C`, `clap`...) and where each item's
bytes are (`iloc`, `idat`). The walk counts every box and limits nesting, so a file of millions
of tiny boxes costs this reader boxes.MAX_BOXES steps, not millions. Malformed structure raises
DecodeError: libheif and libavif would refuse the same file, later and at greater cost.
"""

import struct
from dataclasses import dataclass, field

from .boxes import Walker, guard, uint
from .errors import DecodeError, ImageTooLargeError

MAX_ITEMS = 1000  # libheif's security limit (heif_security_limits.max_items)
# A reference box lists up to 65,535 items; a 50 MB file could hold 25 M of them. A grid of the most
# cells libavif allows (256x256) has 65,536: every reference beyond that is for the walker alone.
MAX_REFERENCES = 65_536
MAX_ASSOCIATIONS = 32  # an image item has 4-9 (hvcC/av1C, ispe, colr, pixi, irot, imir, clap, auxC...)
MAX_EXTENTS = 32  # libheif's max_iloc_extents_per_item
MAX_ITEM_BYTES = 64 * 1024  # a grid or overlay descriptor is a few bytes; a coded header a few hundred
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"iprp", b"ipco", b"dinf"}
# Sample tables libavif reads whole on open (an entry per chunk, run or sync sample: never more than samples)
_TABLES = {b"stco", b"co64", b"stsc", b"stts", b"stss", b"ctts"}


@dataclass
class Container:
    """What the `meta` box (and `moov`, for a sequence) declares."""

    primary: int = 0
    items: dict[int, bytes] = field(default_factory=dict)  # item id -> item type (b"hvc1", b"grid"...)
    properties: list[tuple[bytes, bytes]] = field(default_factory=list)  # (kind, body), 1-based in ipma
    associations: dict[int, list[int]] = field(default_factory=dict)  # item id -> property indices
    references: list[tuple[bytes, int, list[int]]] = field(default_factory=list)  # (kind, from, to)
    locations: dict[int, tuple[int, list[tuple[int, int]]]] = field(default_factory=dict)  # id -> (method, extents)
    idat: bytes = b""
    sample_counts: list[int] = field(default_factory=list)  # stsz of every track
    table_entries: list[int] = field(default_factory=list)  # entry counts of the other sample tables
    tracks: list[tuple[int, int, bytes | None]] = field(default_factory=list)  # sample entry: width, height, av1C

    def property(self, item: int, kind: bytes) -> bytes | None:
        """The body of `item`'s first associated property of this kind, or None."""
        for index in self.associations.get(item, ()):
            if 0 < index <= len(self.properties) and self.properties[index - 1][0] == kind:
                return self.properties[index - 1][1]
        return None

    def referenced(self, kind: bytes, source: int) -> list[int]:
        """The items `source` points at with references of `kind` (a grid's `dimg` tiles, in order)."""
        return [to for ref, frm, targets in self.references if ref == kind and frm == source for to in targets]

    def referring(self, kind: bytes, target: int) -> list[int]:
        """The items that point at `target` with references of `kind` (its `auxl` alpha planes)."""
        return [frm for ref, frm, targets in self.references if ref == kind and target in targets]

    def data_length(self, item: int, file_length: int) -> int:
        """The bytes a reader gathers for `item` (extents may overlap; a length of 0 runs to the end)."""
        method, extents = self.locations.get(item, (0, []))
        end = len(self.idat) if method == 1 else file_length
        return sum(length or max(0, end - offset) for offset, length in extents)

    def item_bytes(self, data: bytes, item: int, limit: int = MAX_ITEM_BYTES) -> bytes:
        """Up to `limit` bytes of an item's data (from `idat` or the file). Raises DecodeError when missing."""
        method, extents = self.locations.get(item, (0, []))
        source = self.idat if method == 1 else data
        if method not in (0, 1) or not extents:
            raise DecodeError(f"item {item} of this HEIF/AVIF has no data this reader can locate")
        out = b""
        for offset, length in extents:
            length = length or max(0, len(source) - offset)  # 0: the rest of the file (ISO/IEC 14496-12)
            if offset + length > len(source):
                raise DecodeError(f"item {item} of this HEIF/AVIF points past the end of the file")
            out += source[offset:offset + min(length, limit - len(out))]
            if len(out) >= limit:
                break
        return out


def read(data: bytes) -> Container:
    """The item table of a HEIF/AVIF file. Raises DecodeError (malformed), ImageTooLargeError (too many boxes)."""
    walker, container = Walker(data), Container()
    for kind, start, end in walker.children(0, len(data), 0):
        if kind == b"meta":
            _read_meta(walker, container, start + 4, end)
        elif kind == b"moov":
            _read_tracks(walker, container, start, end, 1)
    if not container.items and not container.tracks:
        raise DecodeError("this HEIF/AVIF has no item table (meta box) and no image track")
    return container


def _read_meta(walker: Walker, container: Container, start: int, end: int) -> None:
    data = walker.data
    for kind, body, stop in walker.children(start, end, 1):
        if kind == b"pitm":
            container.primary = uint(data, body + 4, 2 if data[body] == 0 else 4)
        elif kind == b"iinf":
            _read_iinf(walker, container, body, stop)
        elif kind == b"iref":
            _read_iref(walker, container, body, stop)
        elif kind == b"iprp":
            _read_iprp(walker, container, body, stop)
        elif kind == b"iloc":
            guard(_read_iloc, data[body:stop], container, "iloc")
        elif kind == b"idat":
            container.idat = data[body:stop]


def _read_iinf(walker: Walker, container: Container, start: int, end: int) -> None:
    data = walker.data
    first = start + (6 if data[start] == 0 else 8)
    for kind, body, stop in walker.children(first, end, 2):
        if kind != b"infe" or data[body] < 2:
            continue  # versions 0 and 1 carry no item type: never an image item
        id_bytes = 2 if data[body] == 2 else 4
        if body + 4 + id_bytes + 6 > stop:
            raise DecodeError("an item entry (infe) of this HEIF/AVIF is truncated")
        item = uint(data, body + 4, id_bytes)
        container.items[item] = bytes(data[body + 6 + id_bytes:body + 10 + id_bytes])
        if len(container.items) > MAX_ITEMS:
            raise ImageTooLargeError(f"this HEIF/AVIF has more than {MAX_ITEMS} items")


def _read_iref(walker: Walker, container: Container, start: int, end: int) -> None:
    data, targets = walker.data, 0
    for kind, body, stop in walker.children(start + 4, end, 2):
        source, to = _read_reference(data, body, stop, data[start])
        targets += len(to)
        if targets > MAX_REFERENCES:
            raise ImageTooLargeError(f"this HEIF/AVIF has more than {MAX_REFERENCES} item references")
        container.references.append((kind, source, to))


def _read_reference(data: bytes, start: int, end: int, version: int) -> tuple[int, list[int]]:
    width = 2 if version == 0 else 4
    if start + 2 * width + 2 > end:
        raise DecodeError("an item reference (iref) of this HEIF/AVIF is truncated")
    source, count = uint(data, start, width), uint(data, start + width, 2)
    if start + width + 2 + count * width > end:
        raise DecodeError("an item reference (iref) of this HEIF/AVIF lists more items than it holds")
    return source, list(struct.unpack_from(f">{count}{'H' if width == 2 else 'I'}", data, start + width + 2))


def _read_iprp(walker: Walker, container: Container, start: int, end: int) -> None:
    data = walker.data
    for kind, body, stop in walker.children(start, end, 2):
        if kind == b"ipco":
            container.properties += [(k, data[b:s]) for k, b, s in walker.children(body, stop, 3)]
        elif kind == b"ipma":
            guard(_read_ipma, data[body:stop], container, "ipma")


def _read_ipma(body: bytes, container: Container) -> None:
    version, flags = body[0], body[3] & 1
    count, position = struct.unpack_from(">I", body, 4)[0], 8
    if count > MAX_ITEMS:
        raise ImageTooLargeError(f"this HEIF/AVIF associates properties with more than {MAX_ITEMS} items")
    for _ in range(count):
        if position >= len(body):
            raise DecodeError("the property associations (ipma) of this HEIF/AVIF are truncated")
        item = uint(body, position, 2 if version == 0 else 4)
        position += 2 if version == 0 else 4
        associations = body[position]
        position += 1
        if associations > MAX_ASSOCIATIONS:
            raise ImageTooLargeError(f"an item of this HEIF/AVIF has more than {MAX_ASSOCIATIONS} properties")
        wide = 2 if flags else 1
        mask = 0x7FFF if flags else 0x7F
        indices = [uint(body, position + i * wide, wide) & mask for i in range(associations)]
        container.associations.setdefault(item, []).extend(indices)
        position += associations * wide


def _read_iloc(body: bytes, container: Container) -> None:
    version = body[0]
    offset_size, length_size = body[4] >> 4, body[4] & 15
    base_size, index_size = body[5] >> 4, (body[5] & 15) if version in (1, 2) else 0
    position, id_size = 6, 4 if version == 2 else 2
    count = uint(body, position, 2 if version < 2 else 4)
    position += 2 if version < 2 else 4
    if count > MAX_ITEMS:
        raise ImageTooLargeError(f"this HEIF/AVIF locates more than {MAX_ITEMS} items")
    for _ in range(count):
        item = uint(body, position, id_size)
        position += id_size
        method = body[position + 1] & 15 if version in (1, 2) else 0
        position += 2 if version in (1, 2) else 0
        position += 2  # data_reference_index
        base = uint(body, position, base_size)
        position += base_size
        extent_count = uint(body, position, 2)
        position += 2
        if extent_count > MAX_EXTENTS:
            raise ImageTooLargeError(f"an item of this HEIF/AVIF has more than {MAX_EXTENTS} extents")
        extents = []
        for _ in range(extent_count):
            position += index_size
            offset, length = uint(body, position, offset_size), uint(body, position + offset_size, length_size)
            extents.append((base + offset, length))
            position += offset_size + length_size
        container.locations[item] = (method, extents)


def _read_tracks(walker: Walker, container: Container, start: int, end: int, depth: int) -> None:
    for kind, body, stop in walker.children(start, end, depth):
        if kind in (b"stsz", b"stz2") and stop - body >= 12:
            container.sample_counts.append(uint(walker.data, body + 8, 4))
        elif kind in _TABLES and stop - body >= 8:
            container.table_entries.append(uint(walker.data, body + 4, 4))
        elif kind == b"stsd":
            _read_sample_entry(walker, container, body + 8, stop, depth + 1)
        elif kind in _CONTAINERS:
            _read_tracks(walker, container, body, stop, depth + 1)


def _read_sample_entry(walker: Walker, container: Container, start: int, end: int, depth: int) -> None:
    """The first visual sample entry of a track: its width, height and codec configuration."""
    for kind, body, stop in walker.children(start, end, depth):
        if kind != b"av01" or stop - body < 78:
            return  # only AV1 sequences are opened (Pillow's AVIF plugin); libheif opens no tracks
        width, height = uint(walker.data, body + 24, 2), uint(walker.data, body + 26, 2)
        children = walker.children(body + 78, stop, depth + 1)
        config = next((walker.data[b:s] for k, b, s in children if k == b"av1C"), None)
        container.tracks.append((width, height, config))
        return
