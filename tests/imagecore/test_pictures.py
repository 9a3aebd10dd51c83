"""Correct pictures: EXIF orientation, colour modes, 16-bit, ICC profiles, metadata stripped."""

import io

import pytest
from PIL import Image

from tests.imagecore.helpers import close, decoded
from tests.support import images
from thumbrouter.imagecore import make_thumbnail


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_so_the_marker_ends_up_top_left(orientation):
    image = decoded(make_thumbnail(images.oriented_jpeg(orientation, size=(120, 80)), (60, 60)))
    assert image.size == (60, 40)  # the upright picture is landscape whatever the storage
    assert close(image.getpixel((3, 3)), images.RED, 40)
    assert close(image.getpixel((56, 36)), images.BLUE, 40)
    assert close(image.getpixel((30, 20)), images.WHITE, 40)


@pytest.mark.parametrize("orientation", [5, 6, 7, 8])
def test_transposing_orientations_swap_the_box_before_draft_decoding(orientation):
    big = images.oriented_jpeg(orientation, size=(1600, 800))  # stored 800x1600
    image = decoded(make_thumbnail(big, (100, 25)))
    assert image.size == (50, 25)
    assert close(image.getpixel((2, 2)), images.RED, 40)


def test_exif_orientation_in_a_png_is_applied():
    stored = images.marker_picture((120, 80)).transpose(Image.Transpose.ROTATE_90)
    data = images.encode(stored, "PNG", exif=images.exif(6))
    image = decoded(make_thumbnail(data, (60, 60)))
    assert image.size == (60, 40) and close(image.getpixel((3, 3)), images.RED, 40)


def test_sixteen_bit_grey_is_scaled_not_clipped_to_white():
    image = decoded(make_thumbnail(images.gradient16_png(), (256, 16)))
    assert image.mode == "L"
    assert image.getpixel((0, 8)) < 5
    assert 120 < image.getpixel((128, 8)) < 136
    assert image.getpixel((255, 8)) > 250


@pytest.mark.parametrize(("mode", "fmt", "expected_mode"), [
    ("L", "JPEG", "L"), ("LA", "PNG", "LA"), ("1", "PNG", "L"), ("P", "PNG", "RGB"), ("CMYK", "JPEG", "RGB"),
    ("I;16", "PNG", "L"), ("RGBA", "WEBP", "RGBA"),
])
def test_every_decoded_mode_is_handled(mode, fmt, expected_mode):
    source = images.gradient((120, 60), "L")
    if mode == "LA":
        source = Image.merge("LA", (source, source.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    elif mode == "RGBA":
        source = images.half_transparent((120, 60))
    else:
        source = source.convert(mode)
    image = decoded(make_thumbnail(images.encode(source, fmt), (60, 60)))
    assert image.size == (60, 30) and image.mode == expected_mode


def test_cmyk_jpeg_colours_come_out_right():
    cmyk = Image.new("CMYK", (80, 80), (0, 255, 255, 0))  # full magenta + yellow = red
    image = decoded(make_thumbnail(images.encode(cmyk, "JPEG"), (40, 40)))
    assert image.mode == "RGB" and close(image.getpixel((20, 20)), images.RED, 30)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_pixels_in_a_non_srgb_icc_profile_are_converted_to_srgb(fmt):
    data = images.encode(Image.new("RGB", (80, 80), images.RED), fmt, icc_profile=images.swapped_rgb_profile())
    image = decoded(make_thumbnail(data, (40, 40)))
    assert close(image.getpixel((20, 20)), images.BLUE, 8)  # red in that profile is sRGB blue
    assert "icc_profile" not in image.info


def test_an_srgb_profile_leaves_pixels_alone():
    from PIL import ImageCms
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = images.encode(Image.new("RGB", (80, 80), (200, 100, 50)), "PNG", icc_profile=srgb)
    assert close(decoded(make_thumbnail(data, (40, 40))).getpixel((20, 20)), (200, 100, 50), 1)


def test_a_broken_icc_profile_does_not_cost_the_image():
    data = images.encode(Image.new("RGB", (80, 80), images.RED), "PNG", icc_profile=b"not a profile" * 20)
    assert close(decoded(make_thumbnail(data, (40, 40))).getpixel((20, 20)), images.RED, 2)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_gps_xmp_and_comments_are_stripped(fmt):
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><secret>home address</secret></x:xmpmeta>'
    options = {"exif": images.exif(orientation=1, gps=True), "xmp": xmp}
    if fmt == "JPEG":
        options["comment"] = b"private comment"
    if fmt == "PNG":  # PNG carries XMP in an iTXt chunk
        from PIL import PngImagePlugin
        options["pnginfo"] = PngImagePlugin.PngInfo()
        options["pnginfo"].add_itxt("XML:com.adobe.xmp", options.pop("xmp").decode())
    source = images.encode(images.gradient(), fmt, **options)
    assert b"home address" in source  # the test input really carries the metadata
    result = make_thumbnail(source, (50, 50))
    for needle in (b"home address", b"private comment", b"TestCam", b"Exif\x00\x00", b"xmpmeta"):
        assert needle not in result.data
    image = decoded(result)
    assert not image.getexif() and "xmp" not in image.info and "comment" not in image.info


def test_png_text_chunks_are_not_copied():
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "someone private")
    result = make_thumbnail(images.encode(images.gradient(), "PNG", pnginfo=info), (50, 50))
    assert b"someone private" not in result.data


def test_jpeg_quality_changes_the_output_size():
    data = images.encode(images.gradient((400, 400)), "JPEG", quality=95)
    low, high = (make_thumbnail(data, (200, 200), quality=q) for q in (20, 95))
    assert len(low.data) < len(high.data)
    assert Image.open(io.BytesIO(low.data)).size == (200, 200)
