"""The fast PNG writer is lossless and valid for every mode it accepts."""

import io
import random
import zlib

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

    monkeypatch.setattr(png, "zlib_ng", None)  # as where zlib-ng is not installed
    picture = noisy("RGBA")
    assert Image.open(io.BytesIO(encode_png(picture))).tobytes() == picture.tobytes()


def ramps(size) -> Image.Image:
    starts = random.Random(1).randbytes(size[1])
    return Image.frombytes("L", size, bytes((start + x) % 256 for start in starts for x in range(size[0])))


def row_filters(data: bytes, picture: Image.Image) -> set[int]:
    """The filter byte of every row of a PNG written by encode_png (one IDAT)."""
    stream = data[data.index(b"IDAT") + 4:data.index(b"IEND") - 8]
    rows = zlib.decompress(stream)
    stride = picture.width * len(picture.getbands()) + 1
    return {rows[at] for at in range(0, len(rows), stride)}


@pytest.mark.parametrize(("picture", "expected"), [
    (lambda: Image.effect_noise((300, 200), 120).convert("L"), {0}),  # nothing predicts noise
    (lambda: ramps((300, 200)), {1}),  # each row ramps left to right from its own start
    (lambda: noisy("L", (300, 1)).resize((300, 200)), {2}),  # every row repeats the first
])
def test_each_strip_keeps_the_filter_that_predicts_it_and_every_pixel(picture, expected):
    image = picture()
    data = encode_png(image)
    assert row_filters(data, image) == expected
    assert Image.open(io.BytesIO(data)).tobytes() == image.tobytes()
