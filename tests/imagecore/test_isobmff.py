"""The ISO-BMFF reader is bounded: box floods, deep nesting and broken boxes are typed refusals."""

import struct

import pytest

from tests.support import hostile_heif, images
from tests.support import isobmff as bmff
from thumbrouter.imagecore import DecodeError, ImageTooLargeError, boxes, isobmff, make_thumbnail


def _with_boxes(data: bytes, boxes: bytes) -> bytes:
    """The file with `boxes` added inside its meta box (sizes fixed up)."""
    at = data.index(b"meta") - 4
    size = struct.unpack_from(">I", data, at)[0]
    return data[:at] + struct.pack(">I", size + len(boxes)) + data[at + 4:at + size] + boxes + data[at + size:]


def test_a_flood_of_empty_boxes_is_refused_after_max_boxes():
    data = _with_boxes(images.avif_bytes(images.gradient((64, 64))), bmff.box(b"free") * 100_000)
    with pytest.raises(ImageTooLargeError, match=f"more than {boxes.MAX_BOXES} boxes"):
        make_thumbnail(data)


def test_boxes_nested_deeper_than_the_limit_are_refused():
    nested = bmff.box(b"ipco")
    for _ in range(20):
        nested = bmff.box(b"ipco", nested)
    data = images.avif_bytes(images.gradient((64, 64))) + bmff.box(b"moov", nested.replace(b"ipco", b"trak"))
    with pytest.raises(DecodeError, match="nest deeper"):
        make_thumbnail(data)


def test_a_box_that_overruns_its_parent_is_a_decode_error():
    data = bytearray(images.heic_bytes(images.gradient((64, 64))))
    at = data.index(b"iinf") - 4
    data[at:at + 4] = struct.pack(">I", 10_000)
    with pytest.raises(DecodeError, match="iinf"):
        make_thumbnail(bytes(data))


def test_more_items_than_libheif_allows_are_refused():
    tile = hostile_heif._tile("HEIF", 64)
    items = {i: bmff.Item(tile.type, b"" if i > 1 else tile.data, [bmff.ispe(64, 64), *tile.properties],
                          same_data_as=1 if i > 1 else None, hidden=i > 1) for i in range(1, 1003)}
    with pytest.raises(ImageTooLargeError, match="1000 items"):
        make_thumbnail(bmff.write("HEIF", items))


def test_the_reader_finds_items_references_and_properties_of_a_real_file():
    container = isobmff.read(images.heic_bytes(images.half_transparent((64, 64))))
    assert container.primary == 1 and container.items == {1: b"hvc1", 2: b"hvc1"}
    assert container.referring(b"auxl", 1) == [2]
    assert container.property(1, b"ispe")[4:] == struct.pack(">II", 64, 64)


def test_a_file_without_an_item_table_is_a_decode_error():
    with pytest.raises(DecodeError, match="no item table"):
        make_thumbnail(images.avif_bytes(images.gradient((64, 64))).replace(b"meta", b"free", 1))


def test_millions_of_item_references_are_refused_before_they_are_all_read():
    flood = b"".join(bmff.box(b"dimg", struct.pack(">HH", 1, 65_535), b"\x00\x01" * 65_535) for _ in range(4))
    data = _with_boxes(images.heic_bytes(images.gradient((64, 64))), bmff.full_box(b"iref", 0, 0, flood))
    with pytest.raises(ImageTooLargeError, match=f"more than {isobmff.MAX_REFERENCES} item references"):
        make_thumbnail(data)


@pytest.mark.parametrize("box", [b"ipma", b"iloc"])
def test_an_item_count_far_past_the_item_limit_is_refused_before_the_entries_are_walked(box):
    data = bytearray(images.avif_bytes(images.gradient((64, 64))))
    at = data.index(box) + 4
    count_at = at + 4 if box == b"ipma" else at + 6  # after version/flags (and iloc's field sizes)
    width = 4 if box == b"ipma" else 2
    data[count_at:count_at + width] = (0xFFFF).to_bytes(width, "big")
    with pytest.raises(ImageTooLargeError, match=f"more than {isobmff.MAX_ITEMS} items"):
        make_thumbnail(bytes(data))


def test_an_item_with_more_properties_than_any_image_has_is_refused():
    tile = hostile_heif._tile("AVIF", 64)
    padding = [bmff.box(b"free", bytes([i])) for i in range(40)]
    data = bmff.write("AVIF", {1: bmff.Item(tile.type, tile.data, [bmff.ispe(64, 64), *tile.properties, *padding])})
    with pytest.raises(ImageTooLargeError, match=f"more than {isobmff.MAX_ASSOCIATIONS} properties"):
        make_thumbnail(data)


def test_an_extent_of_length_zero_runs_to_the_end_of_the_file_as_libheif_reads_it():
    data = bytearray(hostile_heif.coded_larger("AVIF", 16384))  # one item, the last bytes of the file
    at = data.index(b"iloc") + 24  # the length of item 1's only extent
    length = struct.unpack_from(">I", data, at)[0]
    data[at:at + 4] = b"\x00\x00\x00\x00"
    container = isobmff.read(bytes(data))
    assert len(container.item_bytes(bytes(data), 1, 1 << 20)) == length
    assert container.data_length(1, len(data)) == length
    with pytest.raises(DecodeError, match="codes a 16384x16384 picture"):
        make_thumbnail(bytes(data))
