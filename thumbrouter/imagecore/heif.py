"""What libheif and libavif will really build for a HEIF/AVIF, read from the container before they run.

The size Pillow reports is the primary item's `ispe` after `clap` (a crop); the decoders build far
more when the file lies: an overlay (`iovl`) canvas or grid output bigger than `ispe`, tiles coded
bigger than their `ispe`, thousands of grid cells each decoded on its own, an alpha plane (`auxl`)
bigger than the picture, 10/12-bit samples and full-resolution chroma, an image sequence of
millions of samples indexed on open, metadata items and extents that all name the same bytes.
`survey` walks the item table (isobmff.py, bounded) and refuses, as libheif's and libavif's security
limits do, what no camera or encoder writes; what it accepts is returned as a Picture that
limits.heif_decoded_bytes charges.

Phones also store small copies of the picture (`thmb` items: a 320x240 HEVC image on an iPhone). They
are measured by the same rules, each with its own `ispe`, `pixi` and codec header, so a small preset
can decode one instead of the primary (pipeline.py) and be charged for what that really decodes.
"""

from dataclasses import dataclass, replace

from . import bitstreams, isobmff
from .errors import DecodeError, ImageTooLargeError, TooManyFramesError, UnsupportedFormatError

# A 48 MP iPhone HEIC is a grid of 192 tiles of 512x512; a 200 MP Samsung one about 800. libavif lets
# a grid reach 256x256 cells and libheif 4096x4096; each cell is decoded on its own (~0.5 ms even
# when tiny), so the grid is bounded by what cameras write, its tiles by MIAF's minimum of 64x64.
MAX_GRID_TILES = 1024
MIN_TILE_SIDE = 64
MAX_OVERLAY_LAYERS = 64
MAX_DERIVATION_DEPTH = 2  # an overlay of grids; MIAF forbids deeper
# libheif reads every metadata item (cdsc: Exif, XMP) whole on open, and pillow-heif copies each, about
# 4 bytes held per byte read. A camera's Exif and XMP are tens of KB; items may all name one extent.
MAX_METADATA_BYTES = 8 * 1024 * 1024
MAX_THUMBNAILS = 16  # iPhones and Samsung phones write one; libheif lists all the items naming the primary
_CODED = {b"hvc1": "hvcC", b"av01": "av1C"}
_ALPHA_URNS = (b"urn:mpeg:hevc:2015:auxid:1", b"urn:mpeg:avc:2015:auxid:1",  # libheif takes all three
               b"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha")


@dataclass(frozen=True)
class Picture:
    """What decoding the primary item builds: its canvas (before any crop), alpha, samples."""

    width: int
    height: int
    depth: int = 8  # bits per sample, the most of any decoded item
    chroma: str = "420"  # "400", "420", "422" or "444"
    alpha_pixels: int = 0  # pixels of the alpha plane(s) decoded with it
    frames: int = 1
    thumbnails: tuple["Picture", ...] = ()  # what decoding each embedded thumbnail (`thmb`) builds


def survey(data: bytes, max_frames: int) -> Picture:
    """The canvas, depth and chroma the decoder builds for this HEIF/AVIF's primary item (and its thumbnails).

    Raises DecodeError (a size or structure the decoders refuse or that differs from what `ispe`
    says, an item listing more bytes than the file), ImageTooLargeError (too many grid tiles, boxes
    or items, more than MAX_METADATA_BYTES of Exif/XMP), TooManyFramesError (a sequence of more than
    max_frames samples or sample-table entries), UnsupportedFormatError (an image coded other than HEVC or AV1).
    """
    container = isobmff.read(data)
    _check_metadata(container, len(data))
    frames = _check_sequence(container, max_frames)
    if not container.items and container.tracks:
        return replace(max(_tracks(container), key=lambda picture: picture.width * picture.height), frames=frames)
    if container.primary not in container.items:
        raise DecodeError(f"the primary item {container.primary} of this HEIF/AVIF is not in its item table")
    alphas = _alphas(container, container.primary)
    cells = _cells(container, container.primary, 0) + sum(_cells(container, item, 0) for item in alphas)
    if cells > MAX_GRID_TILES:
        raise ImageTooLargeError(f"this HEIF/AVIF decodes {cells} cells, more than {MAX_GRID_TILES} (no camera "
                                 "writes more)")
    main = _picture(container, data, container.primary, alphas, _tracks(container))
    return replace(main, frames=frames, thumbnails=_thumbnails(container, data))


