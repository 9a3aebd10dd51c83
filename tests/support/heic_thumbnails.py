"""HEICs carrying embedded thumbnails (`thmb` items), honest as phones write them and hostile.

`phone_heic` is a real pillow-heif encode (its thumbnail scaled and coded by libheif, EXIF orientation
turned into `irot`/`imir` for both). The rest are built with tests/support/isobmff.py from real coded
pictures: the primary in one flat colour and the thumbnail in another (PRIMARY, THUMBNAIL), so the
colour of a result says which one was decoded.
"""

import io
from functools import lru_cache

from PIL import Image

from tests.support import images
from tests.support import isobmff as bmff

PRIMARY, THUMBNAIL = images.RED, images.GREEN
TILE = 512


def phone_heic(picture: Image.Image, thumbnail: int = 320, orientation: int | None = None,
               icc_profile: bytes | None = None) -> bytes:
    """`picture` as a phone's HEIC with an embedded thumbnail of `thumbnail` pixels on its long side."""
    import pillow_heif

    options: dict = {"thumbnails": [thumbnail]}
    if orientation:
        options["exif"] = images.exif(orientation).tobytes()
    if icc_profile:
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    pillow_heif.from_pillow(picture).save(buffer, format="HEIF", quality=90, **options)
    return buffer.getvalue()


def without_thumbnails(data: bytes) -> bytes:
    """The same file with its `thmb` references renamed to a type no reader knows: only the primary is left."""
    assert data.count(b"thmb") == 1, "one thmb reference box expected"
    return data.replace(b"thmb", b"xxxx")


@lru_cache(maxsize=8)
def coded(colour: tuple[int, int, int], size: tuple[int, int], depth: int = 8) -> bmff.Item:
    """A real HEVC item of one flat colour (pillow-heif's x265), without its ispe."""
    if depth == 8:
        return bmff.encoded_item("HEIF", Image.new("RGB", size, colour), quality=50)
    import pillow_heif

    flat = Image.new("RGB", size, colour).tobytes()
    wide = bytes(b for value in flat for b in (value << 8 | value).to_bytes(2, "little"))
    buffer = io.BytesIO()
    pillow_heif.from_bytes(mode="RGB;16", size=size, data=wide).save(buffer, format="HEIF", quality=50)
    return bmff.coded_item("HEIF", buffer.getvalue())


def item(picture: bmff.Item, declared: tuple[int, int], references: dict | None = None,
         same_as: int | None = None, hidden: bool = False) -> bmff.Item:
    return bmff.Item(picture.type, b"" if same_as else picture.data, [bmff.ispe(*declared), *picture.properties],
                     references or {}, same_data_as=same_as, hidden=hidden)


def with_thumbnail(size=(1600, 1200), thumbnail=(320, 240), declared=None, depth: int = 8,
                   thumbnail_of: int = 1, referring_item: int = 2) -> bytes:
    """A PRIMARY-coloured picture of `size` (item 1) with a THUMBNAIL-coloured item 2 naming `thumbnail_of` by `thmb`.

    `declared`: the thumbnail's ispe, when it should lie. `referring_item` other than 2 rewrites the
    reference to come from an item the file never declares (item 2 is then an image of its own).
    """
    thumb = item(coded(THUMBNAIL, thumbnail, depth), declared or thumbnail, {b"thmb": [thumbnail_of]})
    data = bmff.write("HEIF", {1: item(coded(PRIMARY, size), size), 2: thumb})
    return data.replace(b"thmb\x00\x02", b"thmb" + referring_item.to_bytes(2, "big"))


def grid_with_thumbnail(columns=16, rows=12, size=(8000, 6000), thumbnail=(320, 240), declared=None) -> bytes:
    """A 48 MP phone photo: a grid of columns x rows 512x512 tiles (one coded tile shared) and a thumbnail.

    `declared`: the thumbnail's ispe, when it should lie.
    """
    tile = coded(PRIMARY, (TILE, TILE))
    cells = list(range(3, 3 + rows * columns))
    items = {1: bmff.Item(b"grid", bmff.grid_descriptor(rows, columns, *size), [bmff.ispe(*size)],
                          {b"dimg": cells}, in_idat=True),
             2: item(coded(THUMBNAIL, thumbnail), declared or thumbnail, {b"thmb": [1]})}
    for index, cell in enumerate(cells):
        items[cell] = item(tile, (TILE, TILE), same_as=None if index == 0 else cells[0], hidden=True)
    return bmff.write("HEIF", items)
