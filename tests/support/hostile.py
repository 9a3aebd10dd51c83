"""Hostile images generated in code: small files that cost a decoder far more than their size.

Used by tests/imagecore/test_budgets.py (small versions, or the real ones in a memory-limited
subprocess) and by bench/hostile.py (the real ones, CASES). Every generator is deterministic.
"""

import struct
import zlib

from PIL import Image

from tests.support import hostile_heif
from tests.support.images import PNG_SIGNATURE, encode, gradient, png_chunk, swapped_rgb_profile, truncated

SOS, DHT = 0xDA, 0xC4


# ---------------------------------------------------------------- JPEG

def jpeg_segments(data: bytes) -> list[bytes]:
    """Split a well-formed JPEG into segments (a scan includes its entropy-coded data); SOI and EOI too."""
    segments, position = [data[:2]], 2
    while position < len(data):
        marker = data[position + 1]
        if marker == 0xD9:
            segments.append(data[position:position + 2])
            break
        end = position + 2 + struct.unpack_from(">H", data, position + 2)[0]
        if marker == SOS:
            end = _scan_end(data, end)
        segments.append(data[position:end])
        position = end
    return segments


def _scan_end(data: bytes, position: int) -> int:
    while True:
        position = data.index(b"\xff", position)
        if data[position + 1] not in (0x00, *range(0xD0, 0xD8), 0xFF):
            return position
        position += 1


def _sos(component: int, table: int, ss: int, se: int, ah: int, al: int) -> bytes:
    """An SOS header for one component and no entropy-coded data (an empty scan)."""
    return b"\xff\xda" + struct.pack(">HBBBBBB", 8, 1, component, table, ss, se, (ah << 4) | al)


def progressive_jpeg(size=(1024, 768), quality=90) -> bytes:
    """An ordinary progressive JPEG (libjpeg's 10-scan script), a busy picture."""
    return encode(gradient(size).rotate(7, expand=False), "JPEG", progressive=True, quality=quality)


def many_empty_scans_jpeg(scans=5000, size=(1024, 768)) -> bytes:
    """A valid progressive JPEG plus `scans` empty first-pass AC scans that libjpeg accepts silently.

    They sit after the first luma AC scan (1-5, Al=2) and cover coefficients 6-63 with Al=0, so
    the progression stays legal: only the count is hostile (each scan walks every block).
    """
    segments = jpeg_segments(progressive_jpeg(size))
    first_ac = next(i for i, s in enumerate(segments) if s[1] == SOS and s[4] == 1 and s[7] == 1)
    component, table = segments[first_ac][5], segments[first_ac][6]
    extra = _sos(component, table, 6, 63, 0, 0) * scans
    return b"".join(segments[:first_ac + 1]) + extra + b"".join(segments[first_ac + 1:])


def duplicated_ac_scans_jpeg(copies=20_000, size=(1440, 1080)) -> bytes:
    """The smallest AC scan of a progressive JPEG repeated `copies` times: a bogus progression."""
    segments = jpeg_segments(progressive_jpeg(size))
    smallest = min((s for s in segments if s[1] == SOS and s[4 + 2 * s[4] + 1] != 0), key=len)
    return b"".join(segments[:-1]) + smallest * copies + segments[-1]


def bogus_progression_jpeg(kind="ac_before_dc", size=(320, 240)) -> bytes:
    """A progressive JPEG whose scan script libjpeg only warns about (JWRN_BOGUS_PROGRESSION).

    ac_before_dc: a luma AC scan moved before the DC scan; repeat: one first-pass AC scan twice
    (its coefficients already have bits, so Ah=0 no longer matches); refine_first: a refinement
    scan (Ah>0) for coefficients no first pass has touched.
    """
    segments = jpeg_segments(progressive_jpeg(size))
    scans = [i for i, s in enumerate(segments) if s[1] == SOS]
    dc, first_ac = scans[0], scans[1]
    if kind == "ac_before_dc":
        order = segments[:dc] + [segments[first_ac - 1], segments[first_ac], segments[dc]] + \
            [s for i, s in enumerate(segments[dc + 1:], dc + 1) if i not in (first_ac - 1, first_ac)]
        return b"".join(order)
    if kind == "repeat":
        return b"".join(segments[:first_ac + 1] + [segments[first_ac]] + segments[first_ac + 1:])
    component, table = segments[first_ac][5], segments[first_ac][6]
    return b"".join(segments[:first_ac + 1]) + _sos(component, table, 6, 63, 2, 1) + b"".join(segments[first_ac + 1:])


def declared_size_jpeg(size=(9000, 9000), progressive=False, mode="RGB") -> bytes:
    """A tiny JPEG whose SOF declares `size`: libjpeg decodes the whole declared picture from almost no data."""
    data = bytearray(encode(Image.new(mode, (16, 16), 128 if mode == "L" else None), "JPEG",
                            progressive=progressive, quality=50))
    sof = next(i for i in range(2, len(data) - 1) if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC1, 0xC2))
    data[sof + 5:sof + 9] = struct.pack(">HH", size[1], size[0])
    return bytes(data)


