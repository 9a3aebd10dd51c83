"""Bad input fails with a typed error before any full decode; broken files degrade, never crash."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import EpsImagePlugin, FitsImagePlugin, Image

from tests.imagecore.helpers import close, decoded
from tests.support import images
from thumbrouter.imagecore import (
    DEFAULT_MAX_PIXELS,
    DecodeError,
    EmptyImageError,
    ImageTooLargeError,
    InvalidSizeError,
    NotAnImageError,
    ThumbnailError,
    UnsupportedFormatError,
    make_thumbnail,
)

REPO = Path(__file__).resolve().parents[2]


def test_empty_input_is_rejected():
    with pytest.raises(EmptyImageError):
        make_thumbnail(b"")


def test_a_text_file_named_jpg_is_not_an_image():
    with pytest.raises(NotAnImageError):
        make_thumbnail(b"this is a shopping list, saved as list.jpg\n" * 10)


@pytest.mark.parametrize("data", [images.EPS_BYTES, images.FITS_BYTES], ids=["eps", "fits"])
def test_eps_and_fits_bytes_named_png_are_refused_without_running_their_parsers(data, monkeypatch):
    def forbidden(self):
        raise AssertionError("a refused format's parser ran")
    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", forbidden)
    monkeypatch.setattr(FitsImagePlugin.FitsImageFile, "_open", forbidden)
    with pytest.raises(UnsupportedFormatError):
        make_thumbnail(data)


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "ICO"])
def test_other_real_images_are_unsupported_formats(fmt):
    with pytest.raises(UnsupportedFormatError):
        make_thumbnail(images.encode(images.gradient((64, 64)), fmt))


def test_a_pixel_bomb_declared_in_a_png_header_is_rejected():
    with pytest.raises(ImageTooLargeError):
        make_thumbnail(images.png_pixel_bomb(50_000, 50_000))


def test_max_pixels_is_checked_before_decoding():
    with pytest.raises(ImageTooLargeError, match="pixels"):
        make_thumbnail(images.png_pixel_bomb(3000, 3000), max_pixels=1_000_000)


def test_a_max_pixels_above_pillows_own_limit_is_refused_rather_than_silently_capped():
    with pytest.raises(InvalidSizeError, match="MAX_IMAGE_PIXELS"):
        make_thumbnail(images.encode(images.gradient(), "PNG"), max_pixels=Image.MAX_IMAGE_PIXELS + 1)


def test_the_default_pixel_limit_is_the_one_enforced_and_below_pillows():
    assert DEFAULT_MAX_PIXELS < Image.MAX_IMAGE_PIXELS
    side = int(DEFAULT_MAX_PIXELS ** 0.5) + 1  # just over our default, under Pillow's warning threshold
    with pytest.raises(ImageTooLargeError, match=f"limit of {DEFAULT_MAX_PIXELS} .max_pixels"):
        make_thumbnail(images.png_pixel_bomb(side, side))


def test_a_frame_bomb_counts_frames_times_pixels():
    bomb = images.gif_frame_bomb(screen=(4000, 4000), frames=5)  # 16 M pixels per frame, a few hundred bytes
    assert len(bomb) < 2000
    with pytest.raises(ImageTooLargeError, match="frame"):
        make_thumbnail(bomb, max_pixels=50_000_000)


def test_a_modest_animation_within_budget_is_accepted():
    assert make_thumbnail(images.animated_gif(), (10, 10), max_pixels=3 * 60 * 40).format == "GIF"


def test_a_pixel_bomb_is_rejected_with_little_memory_in_a_limited_process():
    script = textwrap.dedent("""
        import resource
        from thumbrouter import imagecore
        from tests.support.images import png_pixel_bomb
        bomb = png_pixel_bomb(9000, 9000)  # 81 M pixels = 243 MB once decoded; under Pillow's own limits
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        used = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (used + 64 * 2**20, hard))  # 64 MB of headroom
        try:
            imagecore.make_thumbnail(bomb, max_pixels=10_000_000)
        except imagecore.ImageTooLargeError:
            print("rejected")
        try:
            bytearray(200 * 2**20)
        except MemoryError:
            print("limit holds")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == ["rejected", "limit holds"], done.stderr


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF"])
@pytest.mark.parametrize("keep", [0.3, 0.7, 0.98])
def test_truncated_files_give_a_degraded_thumbnail_from_what_decodes(fmt, keep):
    original = images.encode(images.gradient((400, 300)), fmt)
    result = make_thumbnail(images.truncated(original, keep), (100, 100))
    image = decoded(result)
    assert result.degraded is True and image.size == (100, 75) and result.format == fmt
    expected = decoded(make_thumbnail(original, (100, 100))).convert("RGB").getpixel((5, 2))
    assert close(image.convert("RGB").getpixel((5, 2)), expected, 40)  # the top rows decoded


def test_a_progressive_jpeg_cut_short_still_gives_a_picture():
    original = images.encode(images.gradient((400, 300)), "JPEG", progressive=True)
    result = make_thumbnail(images.truncated(original, 0.8), (100, 100))
    assert result.degraded and (result.width, result.height) == (100, 75)
    assert close(decoded(result).getpixel((50, 37)), (128, 128, 128), 30)  # the early scans cover it all


def test_a_complete_file_is_not_degraded():
    assert make_thumbnail(images.encode(images.gradient(), "JPEG")).degraded is False


@pytest.mark.parametrize(("fmt", "header"), [("PNG", 60), ("GIF", 800)])
def test_corrupt_pixel_data_raises_decode_error(fmt, header):
    data = images.corrupt_after_header(images.encode(images.gradient((400, 300)), fmt), header)
    with pytest.raises(DecodeError):
        make_thumbnail(data)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
@pytest.mark.parametrize("cut", [1, 8, 20, 40])
def test_any_prefix_of_an_image_fails_only_with_a_thumbnail_error(fmt, cut):
    data = images.encode(images.gradient((400, 300)), fmt)[:cut]
    try:
        make_thumbnail(data)
    except ThumbnailError:
        pass


def test_a_webp_cut_short_is_a_decode_error_not_a_crash():
    with pytest.raises(DecodeError):
        make_thumbnail(images.truncated(images.encode(images.gradient((400, 300)), "WEBP"), 0.5))
