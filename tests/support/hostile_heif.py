"""Hostile HEIC and AVIF files: item graphs that make libheif/libavif build far more than `ispe` says.

Built with tests/support/isobmff.py around real coded pictures (pillow-heif's x265, Pillow's libavif),
so every file here is one a decoder would really work through. Big honest pictures are grids of one
coded tile shared by every cell (the data is stored once): a few KB decode to tens of megapixels.
"""

import io
from functools import lru_cache

from PIL import Image

from tests.support import heic_thumbnails, images
from tests.support import isobmff as bmff

TILE = 512


@lru_cache(maxsize=16)
def _tile(fmt: str, side: int = TILE, alpha: bool = False) -> bmff.Item:
    picture = images.gradient((side, side))
    if alpha:
        picture = images.half_transparent((side, side))
    data = (images.heic_bytes if fmt == "HEIF" else images.avif_bytes)(picture, quality=50)
    return bmff.coded_item(fmt, data, 2 if alpha else 1)


def _coded(tile: bmff.Item, size: tuple[int, int], same_as: int | None = None, extra=(),
           hidden: bool = False) -> bmff.Item:
    data = b"" if same_as else tile.data
    return bmff.Item(tile.type, data, [bmff.ispe(*size), *tile.properties, *extra], same_data_as=same_as,
                     hidden=hidden)


def _grid_items(tile: bmff.Item, side: int, rows: int, columns: int, output: tuple[int, int],
                declared: tuple[int, int], first: int = 1, extra=(), one_tile: bool = False) -> dict[int, bmff.Item]:
    """A grid item `first` of rows x columns cells, each its own item sharing one coded tile's data."""
    cells = [first + 1] * (rows * columns) if one_tile else list(range(first + 1, first + 1 + rows * columns))
    items = {first: bmff.Item(b"grid", bmff.grid_descriptor(rows, columns, *output),
                              [bmff.ispe(*declared), *extra], {b"dimg": cells}, in_idat=True)}
    for index, cell in enumerate(dict.fromkeys(cells)):
        items[cell] = _coded(tile, (side, side), None if index == 0 else first + 1, hidden=True)
    return items


def overlay_canvas(fmt="HEIF", canvas=(32768, 32768), declared=(64, 64)) -> bytes:
    """An overlay (iovl) primary whose canvas is `canvas` while its ispe says `declared`; one 64x64 layer."""
    items = {1: bmff.Item(b"iovl", bmff.overlay_descriptor(*canvas, [(0, 0)]), [bmff.ispe(*declared)],
                          {b"dimg": [2]}, in_idat=True),
             2: _coded(_tile(fmt, 64), (64, 64), hidden=True)}
    return bmff.write(fmt, items)


def grid_output(fmt="AVIF", cells=32, declared=(64, 64)) -> bytes:
    """A grid of cells x cells tiles of 512x512 (output 512 x cells square) whose ispe says `declared`."""
    side = TILE * cells
    return bmff.write(fmt, _grid_items(_tile(fmt), TILE, cells, cells, (side, side), declared))


def honest_grid(fmt="HEIF", rows=12, columns=12, tile: bmff.Item | None = None, extra=()) -> bytes:
    """A grid of rows x columns 512x512 tiles, declared as what it is."""
    size = (TILE * columns, TILE * rows)
    return bmff.write(fmt, _grid_items(tile or _tile(fmt), TILE, rows, columns, size, size, extra=extra))


def many_cells(fmt="AVIF", rows=255, columns=256, side=16) -> bytes:
    """A grid of rows x columns cells all pointing at one tiny tile: honest size, a decode per cell."""
    size = (side * columns, side * rows)
    return bmff.write(fmt, _grid_items(_tile(fmt, 64), side, rows, columns, size, size, one_tile=True))


def repeated_tile(fmt="AVIF", rows=2, columns=2) -> bytes:
    """A grid whose cells all name the same tile item (libavif's opener raises RuntimeError)."""
    size = (256 * columns, 256 * rows)
    return bmff.write(fmt, _grid_items(_tile(fmt, 256), 256, rows, columns, size, size, one_tile=True))


def coded_larger(fmt="AVIF", coded=16384, declared=(64, 64)) -> bytes:
    """A single coded picture whose bitstream says coded x coded while ispe says `declared`."""
    tile = _tile(fmt, 64)
    if fmt == "AVIF":
        tile = bmff.Item(tile.type, av1_with_size(tile.data, coded, coded), tile.properties)
    else:
        tile = _tile(fmt, coded)
    return bmff.write(fmt, {1: _coded(tile, declared)})


def cropped(fmt="HEIF", cells=16, crop=(64, 64)) -> bytes:
    """A grid of cells x cells 512x512 tiles (8192x8192 at 16) shown through a `crop` clean aperture."""
    return honest_grid(fmt, cells, cells, extra=(bmff.clap(*crop),))