def _alphas(container: isobmff.Container, item: int) -> list[int]:
    """The alpha planes decoding `item` builds: those of `item` and of every picture it shows."""
    return [plane for shown in _shown(container, item, 0)
            for plane in container.referring(b"auxl", shown) if _is_alpha(container, plane)]


def _picture(container: isobmff.Container, data: bytes, item: int, alphas: list[int],
             tracks: list[Picture]) -> Picture:
    """An image item as decoded: the item (or a bigger track, which libavif decodes instead) and its alpha."""
    main = max([_measure(container, data, item, 0), *tracks], key=lambda picture: picture.width * picture.height)
    alpha = [_measure(container, data, plane, 0) for plane in alphas]
    return Picture(main.width, main.height, max([main.depth, *(a.depth for a in alpha)]), main.chroma,
                   sum(a.width * a.height for a in alpha))


def _thumbnails(container: isobmff.Container, data: bytes) -> tuple[Picture, ...]:
    """The primary's embedded thumbnails, measured; none at all when any one is unsound.

    libheif offers every item that names the primary with `thmb`, and pillow-heif's draft tries the
    next when one fails to decode: a thumbnail that is missing, the primary itself, not HEVC/AV1, a
    derivation loop or a size its bitstream contradicts leaves only the primary (charged as usual).
    """
    items = list(dict.fromkeys(container.referring(b"thmb", container.primary)))
    if not items or len(items) > MAX_THUMBNAILS or container.primary in items:
        return ()
    try:
        planes = {item: _alphas(container, item) for item in items}
        cells = sum(_cells(container, item, 0) + sum(_cells(container, plane, 0) for plane in alphas)
                    for item, alphas in planes.items())
        if cells > MAX_GRID_TILES:  # bounded like the primary's, before any is measured
            return ()
        return tuple(_picture(container, data, item, alphas, []) for item, alphas in planes.items())
    except (DecodeError, ImageTooLargeError, UnsupportedFormatError):
        return ()


def _check_sequence(container: isobmff.Container, max_frames: int) -> int:
    """The frames of an AVIF sequence, refused over max_frames, as are longer sample tables."""
    frames = max(container.sample_counts, default=1)
    if frames > max_frames:
        raise TooManyFramesError(f"this AVIF sequence has {frames} frames, over the limit of {max_frames} (max_frames)")
    entries = max(container.table_entries, default=0)
    if entries > max_frames:
        raise TooManyFramesError(f"this AVIF sequence's sample tables list {entries} entries, over the limit of "
                                 f"{max_frames} (max_frames)")
    return frames


def _cells(container: isobmff.Container, item: int, depth: int) -> int:
    """The coded pictures decoding `item` takes, each decoded on its own: every grid cell, every layer."""
    kind, sources = container.items.get(item), container.referenced(b"dimg", item)
    if kind == b"grid":
        return len(sources)
    if kind not in (b"iovl", b"iden") or depth >= MAX_DERIVATION_DEPTH:
        return 1
    if len(sources) > MAX_OVERLAY_LAYERS:
        raise DecodeError(f"this HEIF/AVIF overlay has {len(sources)} layers (1 to {MAX_OVERLAY_LAYERS} allowed)")
    return sum(_cells(container, source, depth + 1) for source in sources)


def _check_metadata(container: isobmff.Container, file_length: int) -> None:
    describing = {source for kind, source, _ in container.references if kind == b"cdsc"}
    total = sum(container.data_length(item, file_length) for item in describing)
    if total > MAX_METADATA_BYTES:
        raise ImageTooLargeError(f"the metadata items (Exif, XMP) of this HEIF/AVIF hold {total} bytes, over "
                                 f"{MAX_METADATA_BYTES}")


