"""The ISA-L PNG reader gives Pillow's pixels exactly, and hands back whatever it cannot decode cleanly."""

import io
import random
import struct
import zlib

import pytest
from PIL import Image

from tests.support import images
from thumbrouter.imagecore import decode, make_thumbnail, png_read
from thumbrouter.imagecore.errors import DecodeError

# (PNG colour type, bit depth, samples per pixel)
KINDS = [(0, 1, 1), (0, 4, 1), (0, 8, 1), (0, 16, 1), (2, 8, 3), (2, 16, 3), (3, 8, 1), (3, 2, 1),
         (4, 8, 2), (4, 16, 2), (6, 8, 4), (6, 16, 4)]
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png(width, height, colour, depth, rows: bytes, idat_size=None, interlace=0, before=b"", after=b"") -> bytes:
    header = images.png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace))
    if colour == 3:
        header += images.png_chunk(b"PLTE", bytes(range(256)) * 3)
    stream = zlib.compress(rows, 6)
    size = idat_size or len(stream) or 1
    idats = b"".join(images.png_chunk(b"IDAT", stream[i:i + size]) for i in range(0, len(stream), size))
    return images.PNG_SIGNATURE + header + before + idats + after + images.png_chunk(b"IEND", b"")


def row_bytes(width, depth, samples) -> int:
    return (width * depth * samples + 7) // 8


def random_rows(rng, width, height, depth, samples, filters=range(5)) -> bytes:
    stride = row_bytes(width, depth, samples)
    return b"".join(bytes([rng.choice(filters)]) + rng.randbytes(stride) for _ in range(height))


def both_ways(data: bytes):
    ordinary = Image.open(io.BytesIO(data))
    ordinary.load()
    fast = Image.open(io.BytesIO(data))
    assert png_read.can_load(fast)
    return ordinary, fast, png_read.load(fast)


@pytest.mark.parametrize("colour,depth,samples", KINDS)
@pytest.mark.parametrize("seed", range(3))
def test_every_kind_of_png_decodes_to_pillows_pixels(colour, depth, samples, seed):
    rng = random.Random(seed * 100 + colour * 17 + depth)
    width, height = rng.randint(1, 700), rng.randint(1, 300)  # rows reaching past one inflate slice
    data = png(width, height, colour, depth, random_rows(rng, width, height, depth, samples),
               idat_size=rng.choice([None, 1, 7, 8192]))
    ordinary, fast, finished = both_ways(data)
    assert finished
    assert (fast.mode, fast.size, fast.tobytes()) == (ordinary.mode, ordinary.size, ordinary.tobytes())


def test_pixels_much_larger_than_a_slice_and_pillows_own_filters_decode_the_same():
    picture = Image.effect_noise((1500, 900), 40).convert("RGB").resize((1500, 900))
    data = images.encode(Image.merge("RGBA", (*picture.split(), picture.convert("L"))), "PNG")
    ordinary, fast, finished = both_ways(data)
    assert finished and fast.tobytes() == ordinary.tobytes()
    assert len(ordinary.tobytes()) > 10 * png_read.SLICE


def adam7_rows(pixels: bytes, width: int, height: int) -> bytes:
    """Grey 8-bit pixels as the seven Adam7 passes, every row unfiltered."""
    out = []
    for x0, y0, dx, dy in ADAM7:
        for y in range(y0, height, dy):
            line = bytes(pixels[y * width + x] for x in range(x0, width, dx))
            if line:
                out.append(b"\0" + line)
    return b"".join(out)


def test_an_interlaced_png_decodes_to_its_pixels():
    width, height = 37, 23
    pixels = random.Random(7).randbytes(width * height)
    ordinary, fast, finished = both_ways(png(width, height, 0, 8, adam7_rows(pixels, width, height), interlace=1))
    assert finished and fast.tobytes() == pixels == ordinary.tobytes()


def test_text_and_exif_after_the_pixels_are_read_as_pillow_reads_them():
    exif = images.exif(orientation=6).tobytes()
    after = images.png_chunk(b"tEXt", b"Comment\0after the pixels") + images.png_chunk(b"eXIf", exif)
    rng = random.Random(3)
    data = png(40, 30, 2, 8, random_rows(rng, 40, 30, 8, 3), after=after)
    ordinary, fast, finished = both_ways(data)
    assert finished
    assert fast.info == ordinary.info and fast.info["Comment"] == "after the pixels"
    assert decode.read_orientation(fast) == 6