def big_alpha(fmt="HEIF", cells=16, side=64, shown_as: bytes | None = None, urn: bytes | None = None) -> bytes:
    """A side x side picture whose alpha (auxl) is a grid of cells x cells 512x512 tiles (8192x8192 at 16).

    `shown_as` b"iden" or b"iovl": the primary is then that derived item showing the picture (its source
    or its one layer), and the alpha belongs to the picture, not to the primary. `urn`: the auxC type
    naming the plane alpha (the format's usual one by default)."""
    alpha_tile = _tile(fmt, TILE, alpha=True)
    alpha_side = TILE * cells
    picture = 2 if shown_as else 1
    items = {picture: _coded(_tile(fmt, side), (side, side), hidden=bool(shown_as))}
    if shown_as:
        descriptor = b"" if shown_as == b"iden" else bmff.overlay_descriptor(side, side, [(0, 0)])
        items[1] = bmff.Item(shown_as, descriptor, [bmff.ispe(side, side)], {b"dimg": [2]}, in_idat=bool(descriptor))
    alpha = _grid_items(alpha_tile, TILE, cells, cells, (alpha_side, alpha_side), (alpha_side, alpha_side),
                        first=3, extra=(bmff.full_box(b"auxC", 0, 0, urn + b"\x00") if urn else bmff.alpha_urn(fmt),))
    alpha[3].references[b"auxl"] = [picture]
    return bmff.write(fmt, items | alpha)


def deep_colour_grid(rows=12, columns=12, chroma=444, depth=10) -> bytes:
    """An honest HEIC grid of 512x512 tiles coded with `depth`-bit samples and `chroma` (37.7 MP at 12x12)."""
    return honest_grid("HEIF", rows, columns, deep_colour_tile(chroma, depth))


def deep_colour_single(side=3000, chroma=444, depth=10) -> bytes:
    """An honest side x side HEIC, one coded picture of `depth`-bit samples and `chroma`."""
    if depth == 8:
        return images.heic_bytes(images.gradient((side, side)), quality=50, chroma=chroma)
    return bmff.write("HEIF", {1: _coded(deep_colour_tile(chroma, depth, side), (side, side))})


@lru_cache(maxsize=4)
def deep_colour_tile(chroma=444, depth=10, side=TILE) -> bmff.Item:
    """A side x side picture coded at `depth` bits and `chroma` by pillow-heif (x265)."""
    import pillow_heif

    picture = images.gradient((side, side))
    wide = bytes(b for value in picture.tobytes() for b in (value << 8 | value).to_bytes(2, "little"))
    heif = pillow_heif.from_bytes(mode="RGB;16", size=(side, side), data=wide)
    buffer = io.BytesIO()
    pillow_heif.options.SAVE_HDR_TO_12_BIT = depth == 12
    try:
        heif.save(buffer, format="HEIF", quality=50, chroma=chroma)
    finally:
        pillow_heif.options.SAVE_HDR_TO_12_BIT = False
    return bmff.coded_item("HEIF", buffer.getvalue())


def sequence(frames=3, size=(48, 32)) -> bytes:
    """An ordinary AVIF sequence (Pillow writes the first frame as the primary item too)."""
    pictures = [Image.new("RGB", size, (i * 20 % 256, 0, 0)) for i in range(frames)]
    return images.encode(pictures[0], "AVIF", save_all=True, append_images=pictures[1:], speed=10)


def declared_sequence(samples=2_592_000, table=b"stsz", entries=None) -> bytes:
    """An AVIF sequence (brand avis) whose track's stsz declares `samples` one-byte samples, and with `table`
    (stco, stsc, stts...) of `entries` entries: libavif reads every table whole on open."""
    tile = _tile("AVIF", 64)
    data = bmff.write("AVIF", {1: _coded(tile, (64, 64))}, extra=bmff.sample_table(samples, table, entries))
    return data[:8] + b"avis" + data[12:]


def av1_with_size(stream: bytes, width: int, height: int) -> bytes:
    """The same AV1 item with its sequence header's max_frame_width/height rewritten (16 bits each)."""
    from thumbrouter.imagecore import bitstreams

    position, out = 0, b""
    while position < len(stream):
        header_length = 1 + ((stream[position] >> 2) & 1)  # Pillow's libavif writes every OBU with its size
        length, start = bitstreams._leb128(stream, position + header_length)
        payload = stream[start:start + length]
        if (stream[position] >> 3) & 15 == 1:
            payload = _resized_sequence_header(payload, width, height)
        out += stream[position:position + header_length] + _leb(len(payload)) + payload
        position = start + length
    return out