def _shown(container: isobmff.Container, item: int, depth: int) -> list[int]:
    """`item` and the pictures an identity or overlay item shows: libheif decodes the alpha of each."""
    if container.items.get(item) not in (b"iden", b"iovl") or depth >= MAX_DERIVATION_DEPTH:
        return [item]
    sources = dict.fromkeys(container.referenced(b"dimg", item))
    return list(dict.fromkeys([item, *(shown for source in sources for shown in _shown(container, source, depth + 1))]))


def _measure(container: isobmff.Container, data: bytes, item: int, depth: int) -> Picture:
    kind = container.items.get(item)
    if kind is None:
        raise DecodeError(f"item {item} of this HEIF/AVIF is referenced but not declared")
    if kind == b"grid":
        return _grid(container, data, item, depth)
    if kind == b"iovl":
        return _overlay(container, data, item, depth)
    if kind == b"iden":
        sources = container.referenced(b"dimg", item)
        if len(sources) != 1 or depth >= MAX_DERIVATION_DEPTH:
            raise DecodeError("an identity-derived item of this HEIF/AVIF must name exactly one image")
        return _measure(container, data, sources[0], depth + 1)
    return _coded(container, data, item)


def _tracks(container: isobmff.Container) -> list[Picture]:
    """The frames of an AVIF sequence's tracks (sample entry size, checked against the sequence header)."""
    pictures = []
    for width, height, config in container.tracks:
        depth, chroma = bitstreams.sample_format(b"av01", config, None)
        coded = bitstreams.av1_size(config[4:]) if config and len(config) > 4 else None
        if coded and (coded[0] > width or coded[1] > height) or not width or not height:
            raise DecodeError(f"a track of this AVIF codes {coded} frames but declares {width}x{height}")
        pictures.append(Picture(width, height, depth, chroma))
    return pictures


def _declared(container: isobmff.Container, item: int) -> tuple[int, int]:
    body = container.property(item, b"ispe")
    if body is None or len(body) < 12:
        raise DecodeError(f"item {item} of this HEIF/AVIF declares no size (ispe), which HEIF requires")
    width, height = int.from_bytes(body[4:8], "big"), int.from_bytes(body[8:12], "big")
    if not width or not height:
        raise DecodeError(f"item {item} of this HEIF/AVIF declares an empty size {width}x{height}")
    return width, height


def _coded(container: isobmff.Container, data: bytes, item: int) -> Picture:
    """A coded image item: its `ispe`, checked against the size its bitstream codes."""
    width, height = _declared(container, item)
    kind = container.items.get(item)
    if kind is None:
        raise DecodeError(f"item {item} of this HEIF/AVIF is referenced but not declared")
    if kind not in _CODED:  # uncompressed (unci), JPEG, masks...: not HEIC or AVIF, and charged by other rules
        raise UnsupportedFormatError(f"HEIF images coded as {kind.decode('latin-1')!r} are not supported "
                                     "(HEVC and AV1 only)")
    if container.data_length(item, len(data)) > len(data):  # libheif gathers every extent into one buffer
        raise DecodeError(f"item {item} of this HEIF/AVIF lists more bytes than the file holds (overlapping extents)")
    config = container.property(item, _CODED[kind].encode())
    depth, chroma = bitstreams.sample_format(kind, config, container.property(item, b"pixi"))
    coded = None
    if kind == b"hvc1" and config:
        coded = bitstreams.hevc_size(config)
    elif kind == b"av01":
        coded = bitstreams.av1_size(config[4:]) if config and len(config) > 4 else None
        coded = coded or bitstreams.av1_size(container.item_bytes(data, item, 4096))
    if coded and (coded[0] > width or coded[1] > height):
        raise DecodeError(f"item {item} of this HEIF/AVIF codes a {coded[0]}x{coded[1]} picture but declares "
                          f"{width}x{height} (ispe)")
    return Picture(width, height, depth, chroma)


