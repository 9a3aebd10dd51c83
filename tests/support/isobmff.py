"""A small ISO-BMFF (HEIF/AVIF) writer: items, properties, references, laid out as libheif reads them.

The coded pictures come from real encodes (pillow-heif for HEVC, Pillow for AV1): `coded_item`
takes the primary item of such a file (its data, `hvcC`/`av1C`, `pixi`, `auxC`), and `write` builds a
file of any item graph around them: grids, overlays, alpha planes, crops, sizes that lie.
"""

import struct
from dataclasses import dataclass, field

from tests.support import images

HEIC_BRANDS = (b"heic", b"mif1", b"heic", b"miaf")
AVIF_BRANDS = (b"avif", b"mif1", b"avif", b"miaf")


def box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I", 8 + len(body)) + kind + body


def full_box(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return box(kind, struct.pack(">I", (version << 24) | flags), *parts)


def ispe(width: int, height: int) -> bytes:
    return full_box(b"ispe", 0, 0, struct.pack(">II", width, height))


def pixi(*depths: int) -> bytes:
    return full_box(b"pixi", 0, 0, bytes([len(depths), *depths]))


def clap(width: int, height: int) -> bytes:
    """A centred crop to width x height (clean aperture)."""
    return box(b"clap", struct.pack(">IIIIiIiI", width, 1, height, 1, 0, 1, 0, 1))


def alpha_urn(fmt: str) -> bytes:
    urn = b"urn:mpeg:hevc:2015:auxid:1" if fmt == "HEIF" else b"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha"
    return full_box(b"auxC", 0, 0, urn + b"\x00")


def grid_descriptor(rows: int, columns: int, width: int, height: int) -> bytes:
    wide = max(width, height) > 0xFFFF
    return bytes([0, int(wide), rows - 1, columns - 1]) + struct.pack(">II" if wide else ">HH", width, height)


def overlay_descriptor(width: int, height: int, offsets: list[tuple[int, int]]) -> bytes:
    wide = max(width, height) > 0xFFFF
    pack = ">II" if wide else ">HH"
    body = bytes([0, int(wide)]) + struct.pack(">HHHH", 0, 0, 0, 0xFFFF) + struct.pack(pack, width, height)
    return body + b"".join(struct.pack(">ii" if wide else ">hh", *offset) for offset in offsets)


@dataclass
class Item:
    """One item: its type, its bytes (or an extent shared with another item), properties and references."""

    type: bytes
    data: bytes = b""
    properties: list[bytes] = field(default_factory=list)
    references: dict[bytes, list[int]] = field(default_factory=dict)
    in_idat: bool = False
    same_data_as: int | None = None  # share another item's extent (one coded tile behind many cells)
    hidden: bool = False  # not an image of its own (a grid's tiles): flag 1 of its infe
    repeat: int = 1  # how many times iloc lists the item's one extent (overlapping extents)


def coded_item(fmt: str, data: bytes, item: int = 1) -> Item:
    """The coded item `item` of a real HEIC/AVIF encode, with its codec properties (all but ispe)."""
    from thumbrouter.imagecore import isobmff

    container = isobmff.read(data)
    properties = [box(kind, body) for index in container.associations[item]
                  for kind, body in [container.properties[index - 1]] if kind != b"ispe"]
    return Item(container.items[item], container.item_bytes(data, item, 1 << 30), properties)


def encoded_item(fmt: str, image, **options) -> Item:
    """The primary coded item of `image` encoded as HEIC ("HEIF") or AVIF."""
    writer = images.heic_bytes if fmt == "HEIF" else images.avif_bytes
    return coded_item(fmt, writer(image, **options))


def write(fmt: str, items: dict[int, Item], primary: int = 1, extra: bytes = b"") -> bytes:
    """A HEIF ("HEIF") or AVIF file of `items`; `extra` boxes (a `moov`) follow the meta box."""
    ftyp = box(b"ftyp", b"".join(HEIC_BRANDS if fmt == "HEIF" else AVIF_BRANDS)[:4], b"\x00\x00\x00\x00",
               b"".join(HEIC_BRANDS if fmt == "HEIF" else AVIF_BRANDS)[4:])
    meta = _meta(items, primary, 0)
    mdat_start = len(ftyp) + len(meta) + len(extra) + 8
    return ftyp + _meta(items, primary, mdat_start) + extra + box(b"mdat", *_mdat_parts(items))


def _mdat_parts(items: dict[int, Item]) -> list[bytes]:
    return [item.data for item in items.values() if not item.in_idat and item.same_data_as is None]


def _meta(items: dict[int, Item], primary: int, mdat_start: int) -> bytes:
    properties, associations = [], []
    for item_id, item in items.items():
        indices = []
        for prop in item.properties:
            if prop not in properties:
                properties.append(prop)
            indices.append(properties.index(prop) + 1)
        associations.append(struct.pack(">HB", item_id, len(indices)) + b"".join(
            struct.pack(">H", 0x8000 | index) for index in indices))
    references = [box(kind, struct.pack(">HH", item_id, len(targets)), *(struct.pack(">H", t) for t in targets))
                  for item_id, item in items.items() for kind, targets in item.references.items()]
    infe = [full_box(b"infe", 2, int(item.hidden), struct.pack(">HH", item_id, 0), item.type, b"\x00")
            for item_id, item in items.items()]
    return full_box(
        b"meta", 0, 0,
        full_box(b"hdlr", 0, 0, b"\x00" * 4, b"pict", b"\x00" * 13),
        full_box(b"pitm", 0, 0, struct.pack(">H", primary)),
        full_box(b"iinf", 0, 0, struct.pack(">H", len(items)), *infe),
        full_box(b"iref", 0, 0, *references) if references else b"",
        box(b"iprp", box(b"ipco", *properties),
            full_box(b"ipma", 0, 1, struct.pack(">I", len(items)), *associations)),
        _idat(items),
        _iloc(items, mdat_start))


def _idat(items: dict[int, Item]) -> bytes:
    inline = [item.data for item in items.values() if item.in_idat]
    return box(b"idat", *inline) if inline else b""


def _iloc(items: dict[int, Item], mdat_start: int) -> bytes:
    entries, file_offset, idat_offset, offsets = [], mdat_start, 0, {}
    for item_id, item in items.items():
        if item.same_data_as is not None:
            start = offsets[item.same_data_as]
        elif item.in_idat:
            start, idat_offset = idat_offset, idat_offset + len(item.data)
        else:
            start, file_offset = file_offset, file_offset + len(item.data)
        offsets[item_id] = start
        length = len(items[item.same_data_as].data) if item.same_data_as is not None else len(item.data)
        method = 1 if item.in_idat else 0
        extents = struct.pack(">II", start, length) * item.repeat
        entries.append(struct.pack(">HHHH", item_id, method, 0, item.repeat) + extents)
    return full_box(b"iloc", 1, 0, bytes([0x44, 0x00]), struct.pack(">H", len(items)), *entries)


def sample_table(samples: int, table: bytes = b"stsz", entries: int | None = None) -> bytes:
    """A `moov` with one track whose `stsz` declares `samples` one-byte samples (headers only), and with
    `table` (stco, stsc, stts...) a table of `entries` zeroed entries after it."""
    boxes = [full_box(b"stsz", 0, 0, struct.pack(">II", 1, samples))]
    if table != b"stsz":
        width = {b"stsc": 12, b"stts": 8, b"ctts": 8, b"co64": 8}.get(table, 4)
        boxes.append(full_box(table, 0, 0, struct.pack(">I", entries or 0), bytes(width * (entries or 0))))
    return box(b"moov", box(b"trak", box(b"mdia", box(b"minf", box(b"stbl", *boxes)))))