def _resized_sequence_header(payload: bytes, width: int, height: int) -> bytes:
    from thumbrouter.imagecore import bitstreams

    bits = "".join(f"{byte:08b}" for byte in payload).rstrip("0")[:-1]  # drop trailing_bits
    reader = bitstreams._Bits(payload)
    reader.bits(3)
    reader.bit()
    reduced = reader.bit()
    if reduced:
        reader.bits(5)
    else:
        bitstreams._skip_operating_points(reader)
    at = reader.position
    width_bits, height_bits = int(bits[at:at + 4], 2) + 1, int(bits[at + 4:at + 8], 2) + 1
    rest = bits[at + 8 + width_bits + height_bits:]
    bits = bits[:at] + "1111" + "1111" + f"{width - 1:016b}" + f"{height - 1:016b}" + rest + "1"
    bits += "0" * (-len(bits) % 8)
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))


def _leb(value: int) -> bytes:
    out = b""
    while True:
        byte, value = value & 0x7F, value >> 7
        out += bytes([byte | (0x80 if value else 0)])
        if not value:
            return out


def keyed_png(colour_type=0, size=(8944, 8944), bit_depth=8) -> bytes:
    """A PNG of zeros with a tRNS colour key (grey, RGB) or palette alpha: converted to RGBA at full size."""
    from tests.support.hostile import png_of_zeros
    from tests.support.images import png_chunk

    key = {0: b"\x00\x00", 2: b"\x00\x00" * 3, 3: b"\x00"}[colour_type]
    data = png_of_zeros(size, bit_depth, colour_type)
    at = data.index(b"IDAT") - 4  # after PLTE, as PNG requires
    return data[:at] + png_chunk(b"tRNS", key) + data[at:]


def keyed_gif(screen=(8944, 8944)) -> bytes:
    """A GIF whose one frame covers `screen` with a transparent colour index (Pillow gives RGBA)."""
    picture = Image.new("P", (64, 64), 0)
    picture.putpalette([0, 0, 0, 255, 255, 255])
    data = bytearray(images.encode(picture, "GIF", transparency=0))
    data[6:10] = screen[0].to_bytes(2, "little") + screen[1].to_bytes(2, "little")
    return bytes(data)


MAX_PIXEL_SIDE = 8944  # 8944^2 = 79.99 M pixels: just under the default pixel limit

# The HEIF/AVIF, colour-key and deep-colour rows of the hostile corpus (hostile.CASES includes them).
CASES = {
    "heic-iovl-32768x32768-canvas-ispe-64": lambda: overlay_canvas("HEIF"),
    "avif-grid-32x32-tiles-of-512-ispe-64": lambda: grid_output("AVIF", 32),
    "avif-grid-16x16-tiles-of-512-ispe-64": lambda: grid_output("AVIF", 16),
    "avif-av1-16384x16384-ispe-64": lambda: coded_larger("AVIF", 16384),
    "avif-grid-65280-cells-one-tile": lambda: many_cells("AVIF"),
    "avif-grid-cells-repeat-one-tile": lambda: repeated_tile("AVIF"),
    "avif-sequence-2592000-samples": lambda: declared_sequence(2_592_000),
    "png-grey-trns-8944x8944": lambda: keyed_png(0, (MAX_PIXEL_SIDE,) * 2),
    "png-1bit-trns-8944x8944": lambda: keyed_png(0, (MAX_PIXEL_SIDE,) * 2, 1),
    "png-palette-trns-8944x8944": lambda: keyed_png(3, (MAX_PIXEL_SIDE,) * 2),
    "png-rgb-trns-8944x8944": lambda: keyed_png(2, (MAX_PIXEL_SIDE,) * 2),
    "gif-transparency-8944x8944": lambda: keyed_gif((MAX_PIXEL_SIDE,) * 2),
    "png-grey-trns-5000x5000": lambda: keyed_png(0, (5000, 5000)),
    "heic-10bit-444-37mp-grid": lambda: deep_colour_grid(12, 12, 444, 10),
    "heic-10bit-444-16mp-grid": lambda: deep_colour_grid(8, 8, 444, 10),
    "heic-8bit-420-3000x3000": lambda: deep_colour_single(3000, 420, 8),
    "heic-8bit-444-3000x3000": lambda: deep_colour_single(3000, 444, 8),
    "heic-10bit-420-3000x3000": lambda: deep_colour_single(3000, 420, 10),
    "heic-10bit-444-3000x3000": lambda: deep_colour_single(3000, 444, 10),
    "heic-8192x8192-grid-clap-64": lambda: cropped("HEIF", 16),
    "heic-64px-alpha-8192x8192": lambda: big_alpha("HEIF", 16),
    "heic-900-exif-items-one-10mb-extent": lambda: repeated_metadata("HEIF"),
    "heic-40mb-extent-listed-32-times": lambda: repeated_extent("HEIF"),
    "avif-sequence-3-samples-12m-chunk-offsets": lambda: declared_sequence(3, b"stco", 12_000_000),
    "heic-grid-900-tiles-hvcc-65535-parameter-sets": lambda: padded_parameter_sets(),
    "heic-iden-of-64px-with-8192x8192-alpha": lambda: big_alpha("HEIF", 16, shown_as=b"iden"),
    "avif-grid-900-tiles-av1c-100000-padding-obus": lambda: padded_av1_config(),
    "heic-iovl-of-64-grids-sharing-900-tiles": lambda: overlay_of_grids("HEIF"),
    "heic-48mp-grid-thumbnail-320x240": lambda: heic_thumbnails.grid_with_thumbnail(),
    "heic-48mp-grid-thumbnail-ispe-30000x22500": lambda: heic_thumbnails.grid_with_thumbnail(
        declared=(30000, 22500)),
    "heic-48mp-grid-thumbnail-2880x2160-ispe-320x240": lambda: heic_thumbnails.grid_with_thumbnail(
        thumbnail=(2880, 2160), declared=(320, 240)),
}


