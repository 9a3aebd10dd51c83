"""HEIC/HEIF and AVIF inputs: phone photos and modern-browser images, made in the tests."""

import pytest
from PIL import Image

from tests.imagecore.helpers import close, decoded
from tests.support import images
from thumbrouter.imagecore import DecodeError, ImageTooLargeError, TooManyFramesError, make_thumbnail
from thumbrouter.imagecore.limits import DECODER_BYTES

WRITERS = {"HEIF": images.heic_bytes, "AVIF": images.avif_bytes}


@pytest.mark.parametrize("fmt", WRITERS)
@pytest.mark.parametrize("orientation", range(1, 9))
def test_heif_and_avif_rotations_are_applied_once_so_the_marker_ends_up_top_left(fmt, orientation):
    image = decoded(make_thumbnail(images.oriented(orientation, fmt), (60, 60)))
    assert image.size == (60, 40)  # upright landscape, however stored
    assert close(image.getpixel((3, 3)), images.RED, 40)
    assert close(image.getpixel((56, 36)), images.BLUE, 40)
    assert close(image.getpixel((30, 20)), images.WHITE, 40)


@pytest.mark.parametrize("fmt", WRITERS)
def test_an_opaque_heif_or_avif_gives_an_rgb_webp_close_to_the_source(fmt):
    source = images.gradient((200, 100))
    thumbnail = make_thumbnail(WRITERS[fmt](source), (100, 100))
    image = decoded(thumbnail)
    assert (thumbnail.format, thumbnail.content_type, image.format) == ("WEBP", "image/webp", "WEBP")
    assert image.mode == "RGB" and image.size == (100, 50)
    expected = source.resize((100, 50), Image.Resampling.LANCZOS)
    for point in ((5, 25), (50, 25), (94, 25)):
        assert close(image.getpixel(point), expected.getpixel(point), 16), point


@pytest.mark.parametrize("fmt", WRITERS)
def test_alpha_in_heif_or_avif_is_kept_in_the_webp(fmt):
    thumbnail = make_thumbnail(WRITERS[fmt](images.half_transparent((200, 100))), (50, 50))
    image = decoded(thumbnail)
    assert thumbnail.format == "WEBP" and image.mode == "RGBA"
    assert image.getpixel((5, 12))[3] > 240 and close(image.getpixel((5, 12))[:3], images.RED, 20)
    assert image.getpixel((45, 12))[3] < 10


@pytest.mark.parametrize("fmt", WRITERS)
def test_pixels_of_a_heif_or_avif_in_a_non_srgb_icc_profile_are_converted_to_srgb(fmt):
    data = WRITERS[fmt](Image.new("RGB", (40, 40), images.RED), icc_profile=images.swapped_rgb_profile())
    assert close(decoded(make_thumbnail(data, (20, 20))).getpixel((10, 10)), images.BLUE, 40)


@pytest.mark.parametrize("fmt", WRITERS)
def test_a_small_heif_or_avif_declaring_a_huge_canvas_is_refused_before_decoding(fmt):
    data = images.declaring(WRITERS[fmt](images.gradient()), (9000, 9000))  # 81 M pixels
    assert len(data) < 5000
    with pytest.raises(ImageTooLargeError, match="max_pixels"):
        make_thumbnail(data)


@pytest.mark.parametrize("fmt", WRITERS)
def test_heif_and_avif_pay_their_decoders_bytes_per_pixel(fmt):
    # 400x200 RGB: within a budget of exactly that many bytes, refused one byte below it.
    data = WRITERS[fmt](images.gradient((400, 200)))
    need = 400 * 200 * DECODER_BYTES[fmt]["RGB"]
    make_thumbnail(data, max_decoded_bytes=need)
    with pytest.raises(ImageTooLargeError, match="max_decoded_bytes"):
        make_thumbnail(data, max_decoded_bytes=need - 1)


def test_an_avif_sequence_with_more_frames_than_allowed_is_refused():
    frames = [Image.new("RGB", (16, 16), (i * 20, 0, 0)) for i in range(12)]
    data = images.encode(frames[0], "AVIF", save_all=True, append_images=frames[1:], speed=10)
    assert decoded(make_thumbnail(data, (8, 8), max_frames=12)).size == (8, 8)
    with pytest.raises(TooManyFramesError):
        make_thumbnail(data, (8, 8), max_frames=11)


@pytest.mark.parametrize("fmt", WRITERS)
def test_a_truncated_heif_or_avif_is_a_decode_error(fmt):
    with pytest.raises(DecodeError):
        make_thumbnail(images.truncated(WRITERS[fmt](images.gradient((200, 100))), 0.6))


def test_an_avif_is_opened_by_pillows_own_plugin_not_pillow_heif():
    from thumbrouter.imagecore import decode

    assert decode.pillow_formats(images.avif_bytes(images.gradient())) == ("AVIF",)
    assert decode.pillow_formats(images.heic_bytes(images.gradient())) == ("HEIF",)
    assert decode.pillow_formats(images.encode(images.gradient(), "PNG")) == decode.PILLOW_FORMATS
