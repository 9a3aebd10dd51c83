"""HEIF/AVIF containers are measured before libheif/libavif run: what they would build is charged or refused."""

import struct

import pytest
from PIL import Image

from tests.imagecore.helpers import decoded
from tests.support import hostile_heif, images
from tests.support import isobmff as bmff
from thumbrouter.imagecore import (
    DecodeError,
    ImageTooLargeError,
    TooManyFramesError,
    UnsupportedFormatError,
    heif,
    limits,
    make_thumbnail,
)

FORMATS = ("HEIF", "AVIF")


@pytest.fixture
def no_decoder(monkeypatch):
    """Fail the test if Pillow opens the file: the refusal must come from the container walk."""
    monkeypatch.setattr(Image, "open", lambda *args, **kwargs: pytest.fail("the decoder was reached"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_overlay_whose_canvas_is_bigger_than_its_ispe_is_refused_before_the_decoder(fmt, no_decoder):
    with pytest.raises(DecodeError, match="overlay canvas is 32768x32768 but its ispe declares 64x64"):
        make_thumbnail(hostile_heif.overlay_canvas(fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_grid_whose_output_is_bigger_than_its_ispe_is_refused(fmt, no_decoder):
    with pytest.raises(DecodeError, match="grid output is 2048x2048 but its ispe declares 64x64"):
        make_thumbnail(hostile_heif.grid_output(fmt, cells=4))


def test_a_grid_of_a_thousand_512_pixel_tiles_under_a_small_ispe_is_refused(no_decoder):
    with pytest.raises(ImageTooLargeError):  # 1,024 tiles take 1,025 items: over libheif's item limit first
        make_thumbnail(hostile_heif.grid_output("AVIF", cells=32))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_grid_of_more_cells_than_any_camera_writes_is_refused(fmt, no_decoder):
    with pytest.raises(ImageTooLargeError, match="65280 cells, more than 1024"):
        make_thumbnail(hostile_heif.many_cells(fmt))


def test_a_grid_of_tiles_under_mirafs_minimum_is_refused(no_decoder):
    with pytest.raises(DecodeError, match="under MIAF's minimum"):
        make_thumbnail(hostile_heif.many_cells("AVIF", rows=4, columns=4, side=16))


@pytest.mark.parametrize("fmt", FORMATS)
def test_honest_grids_are_thumbnailed_at_their_real_size(fmt):
    thumbnail = make_thumbnail(hostile_heif.honest_grid(fmt, 2, 3), (96, 96))
    assert (thumbnail.width, thumbnail.height) == (96, 64)
    assert heif.survey(hostile_heif.honest_grid(fmt, 2, 3), 1) == heif.Picture(1536, 1024)


def test_a_grid_naming_one_tile_for_every_cell_is_a_decode_error_not_libavifs_runtime_error():
    with pytest.raises(DecodeError):
        make_thumbnail(hostile_heif.repeated_tile("AVIF"))


@pytest.mark.parametrize(("fmt", "coded"), [("AVIF", 16384), ("HEIF", 256)])
def test_a_picture_coded_bigger_than_its_ispe_is_refused(fmt, coded, no_decoder):
    with pytest.raises(DecodeError, match=f"codes a {coded}x{coded} picture but declares 64x64"):
        make_thumbnail(hostile_heif.coded_larger(fmt, coded))


@pytest.mark.parametrize(("fmt", "size"), [("HEIF", (201, 99)), ("HEIF", (1000, 30)), ("AVIF", (201, 99)),
                                           ("AVIF", (64, 64))])
def test_real_encodes_pass_the_coded_size_check(fmt, size):
    data = (images.heic_bytes if fmt == "HEIF" else images.avif_bytes)(images.gradient(size))
    assert decoded(make_thumbnail(data, size)).size == size


def test_the_size_before_a_crop_is_charged():
    data = hostile_heif.cropped("HEIF", 4, (64, 64))  # 2048x2048 decoded, 64x64 shown
    assert heif.survey(data, 1) == heif.Picture(2048, 2048)
    need = 2048 * 2048 * limits.DECODER_BYTES["HEIF"]["RGB"]
    assert make_thumbnail(data, (32, 32), max_decoded_bytes=need).width == 32
    with pytest.raises(ImageTooLargeError, match="2048x2048"):
        make_thumbnail(data, (32, 32), max_decoded_bytes=need - 1)


def test_an_alpha_plane_bigger_than_the_picture_is_charged():
    data = hostile_heif.big_alpha("HEIF", 4)  # 64x64 picture, 2048x2048 alpha
    picture = heif.survey(data, 1)
    assert (picture.width, picture.height, picture.alpha_pixels) == (64, 64, 2048 * 2048)
    assert make_thumbnail(data, (32, 32)).width == 32
    with pytest.raises(ImageTooLargeError, match="alpha"):
        make_thumbnail(data, (32, 32), max_decoded_bytes=limits.heif_decoded_bytes("HEIF", picture) - 1)
    with pytest.raises(ImageTooLargeError, match="alpha plane"):
        make_thumbnail(data, (32, 32), max_pixels=2048 * 2048 - 1)


def test_bit_depth_and_chroma_are_read_from_the_coded_item():
    tile = hostile_heif.deep_colour_tile(444, 10, 128)
    data = bmff.write("HEIF", {1: bmff.Item(tile.type, tile.data, [bmff.ispe(128, 128), *tile.properties])})
    assert heif.survey(data, 1) == heif.Picture(128, 128, depth=10, chroma="444")
    assert heif.survey(images.avif_bytes(images.gradient((64, 64))), 1) == heif.Picture(64, 64)


def test_ten_bit_four_four_four_costs_twice_eight_bit_four_two_zero():
    eight = limits.heif_decoded_bytes("HEIF", heif.Picture(1000, 1000))
    deep = limits.heif_decoded_bytes("HEIF", heif.Picture(1000, 1000, depth=10, chroma="444"))
    assert (eight, deep) == (9_000_000, 18_000_000)


def test_an_honest_37_megapixel_ten_bit_four_four_four_heic_is_refused(no_decoder):
    with pytest.raises(ImageTooLargeError, match="10-bit 444"):
        make_thumbnail(hostile_heif.deep_colour_grid(12, 12))


def test_a_small_ten_bit_four_four_four_heic_is_thumbnailed():
    assert make_thumbnail(hostile_heif.deep_colour_grid(2, 2), (64, 64)).width == 64


def test_an_avif_sequence_declaring_millions_of_samples_is_refused_before_libavif_indexes_them(no_decoder):
    with pytest.raises(TooManyFramesError, match="2592000 frames"):
        make_thumbnail(hostile_heif.declared_sequence())


def test_an_avif_sequence_is_charged_at_its_tracks_frame_size_which_libavif_decodes(no_decoder):
    frames = [Image.new("RGB", (48, 32), (i * 20, 0, 0)) for i in range(3)]
    data = bytearray(images.encode(frames[0], "AVIF", save_all=True, append_images=frames[1:], speed=10))
    entry = data.index(b"av01", data.index(b"stsd"))
    data[entry + 28:entry + 32] = struct.pack(">HH", 9000, 9000)  # the visual sample entry's width, height
    assert heif.survey(bytes(data), 10) == heif.Picture(9000, 9000, frames=3)
    with pytest.raises(ImageTooLargeError, match="max_pixels"):
        make_thumbnail(bytes(data))


@pytest.mark.parametrize("kind", [b"unci", b"jpeg", b"mski"])
def test_items_coded_other_than_hevc_or_av1_are_refused_as_unsupported(kind, no_decoder):
    tile = hostile_heif._tile("HEIF", 64)
    data = bmff.write("HEIF", {1: bmff.Item(kind, tile.data, [bmff.ispe(64, 64)])})
    with pytest.raises(UnsupportedFormatError, match=kind.decode()):
        make_thumbnail(data)


def test_an_avif_sequence_without_an_item_table_is_measured_from_its_track():
    data = hostile_heif.sequence(3)
    meta = data.index(b"meta") - 4
    without = data[:meta + 4] + b"free" + data[meta + 8:]  # the same bytes, the meta box now skipped
    assert heif.survey(without, 10) == heif.Picture(48, 32, frames=3)


@pytest.mark.parametrize(("flags", "depth", "chroma"), [(0x0C, 8, "420"), (0x4C, 10, "420"), (0x60, 12, "444"),
                                                        (0x48, 10, "422"), (0x1C, 8, "400")])
def test_avif_bit_depth_and_chroma_come_from_av1c(flags, depth, chroma):
    data = bytearray(images.avif_bytes(images.gradient((64, 64))))
    config = data.index(b"av1C") + 4
    data[config + 2] = flags  # high_bitdepth, twelve_bit, monochrome, chroma_subsampling_x/y
    assert heif.survey(bytes(data), 1) == heif.Picture(64, 64, depth=depth, chroma=chroma)


def test_a_grey_heif_is_charged_no_less_than_an_eight_bit_colour_one():
    grey = limits.heif_decoded_bytes("AVIF", heif.Picture(1000, 1000, chroma="400"))
    assert grey == limits.heif_decoded_bytes("AVIF", heif.Picture(1000, 1000)) == 10_000_000


@pytest.mark.parametrize("fmt", FORMATS)
def test_metadata_items_repeating_one_extent_are_refused_before_libheif_reads_each(fmt, no_decoder):
    with pytest.raises(ImageTooLargeError, match="metadata"):  # libheif reads all 40 MB on open
        make_thumbnail(hostile_heif.repeated_metadata(fmt, items=40, size=2**20))


@pytest.mark.parametrize("kind", [b"Exif", b"mime"])
def test_one_metadata_item_over_the_limit_is_refused(kind, no_decoder):
    with pytest.raises(ImageTooLargeError, match="metadata"):
        make_thumbnail(hostile_heif.repeated_metadata("HEIF", 1, heif.MAX_METADATA_BYTES, kind))


def test_a_picture_with_ordinary_metadata_is_thumbnailed():
    assert make_thumbnail(hostile_heif.repeated_metadata("HEIF", 2, 100_000), (32, 32)).width == 32


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_item_whose_extents_add_up_to_more_than_the_file_is_refused(fmt, no_decoder):
    with pytest.raises(DecodeError, match="more bytes than the file"):  # libheif gathers 32 x 1 MB
        make_thumbnail(hostile_heif.repeated_extent(fmt, 32, 2**20))


def test_an_item_listing_its_extent_once_is_thumbnailed():
    assert make_thumbnail(hostile_heif.repeated_extent("HEIF", 1, 2**20), (32, 32)).width == 32


@pytest.mark.parametrize("table", [b"stco", b"co64", b"stsc", b"stts", b"stss", b"ctts"])
def test_an_avif_sequence_whose_sample_tables_list_more_entries_than_max_frames_is_refused(table, no_decoder):
    with pytest.raises(TooManyFramesError, match="2000 entries"):
        make_thumbnail(hostile_heif.declared_sequence(3, table, 2000))
    assert heif.survey(hostile_heif.declared_sequence(3, table, 3), 10).frames == 3


@pytest.mark.parametrize("shown_as", [b"iden", b"iovl"])
def test_the_alpha_plane_of_a_picture_shown_through_a_derived_item_is_charged(shown_as):
    data = hostile_heif.big_alpha("HEIF", 4, shown_as=shown_as)  # libheif decodes the 2048x2048 alpha with it
    assert heif.survey(data, 1).alpha_pixels == 2048 * 2048
    assert make_thumbnail(data, (32, 32)).width == 32


@pytest.mark.parametrize("urn", [b"urn:mpeg:avc:2015:auxid:1", b"urn:mpeg:hevc:2015:auxid:1",
                                 b"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha"])
def test_every_auxiliary_type_libheif_decodes_as_alpha_is_charged(urn):
    assert heif.survey(hostile_heif.big_alpha("HEIF", 4, urn=urn), 1).alpha_pixels == 2048 * 2048


def test_an_auxiliary_depth_map_is_not_charged_as_alpha():  # pillow-heif is told not to read depth images
    assert heif.survey(hostile_heif.big_alpha("HEIF", 4, urn=b"urn:mpeg:hevc:2015:auxid:2"), 1).alpha_pixels == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_overlay_of_grids_decoding_more_cells_than_any_camera_writes_is_refused(fmt, no_decoder):
    with pytest.raises(ImageTooLargeError, match="1800 cells"):  # two layers of 30x30 cells
        make_thumbnail(hostile_heif.overlay_of_grids(fmt, 2, 30, 30))


def test_an_overlay_of_two_small_grids_is_measured():
    assert heif.survey(hostile_heif.overlay_of_grids("HEIF", 2, 2, 2), 1) == heif.Picture(128, 128)


def test_an_hvcc_header_understating_its_sps_bit_depth_and_chroma_is_charged_at_the_sps():
    tile = hostile_heif.deep_colour_tile(444, 10, 128)  # libde265 decodes what the SPS says
    properties = []
    for prop in tile.properties:
        if prop[4:8] == b"hvcC":
            body = bytearray(prop[8:])
            body[16], body[17], body[18] = (body[16] & 0xFC) | 1, body[17] & 0xF8, body[18] & 0xF8
            prop = bmff.box(b"hvcC", bytes(body))  # the header fields now say 8-bit 4:2:0
        if prop[4:8] != b"pixi":
            properties.append(prop)
    data = bmff.write("HEIF", {1: bmff.Item(tile.type, tile.data, [bmff.ispe(128, 128), *properties])})
    assert heif.survey(data, 1) == heif.Picture(128, 128, depth=10, chroma="444")