def repeated_metadata(fmt="HEIF", items=900, size=10 * 2**20, kind=b"Exif") -> bytes:
    """A 64x64 picture described (cdsc) by `items` metadata items that all name one `size`-byte extent."""
    blob = b"\x00\x00\x00\x06Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + bytes(size)
    graph = {1: _coded(_tile(fmt, 64), (64, 64))}
    for index in range(items):
        graph[2 + index] = bmff.Item(kind, b"" if index else blob, references={b"cdsc": [1]},
                                     same_data_as=2 if index else None)
    return bmff.write(fmt, graph)


def repeated_extent(fmt="HEIF", repeat=32, padding=40 * 2**20) -> bytes:
    """A 64x64 picture whose item data is its coded bytes and `padding` zeros, listed `repeat` times by iloc."""
    tile = _tile(fmt, 64)
    item = _coded(bmff.Item(tile.type, tile.data + bytes(padding), tile.properties), (64, 64))
    item.repeat = repeat
    return bmff.write(fmt, {1: item})


def with_parameter_sets(hvcc: bytes, count: int) -> bytes:
    """The same hvcC body with an array of `count` empty VPS NAL units before its own arrays."""
    junk = bytes([0x20]) + count.to_bytes(2, "big") + b"\x00\x00" * count
    return hvcc[:22] + bytes([hvcc[22] + 1]) + junk + hvcc[23:]


def padded_parameter_sets(rows=30, columns=30, count=65_535) -> bytes:
    """A grid of 64x64 HEVC tiles sharing one hvcC padded with `count` parameter sets before its SPS."""
    tile = _tile("HEIF", 64)
    properties = [bmff.box(b"hvcC", with_parameter_sets(p[8:], count)) if p[4:8] == b"hvcC" else p
                  for p in tile.properties]
    size = (64 * columns, 64 * rows)
    return bmff.write("HEIF", _grid_items(bmff.Item(tile.type, tile.data, properties), 64, rows, columns, size, size))


def padded_av1_config(rows=30, columns=30, count=100_000) -> bytes:
    """A grid of 64x64 AV1 tiles sharing one av1C whose configOBUs are `count` empty padding OBUs."""
    tile = _tile("AVIF", 64)
    properties = [bmff.box(b"av1C", p[8:12] + b"\x7a\x00" * count) if p[4:8] == b"av1C" else p
                  for p in tile.properties]
    size = (64 * columns, 64 * rows)
    return bmff.write("AVIF", _grid_items(bmff.Item(tile.type, tile.data, properties), 64, rows, columns, size, size))


def overlay_of_grids(fmt="HEIF", grids=64, rows=30, columns=30) -> bytes:
    """An overlay of `grids` grid layers that all name the same rows x columns 64x64 tile items.

    Few items (libheif's limit is 1,000), while every layer is a grid of its own: the decoders (and a
    walker measuring each layer) work through grids x rows x columns cells."""
    size = (64 * columns, 64 * rows)
    tiles = _grid_items(_tile(fmt, 64), 64, rows, columns, size, size, first=grids + 1)
    cells = tiles.pop(grids + 1).references[b"dimg"]
    items = {1: bmff.Item(b"iovl", bmff.overlay_descriptor(*size, [(0, 0)] * grids), [bmff.ispe(*size)],
                          {b"dimg": list(range(2, grids + 2))}, in_idat=True)}
    for layer in range(2, grids + 2):
        items[layer] = bmff.Item(b"grid", bmff.grid_descriptor(rows, columns, *size), [bmff.ispe(*size)],
                                 {b"dimg": cells}, in_idat=True, hidden=True)
    return bmff.write(fmt, items | tiles)
