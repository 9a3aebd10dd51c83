"""make_thumbnail on valid input: every mode x output format, sizes, alpha, frames, containers."""

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.imagecore.helpers import close, decoded
from tests.support import images
from thumbrouter.imagecore import (
    CONTENT_TYPES,
    DEFAULT_MAX_PIXELS,
    MODES,
    InvalidSizeError,
    Thumbnail,
    make_thumbnail,
    steps,
)

FORMATS = ["JPEG", "PNG", "WEBP", "GIF"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("mode", "expected_size"), [("fit", (50, 25)), ("cover", (50, 50))])
def test_every_mode_and_format_gives_the_input_format_at_the_expected_size(fmt, mode, expected_size):
    data = images.encode(images.gradient((400, 200)), fmt)
    result = make_thumbnail(data, "50x50", mode=mode)
    image = decoded(result)
    assert (result.format, result.content_type) == (fmt, CONTENT_TYPES[fmt])
    assert image.format == fmt
    assert image.size == (result.width, result.height) == expected_size
    assert result.degraded is False


def test_fit_keeps_the_aspect_ratio_and_never_enlarges():
    tall = make_thumbnail(images.encode(images.gradient((100, 400)), "PNG"), (50, 50))
    small = make_thumbnail(images.encode(images.gradient((20, 10)), "PNG"), (50, 50))
    assert (tall.width, tall.height) == (12, 50)
    assert (small.width, small.height) == (20, 10)


def test_cover_fills_the_box_with_the_centre_of_the_picture():
    picture = images.gradient((300, 100), "L")  # dark left, bright right; the centre is mid-grey
    image = decoded(make_thumbnail(images.encode(picture, "PNG"), (40, 40), mode="cover"))
    assert image.size == (40, 40)
    assert 100 < image.getpixel((20, 20)) < 155
    assert image.getpixel((0, 20)) > 60 and image.getpixel((39, 20)) < 200  # the far ends were cut off


def test_size_may_be_given_as_text_or_a_tuple():
    data = images.encode(images.gradient(), "PNG")
    assert make_thumbnail(data, "64x32").data and (make_thumbnail(data, "64x32").width,) == (64,)
    assert make_thumbnail(data, (64, 32)).height == 32


@pytest.mark.parametrize("options", [{"size": "0x5"}, {"size": "big"}, {"mode": "stretch"}, {"quality": 0},
                                     {"quality": 101}, {"quality": "85"}])
def test_bad_options_raise_invalid_size_error(options):
    with pytest.raises(InvalidSizeError):
        make_thumbnail(images.encode(images.gradient(), "PNG"), **options)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF"])
def test_transparency_is_kept_for_formats_that_have_it(fmt):
    image = decoded(make_thumbnail(images.encode(images.half_transparent(), fmt), (100, 50)))
    rgba = image.convert("RGBA")
    assert rgba.getpixel((10, 25))[3] == 255 and close(rgba.getpixel((10, 25))[:3], images.RED)
    assert rgba.getpixel((90, 25))[3] == 0


def test_transparent_pixels_are_flattened_on_white_for_jpeg_output():
    # JPEG output only comes from JPEG/MPO input, which has no alpha; the step guards the encoder anyway
    job = steps.Job((100, 50), "fit", "JPEG", 1, None)
    flat = steps.fit_output_mode(images.half_transparent((100, 50)), job)
    assert flat.mode == "RGB"
    assert flat.getpixel((90, 25)) == images.WHITE and flat.getpixel((10, 25)) == images.RED


def test_a_fully_opaque_alpha_band_is_dropped_from_png_output():
    opaque = images.gradient(mode="RGBA")
    assert decoded(make_thumbnail(images.encode(opaque, "PNG"), (50, 50))).mode == "RGB"


def test_palette_png_transparency_survives():
    image = decoded(make_thumbnail(images.palette_png_with_transparency(), (50, 50))).convert("RGBA")
    assert image.getpixel((5, 10))[3] == 0
    assert close(image.getpixel((45, 10)), (*images.GREEN, 255))


def test_an_rgb_png_colour_key_becomes_real_transparency():
    picture = images.Image.new("RGB", (100, 50), images.WHITE)
    picture.paste(images.BLUE, (50, 0, 100, 50))
    image = decoded(make_thumbnail(images.encode(picture, "PNG", transparency=images.WHITE), (50, 50)))
    assert image.mode == "RGBA" and image.getpixel((5, 10))[3] == 0
    assert close(image.getpixel((45, 10)), (*images.BLUE, 255))


def test_animated_gif_gives_its_first_frame_as_a_still_gif():
    result = make_thumbnail(images.animated_gif(), (30, 30))
    image = decoded(result)
    assert result.format == "GIF" and getattr(image, "n_frames", 1) == 1
    assert close(image.convert("RGB").getpixel((10, 10)), images.RED)


def test_animated_webp_gives_its_first_frame():
    frames = [images.Image.new("RGB", (40, 40), colour) for colour in (images.BLUE, images.RED)]
    data = images.encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    image = decoded(make_thumbnail(data, (20, 20)))
    assert getattr(image, "n_frames", 1) == 1 and close(image.convert("RGB").getpixel((10, 10)), images.BLUE)


def test_mpo_gives_the_first_frame_as_jpeg():
    result = make_thumbnail(images.mpo_bytes(), (40, 40))
    assert (result.format, result.content_type) == ("JPEG", "image/jpeg")
    assert close(decoded(result).getpixel((10, 10)), images.RED)


def test_large_jpegs_decode_at_reduced_scale_and_still_reach_the_box():
    big = images.encode(images.gradient((1600, 1200)), "JPEG")
    result = make_thumbnail(big, (50, 50))
    assert (result.width, result.height) == (50, 38)
    assert close(decoded(result).getpixel((25, 19)), (128, 128, 128), 20)


def test_jpegs_two_to_four_times_the_box_decode_at_half_scale_and_match_a_full_size_resize():
    picture = images.marker_picture((960, 640))
    result = decoded(make_thumbnail(images.encode(picture, "JPEG", quality=95), (320, 320)))
    exact = picture.resize((320, 213), Image.Resampling.LANCZOS)
    assert result.size == exact.size
    assert max(ImageStat.Stat(ImageChops.difference(result, exact)).mean) < 2


def test_half_scale_decoding_respects_a_transposed_orientation():
    result = decoded(make_thumbnail(images.oriented_jpeg(6, (360, 240)), (120, 120)))
    assert result.size == (120, 80)
    assert close(result.getpixel((5, 5)), images.RED) and close(result.getpixel((115, 75)), images.BLUE)


def test_the_public_contract_is_exported():
    assert MODES == ("fit", "cover") and DEFAULT_MAX_PIXELS == 80_000_000
    thumbnail = make_thumbnail(images.encode(images.gradient(), "PNG"))
    assert isinstance(thumbnail, Thumbnail) and (thumbnail.width, thumbnail.height) == (50, 25)
    with pytest.raises(AttributeError):
        thumbnail.width = 3
