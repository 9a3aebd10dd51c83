"""The fast PNG writer is lossless and valid for every mode it accepts."""

import io

import pytest
from PIL import Image

from tests.support import images
from thumbrouter.imagecore.png import STRIP, encode_png


def noisy(mode: str, size=(300, STRIP * 2 + 7)) -> Image.Image:
    picture = Image.effect_noise(size, 60).convert("L")
    bands = {"L": [picture], "LA": [picture, picture.rotate(90, expand=False)],
             "RGB": [picture, picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT), picture.rotate(180)]}
    bands["RGBA"] = bands["RGB"] + [images.gradient(size, "L")]
    return Image.merge(mode, bands[mode])


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA"])
def test_fast_png_round_trips_every_pixel_exactly(mode):
    picture = noisy(mode)
    decoded = Image.open(io.BytesIO(encode_png(picture)))
    decoded.load()
    assert decoded.format == "PNG" and decoded.mode == mode and decoded.size == picture.size
    assert decoded.tobytes() == picture.tobytes()


def test_fast_png_compresses_smooth_pictures():
    picture = images.gradient((800, 600))
    assert len(encode_png(picture)) < len(picture.tobytes()) / 20


def test_fast_png_refuses_modes_it_cannot_write():
    with pytest.raises(ValueError):
        encode_png(Image.new("P", (10, 10)))


@pytest.mark.parametrize("size", [(1, 1), (1, 200), (200, 1), (3, STRIP + 1), (5000, 2)])
def test_fast_png_handles_degenerate_shapes(size):
    picture = Image.effect_noise(size, 50).convert("RGBA")
    decoded = Image.open(io.BytesIO(encode_png(picture)))
    assert decoded.tobytes() == picture.tobytes()


def test_fast_png_writes_the_same_pixels_with_the_standard_zlib_module(monkeypatch):
    from thumbrouter.imagecore import png

    monkeypatch.setattr(png, "isal_zlib", None)  # the Lambda zip has no isal binding
    picture = noisy("RGBA")
    assert Image.open(io.BytesIO(encode_png(picture))).tobytes() == picture.tobytes()