def icc_profile(total_bytes: int, seed: int = 0) -> bytes:
    """A valid RGB matrix profile (swapped primaries) padded with a private tag to `total_bytes`."""
    base = swapped_rgb_profile()
    count = struct.unpack_from(">I", base, 128)[0]
    pad_length = max(0, total_bytes - len(base) - 12)
    pad = (struct.pack(">I", seed) * (pad_length // 4 + 1))[:pad_length]
    # Shift every tag by the 12-byte table entry we add, then append the pad tag at the end.
    table = bytearray(base[132:132 + 12 * count])
    for index in range(count):
        offset = struct.unpack_from(">I", table, 12 * index + 4)[0]
        struct.pack_into(">I", table, 12 * index + 4, offset + 12)
    body = base[132 + 12 * count:]
    pad_offset = 132 + 12 * (count + 1) + len(body)
    table += b"zpad" + struct.pack(">II", pad_offset, len(pad))
    header = bytearray(base[:128])
    struct.pack_into(">I", header, 0, pad_offset + len(pad))
    return bytes(header) + struct.pack(">I", count + 1) + bytes(table) + body + pad


def huge_icc_jpeg(profile_bytes=16_000_000, seed=0, size=(64, 48)) -> bytes:
    """A small JPEG with a distinct (by `seed`) ICC profile of `profile_bytes` (255 APP2 chunks hold 16.7 MB)."""
    return encode(gradient(size), "JPEG", icc_profile=icc_profile(profile_bytes, seed))


def app_flood_jpeg(segments=1_000_000) -> bytes:
    """A small JPEG with `segments` empty APP15 segments before its frame header (Pillow lists each one)."""
    data = encode(gradient((32, 32)), "JPEG")
    return data[:2] + b"\xff\xef\x00\x02" * segments + data[2:]


# ---------------------------------------------------------------- GIF

_GIF_FRAME_1X1 = b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00"


def gif_many_frames(frames=2_000_000) -> bytes:
    """A 1x1 GIF of `frames` frames (15 bytes each): Pillow's n_frames walks them all in Python."""
    head = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    return head + _GIF_FRAME_1X1 * frames + b";"


def gif_huge_canvas(screen=(9400, 9400)) -> bytes:
    """A ~40-byte GIF: one 1x1 frame on a logical screen of `screen` (Pillow decodes the whole screen)."""
    head = b"GIF89a" + struct.pack("<HHBBB", *screen, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    return head + _GIF_FRAME_1X1 + b";"


def gif_block_flood(blocks=20_000_000) -> bytes:
    """A 1x1 GIF whose comment extension holds `blocks` 1-byte sub-blocks (Pillow keeps each one)."""
    head = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    return head + b"\x21\xfe" + b"\x01x" * blocks + b"\x00" + _GIF_FRAME_1X1 + b";"


# ---------------------------------------------------------------- PNG

def png_of_zeros(size=(9400, 9400), bit_depth=8, colour_type=6, extra_chunks=b"") -> bytes:
    """A PNG of `size` whose pixels are all zero: a few hundred KB that decode to size x bytes per pixel."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour_type]
    row = b"\x00" * (1 + size[0] * channels * bit_depth // 8)
    compressor, parts = zlib.compressobj(9), []
    rows_per_block = max(1, (1 << 22) // len(row))
    for first in range(0, size[1], rows_per_block):
        parts.append(compressor.compress(row * min(rows_per_block, size[1] - first)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", *size, bit_depth, colour_type, 0, 0, 0)
    palette = png_chunk(b"PLTE", b"\x00\x00\x00\xff\xff\xff") if colour_type == 3 else b""
    return (PNG_SIGNATURE + png_chunk(b"IHDR", header) + extra_chunks + palette
            + png_chunk(b"IDAT", b"".join(parts)) + png_chunk(b"IEND", b""))


def png_ztxt_flood(chunks=200, size=(64, 64)) -> bytes:
    """A small PNG with `chunks` zTXt chunks each inflating to just under 1 MB (Pillow's per-chunk cap)."""
    text = zlib.compress(b"\x00" * (1024 * 1024 - 1024), 9)
    extra = b"".join(png_chunk(b"zTXt", b"k%d\x00\x00" % i + text) for i in range(chunks))
    return png_of_zeros(size, 8, 2, extra)


# ---------------------------------------------------------------- WebP

def _riff(chunks: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


def webp_lossless_declaring(size=(9400, 9400)) -> bytes:
    """A ~40-byte lossless WebP whose VP8L header declares `size`: one colour, so no pixel costs a bit."""
    data = bytearray(encode(Image.new("RGB", (16, 16), (10, 200, 30)), "WEBP", lossless=True))
    assert data[12:16] == b"VP8L", "Pillow wrote a simple lossless WebP"
    bits = struct.unpack_from("<I", data, 21)[0]
    bits = (bits & ~0xFFFFFFF) | (size[0] - 1) | ((size[1] - 1) << 14)
    struct.pack_into("<I", data, 21, bits)
    return bytes(data)


def webp_many_frames(frames=200_000) -> bytes:
    """An animated WebP of `frames` tiny frames: libwebp's demuxer indexes every one when opened."""
    pictures = [Image.new("RGB", (4, 4), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    data = encode(pictures[0], "WEBP", save_all=True, append_images=pictures[1:], lossless=True)
    chunks, position = [], 12
    while position < len(data):
        length = struct.unpack_from("<I", data, position + 4)[0]
        chunks.append(data[position:position + 8 + length + (length & 1)])
        position += 8 + length + (length & 1)
    header = [c for c in chunks if c[:4] != b"ANMF"]
    frames_ = [c for c in chunks if c[:4] == b"ANMF"]
    return _riff(b"".join(header) + b"".join(frames_[i % 2] for i in range(frames)))


def webp_canvas(size=(9400, 9400)) -> bytes:
    """An animated WebP with one 4x4 frame on a `size` canvas (VP8X): libwebp decodes the whole canvas."""
    data = bytearray(webp_many_frames(1))
    assert data[12:16] == b"VP8X"
    data[24:30] = (size[0] - 1).to_bytes(3, "little") + (size[1] - 1).to_bytes(3, "little")
    return bytes(data)


def heif_declaring(fmt="HEIF", size=(8944, 8944)) -> bytes:
    """A 64x64 HEIC or AVIF whose container (every `ispe`) declares `size`."""
    from tests.support.images import avif_bytes, declaring, gradient, heic_bytes

    return declaring((heic_bytes if fmt == "HEIF" else avif_bytes)(gradient((64, 64))), size)


def avif_many_frames(frames=1001) -> bytes:
    """An AVIF sequence of tiny frames: libavif indexes them all on open."""
    import io

    from PIL import Image

    first = Image.new("RGB", (16, 16))
    out = io.BytesIO()
    first.save(out, "AVIF", save_all=True, append_images=[first] * (frames - 1), speed=10)
    return out.getvalue()



# ---------------------------------------------------------------- the corpus

MAX_PIXEL_SIDE = 8944  # 8944^2 = 79.99 M pixels: just under the default pixel limit

CASES = {
    "jpeg-5k-empty-scans": lambda: many_empty_scans_jpeg(5000),
    "jpeg-20k-empty-scans-2k": lambda: many_empty_scans_jpeg(20_000, (2048, 1536)),
    "jpeg-20k-duplicated-ac-scans": lambda: duplicated_ac_scans_jpeg(20_000),
    "jpeg-bogus-progression": lambda: bogus_progression_jpeg("ac_before_dc", (4000, 3000)),
    "jpeg-declares-8944x8944-baseline": lambda: declared_size_jpeg((MAX_PIXEL_SIDE,) * 2),
    "jpeg-declares-8944x8944-progressive": lambda: declared_size_jpeg((MAX_PIXEL_SIDE,) * 2, progressive=True),
    "jpeg-cmyk-progressive-8944x8944": lambda: declared_size_jpeg((MAX_PIXEL_SIDE,) * 2, True, "CMYK"),
    "jpeg-16mb-icc": lambda: huge_icc_jpeg(),
    "jpeg-1m-app-segments": lambda: app_flood_jpeg(1_000_000),
    "jpeg-truncated-progressive": lambda: truncated(progressive_jpeg((4000, 3000)), 0.7),
    "webp-lossless-40b-9400x9400": lambda: webp_lossless_declaring((9400, 9400)),
    "webp-lossless-40b-4000x4000": lambda: webp_lossless_declaring((4000, 4000)),
    "webp-animated-canvas-9400x9400": lambda: webp_canvas((9400, 9400)),
    "webp-animated-200k-frames": lambda: webp_many_frames(200_000),
    "gif-43b-8944x8944-canvas": lambda: gif_huge_canvas((MAX_PIXEL_SIDE,) * 2),
    "gif-2m-frames": lambda: gif_many_frames(2_000_000),
    "gif-20m-comment-sub-blocks": lambda: gif_block_flood(20_000_000),
    "png-rgba16-8944x8944": lambda: png_of_zeros((MAX_PIXEL_SIDE,) * 2, 16, 6),
    "png-grey16-8944x8944": lambda: png_of_zeros((MAX_PIXEL_SIDE,) * 2, 16, 0),
    "png-rgba8-8944x8944": lambda: png_of_zeros((MAX_PIXEL_SIDE,) * 2, 8, 6),
    "png-palette-8944x8944": lambda: png_of_zeros((MAX_PIXEL_SIDE,) * 2, 8, 3),
    "png-200-ztxt-chunks": lambda: png_ztxt_flood(200),
    "png-1m-empty-chunks": lambda: png_of_zeros((64, 64), 8, 2, png_chunk(b"prVt", b"") * 1_000_000),
    "heic-64px-declaring-8944x8944": lambda: heif_declaring("HEIF"),
    "avif-64px-declaring-8944x8944": lambda: heif_declaring("AVIF"),
    "avif-1001-frames": lambda: avif_many_frames(1001),
    **hostile_heif.CASES,
}
