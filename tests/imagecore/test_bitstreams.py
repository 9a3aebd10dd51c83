"""The coded sizes read from HEVC SPS and AV1 sequence headers match what the encoders wrote."""

import io
import random

import pytest
from PIL import Image

from tests.support import hostile_heif, images
from thumbrouter.imagecore import DecodeError, bitstreams, isobmff, make_thumbnail


def _item(data: bytes) -> tuple[isobmff.Container, bytes]:
    container = isobmff.read(data)
    return container, container.item_bytes(data, container.primary)


@pytest.mark.parametrize("size", [(64, 48), (201, 99), (1000, 30)])
def test_hevc_sps_sizes_are_the_picture_after_the_conformance_window(size):
    container, _ = _item(images.heic_bytes(images.gradient(size)))
    declared = container.property(1, b"ispe")
    assert bitstreams.hevc_size(container.property(1, b"hvcC")) == (int.from_bytes(declared[4:8], "big"),
                                                                     int.from_bytes(declared[8:12], "big"))


def test_a_ten_bit_four_four_four_sps_is_read_too():
    tile = hostile_heif.deep_colour_tile(444, 10, 128)
    config = next(p[8:] for p in tile.properties if p[4:8] == b"hvcC")
    assert bitstreams.hevc_size(config) == (128, 128)


@pytest.mark.parametrize("data", [images.avif_bytes(images.gradient((64, 48))),  # reduced still-picture header
                                  hostile_heif.sequence(3, (48, 32))])  # full header with operating points
def test_av1_sequence_headers_give_the_encoded_size(data):
    container, stream = _item(data)
    assert bitstreams.av1_size(stream) == Image.open(io.BytesIO(data)).size


def test_a_rewritten_av1_sequence_header_reads_back_its_new_size():
    _, stream = _item(images.avif_bytes(images.gradient((64, 48))))
    assert bitstreams.av1_size(hostile_heif.av1_with_size(stream, 16384, 9000)) == (16384, 9000)


def test_garbage_headers_give_no_size_and_no_exception():
    rng = random.Random(7)
    for _ in range(500):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64)))
        for read in (bitstreams.av1_size, bitstreams.hevc_size):
            size = read(junk)  # must not raise: a header it cannot read is for the decoder to judge
            assert size is None or len(size) == 2


def test_an_hvcc_padded_with_thousands_of_parameter_sets_is_refused_not_scanned_per_tile():
    tile = hostile_heif._tile("HEIF", 64)
    config = next(p[8:] for p in tile.properties if p[4:8] == b"hvcC")
    assert bitstreams.hevc_size(hostile_heif.with_parameter_sets(config, 3)) == (64, 64)
    with pytest.raises(DecodeError, match="parameter sets"):
        bitstreams.hevc_size(hostile_heif.with_parameter_sets(config, 65_535))


def test_a_grid_whose_tiles_share_a_padded_hvcc_is_refused():
    with pytest.raises(DecodeError, match="parameter sets"):
        make_thumbnail(hostile_heif.padded_parameter_sets(2, 2))


def test_an_av1_stream_of_many_obus_before_its_sequence_header_is_refused_not_scanned_per_tile():
    _, stream = _item(images.avif_bytes(images.gradient((64, 48))))
    assert bitstreams.av1_size(b"\x7a\x00" * 3 + stream) == (64, 48)
    with pytest.raises(DecodeError, match="OBUs"):
        bitstreams.av1_size(b"\x7a\x00" * 100_000 + stream)


def test_a_grid_whose_tiles_share_a_padded_av1c_is_refused():
    with pytest.raises(DecodeError, match="OBUs"):
        make_thumbnail(hostile_heif.padded_av1_config(2, 2))