def _grid(container: isobmff.Container, data: bytes, item: int, depth: int) -> Picture:
    """A grid: output size must be `ispe`, cells few enough, tiles big enough and covering the output."""
    descriptor = container.item_bytes(data, item)
    if len(descriptor) < 8:
        raise DecodeError("the grid descriptor of this HEIF/AVIF is truncated")
    rows, columns = descriptor[2] + 1, descriptor[3] + 1
    output = _sizes(descriptor, 4, descriptor[1] & 1)
    tiles = container.referenced(b"dimg", item)
    if rows * columns > MAX_GRID_TILES or len(tiles) > MAX_GRID_TILES:
        raise ImageTooLargeError(f"this HEIF/AVIF grid has {max(rows * columns, len(tiles))} cells, more than "
                                 f"{MAX_GRID_TILES} (no camera writes more)")
    if len(tiles) != rows * columns or depth >= MAX_DERIVATION_DEPTH:
        raise DecodeError(f"this HEIF/AVIF grid of {rows}x{columns} cells names {len(tiles)} tiles")
    _same_as_declared(container, item, output, "grid output")
    unique = list(dict.fromkeys(tiles))
    sizes = {_declared(container, tile) for tile in unique}
    if len(sizes) > 1:
        raise DecodeError("the tiles of this HEIF/AVIF grid differ in size")
    width, height = sizes.pop()
    if min(width, height) < MIN_TILE_SIDE and rows * columns > 1:
        raise DecodeError(f"this HEIF/AVIF grid's tiles are {width}x{height}, under MIAF's minimum of "
                          f"{MIN_TILE_SIDE}x{MIN_TILE_SIDE}")
    if not ((columns - 1) * width < output[0] <= columns * width and (rows - 1) * height < output[1] <= rows * height):
        raise DecodeError(f"the {columns}x{rows} tiles of {width}x{height} of this HEIF/AVIF grid do not make its "
                          f"{output[0]}x{output[1]} output")
    measured = [_coded(container, data, tile) for tile in unique]
    return Picture(columns * width, rows * height, max(m.depth for m in measured), measured[0].chroma)


def _overlay(container: isobmff.Container, data: bytes, item: int, depth: int) -> Picture:
    """An overlay: its canvas must be `ispe`; every layer is decoded too (one at a time)."""
    descriptor = container.item_bytes(data, item)
    if len(descriptor) < 14:
        raise DecodeError("the overlay descriptor of this HEIF/AVIF is truncated")
    canvas = _sizes(descriptor, 10, descriptor[1] & 1)
    _same_as_declared(container, item, canvas, "overlay canvas")
    layers = container.referenced(b"dimg", item)
    if not layers or len(layers) > MAX_OVERLAY_LAYERS or depth >= MAX_DERIVATION_DEPTH:
        raise DecodeError(f"this HEIF/AVIF overlay has {len(layers)} layers (1 to {MAX_OVERLAY_LAYERS} allowed)")
    measured = [_measure(container, data, layer, depth + 1) for layer in dict.fromkeys(layers)]
    biggest = max(measured, key=lambda m: m.width * m.height)
    width, height = max(canvas[0], biggest.width), max(canvas[1], biggest.height)
    return Picture(width, height, max(m.depth for m in measured), biggest.chroma)


def _sizes(descriptor: bytes, position: int, wide: int) -> tuple[int, int]:
    size = 4 if wide else 2
    if position + 2 * size > len(descriptor):
        raise DecodeError("a derived-image descriptor of this HEIF/AVIF is truncated")
    return (int.from_bytes(descriptor[position:position + size], "big"),
            int.from_bytes(descriptor[position + size:position + 2 * size], "big"))


def _same_as_declared(container: isobmff.Container, item: int, size: tuple[int, int], what: str) -> None:
    declared = _declared(container, item)
    if size != declared:
        raise DecodeError(f"this HEIF/AVIF's {what} is {size[0]}x{size[1]} but its ispe declares "
                          f"{declared[0]}x{declared[1]}")


def _is_alpha(container: isobmff.Container, item: int) -> bool:
    urn = container.property(item, b"auxC") or b""
    return urn[4:].rstrip(b"\x00").split(b"\x00")[0] in _ALPHA_URNS