def test_rows_beyond_the_picture_are_never_inflated():
    rng = random.Random(5)
    rows = random_rows(rng, 64, 16, 8, 1, filters=[0]) + bytes(200 * png_read.SLICE)  # 50 MiB of zeros after
    data = png(64, 16, 0, 8, rows, idat_size=1024)
    fast = Image.open(io.BytesIO(data))
    read, taken = fast.load_read, []
    fast.load_read = lambda size: taken.append(read(size)) or taken[-1]
    assert png_read.load(fast)
    assert fast.tobytes() == rows_of(rows, 64, 16)
    assert sum(map(len, taken)) < len(data) / 10  # it stopped reading once the last row was written


def rows_of(rows: bytes, width: int, height: int) -> bytes:
    """Unfiltered grey rows (filter 0 only) without their filter bytes."""
    return b"".join(rows[y * (width + 1) + 1:(y + 1) * (width + 1)] for y in range(height))


def outcome(data: bytes):
    """What decode.load makes of the bytes: (pixels, degraded), or the error's type."""
    try:
        picture, degraded = decode.load(data, Image.open(io.BytesIO(data)), None)
    except DecodeError as exc:
        return type(exc)
    return picture.tobytes(), degraded


@pytest.mark.parametrize("damage", ["truncated", "bad filter", "bad deflate", "too few rows", "no pixels"])
def test_what_it_cannot_decode_cleanly_goes_back_to_the_ordinary_decoder(monkeypatch, damage):
    rng = random.Random(11)
    rows = random_rows(rng, 300, 200, 8, 3)
    data = {
        "truncated": lambda: images.truncated(png(300, 200, 2, 8, rows), 0.5),
        "bad filter": lambda: png(300, 200, 2, 8, rows[:901 * 50] + b"\x09" + rows[901 * 50 + 1:]),
        "bad deflate": lambda: images.corrupt_after_header(png(300, 200, 2, 8, rows), 200),
        "too few rows": lambda: png(300, 200, 2, 8, rows[:901 * 120]),
        "no pixels": lambda: png(300, 200, 2, 8, b""),
    }[damage]()
    assert not png_read.load(Image.open(io.BytesIO(data)))
    ours = outcome(data)
    monkeypatch.setattr(png_read, "isal_zlib", None)
    assert ours == outcome(data)


def test_without_isal_pillow_decodes_as_before(monkeypatch):
    monkeypatch.setattr(png_read, "isal_zlib", None)
    assert not png_read.can_load(Image.open(io.BytesIO(images.encode(images.gradient(), "PNG"))))


def test_an_animated_png_is_left_to_pillow():
    frames = [images.gradient((30, 20)), images.half_transparent((30, 20)).convert("RGB")]
    data = images.encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert not png_read.can_load(Image.open(io.BytesIO(data)))


@pytest.mark.parametrize("box", [(50, 50), (1440, 1440)])
def test_a_picture_with_alpha_gets_the_same_thumbnail_with_and_without_the_reader(monkeypatch, box):
    data = images.encode(images.half_transparent((1600, 1000)), "PNG")
    ours = make_thumbnail(data, box, quality=85)
    monkeypatch.setattr(png_read, "isal_zlib", None)
    assert make_thumbnail(data, box, quality=85).data == ours.data


@pytest.mark.parametrize("seed", range(60))
def test_damaged_pngs_come_out_as_the_ordinary_decoder_makes_them(monkeypatch, seed):
    rng = random.Random(seed)
    kind = KINDS[seed % len(KINDS)]
    data = bytearray(png(90, 60, kind[0], kind[1], random_rows(rng, 90, 60, kind[1], kind[2]), idat_size=300))
    for _ in range(rng.randint(1, 4)):  # flip bytes after the header, where the pixel data is
        data[rng.randrange(40, len(data))] ^= 1 << rng.randrange(8)
    data = bytes(data[:rng.randint(len(data) // 2, len(data))])
    if seed % 3 == 0:  # and damaged chunks after the pixels
        data = data[:-12] + images.png_chunk(b"zTXt", b"k\0\0" + rng.randbytes(40)) + data[-12:]
    try:
        Image.open(io.BytesIO(data))
    except Exception:  # noqa: BLE001 -- a damaged header: the pipeline refuses it before decoding
        pytest.skip("the damage hit the headers")
    ours = outcome(data)
    monkeypatch.setattr(png_read, "isal_zlib", None)
    assert ours == outcome(data)
