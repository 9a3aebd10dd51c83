"""Progressive JPEGs decoded at 1/8 scale without their detail scans: same picture, or not at all."""

import io
import random

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from tests.support import images
from thumbrouter.imagecore import ThumbnailError, make_thumbnail
from thumbrouter.imagecore.jpeg_scans import dc_scans_only


def busy_picture(size=(960, 640)) -> Image.Image:
    picture = images.gradient(size)
    draw = ImageDraw.Draw(picture)
    for x in range(0, size[0], 23):
        draw.line((x, 0, size[0] - x, size[1]), fill=(x % 256, 40, 200), width=3)
    return picture


def eighth_scale(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (image.width // 8, image.height // 8))
    image.load()
    return image


def test_a_progressive_jpeg_keeps_its_eighth_scale_picture_with_far_fewer_bytes():
    original = images.encode(busy_picture(), "JPEG", progressive=True, quality=92)
    slim = dc_scans_only(original)
    assert slim is not None and len(slim) < len(original) * 0.6
    difference = ImageChops.difference(eighth_scale(original), eighth_scale(slim))
    assert max(high for _, high in difference.getextrema()) <= 12  # invisible at thumbnail size


def test_the_thumbnail_of_a_big_progressive_jpeg_matches_the_full_decode(monkeypatch):
    original = images.encode(busy_picture(), "JPEG", progressive=True, quality=92)
    slimmed = []
    monkeypatch.setattr("thumbrouter.imagecore.decode.jpeg_scans.dc_scans_only",
                        lambda data: slimmed.append(dc_scans_only(data)) or slimmed[-1])
    fast = make_thumbnail(original, (60, 60))
    assert slimmed and slimmed[0] is not None  # the fast path really ran
    monkeypatch.setattr("thumbrouter.imagecore.decode.jpeg_scans.dc_scans_only", lambda data: None)
    full = make_thumbnail(original, (60, 60))
    assert (fast.width, fast.height) == (full.width, full.height) == (60, 40) and not fast.degraded
    difference = ImageChops.difference(*(Image.open(io.BytesIO(t.data)).convert("RGB") for t in (fast, full)))
    # the 1/8-scale decodes differ by up to 12 levels (above); Lanczos-3 sharpens that a little
    assert max(high for _, high in difference.getextrema()) <= 20
    assert max(ImageStat.Stat(difference).mean) < 3


@pytest.mark.parametrize("data", [
    images.encode(busy_picture(), "JPEG"),  # baseline: nothing to skip
    images.truncated(images.encode(busy_picture(), "JPEG", progressive=True), 0.7),  # no EOI: let the decoder judge
    b"\xff\xd8\xff\xda\x00", b"\xff\xd8", b"not a jpeg",
])
def test_baseline_truncated_or_malformed_streams_are_left_to_the_normal_decoder(data):
    assert dc_scans_only(data) is None


def test_a_truncated_big_progressive_jpeg_is_still_reported_degraded():
    cut = images.truncated(images.encode(busy_picture(), "JPEG", progressive=True), 0.5)
    assert make_thumbnail(cut, (60, 60)).degraded is True


def test_randomly_damaged_progressive_jpegs_fail_only_with_thumbnail_errors():
    original = bytearray(images.encode(busy_picture((480, 320)), "JPEG", progressive=True))
    rng = random.Random(7)
    for _ in range(60):
        damaged = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(2, len(damaged))] = rng.randrange(256)
        try:
            make_thumbnail(bytes(damaged), (40, 40))
        except ThumbnailError:
            pass
