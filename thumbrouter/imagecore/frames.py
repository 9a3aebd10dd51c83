"""Walk containers before any decoder runs, bounded: GIF and WebP frames, PNG chunks.

Pillow's GIF n_frames walks every frame in Python (2 million 1x1 frames: 8 s), and libwebp's
demuxer indexes every frame when the file is opened. These walks read headers only and stop once
the count passes the limit, so their cost is bounded by the limit, not by the file. Pillow's PNG
reader walks every chunk in Python too (a 12 MB file of a million empty chunks: 2.8 s) and inflates
every zTXt/iTXt chunk up to 1 MB each, so PNG chunks are counted the same way.
"""

import re
import struct

from .errors import TooManyChunksError, TooManyFramesError

_GIF_BLOCK_START = re.compile(rb"[\x21\x2c\x3b]")  # extension, image descriptor, trailer
# A GIF encoder writes full 255-byte sub-blocks: a GIF of MAX_BYTES (50 MB) holds at most ~205k of them.
# Millions of tiny ones only make a walker (ours, and Pillow's on open) slow: ours walks ~5 M blocks a
# second, so this bound keeps a refusal near 0.05 s (at 1 M it measured 0.13-0.24 s, over the 0.2 s target).
MAX_GIF_BLOCKS = 262_144
MAX_EXTRA_RIFF_CHUNKS = 64  # ICCP, EXIF, XMP, ANIM, ALPH... besides the frames
# libpng writes 8 KB IDAT chunks: a 50 MB PNG has ~6,400; text chunks are a handful (we strip them anyway).
MAX_PNG_CHUNKS = 65_536
MAX_PNG_TEXT_CHUNKS = 64
_PNG_TEXT = frozenset({b"tEXt", b"zTXt", b"iTXt"})


def count_frames(data: bytes, max_frames: int) -> int | None:
    """Frames of a GIF or WebP, at most max_frames + 1 counted; None for other formats.

    Raises TooManyFramesError when there are more than max_frames.
    """
    if data[:6] in (b"GIF87a", b"GIF89a"):
        frames = _gif_frames(data, max_frames + 1)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        frames = _webp_frames(data, max_frames + 1)
    else:
        return None
    if frames > max_frames:
        raise TooManyFramesError(f"this animation has more than {max_frames} frames (max_frames)")
    return frames


def check_png_chunks(data: bytes) -> None:
    """Count a PNG's chunks (all of them, and text ones) up to IEND; nothing for other formats.

    Raises TooManyChunksError past MAX_PNG_CHUNKS chunks or MAX_PNG_TEXT_CHUNKS text chunks.
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return
    position, chunks, texts = 8, 0, 0
    while position + 8 <= len(data):
        kind = data[position + 4:position + 8]
        chunks += 1
        texts += kind in _PNG_TEXT
        if chunks > MAX_PNG_CHUNKS or texts > MAX_PNG_TEXT_CHUNKS:
            raise TooManyChunksError(f"this PNG has more than {MAX_PNG_CHUNKS} chunks or {MAX_PNG_TEXT_CHUNKS} "
                                     f"text chunks")
        if kind == b"IEND":
            return
        position += 12 + int.from_bytes(data[position:position + 4], "big")


def webp_canvas(data: bytes) -> tuple[int, int] | None:
    """The canvas a WebP declares (VP8X, else the VP8L or VP8 bitstream header), or None.

    libwebp's animation decoder, which Pillow opens every WebP with, allocates it at once.
    """
    if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP") or len(data) < 30:
        return None
    kind = data[12:16]
    if kind == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if kind == b"VP8L" and data[20] == 0x2F:
        bits = struct.unpack_from("<I", data, 21)[0]
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if kind == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    return None


def _gif_frames(data: bytes, stop_at: int) -> int:
    """Image descriptors, walked as Pillow's GifImagePlugin walks them (stray bytes are skipped)."""
    flags = data[10] if len(data) > 10 else 0
    position = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames, blocks = 0, 0
    while frames < stop_at:
        found = _GIF_BLOCK_START.search(data, position)
        if found is None or data[found.start()] == 0x3B:
            break
        position = found.start()
        if data[position] == 0x21:
            position, blocks = _skip_sub_blocks(data, position + 2, blocks)
            continue
        if position + 10 > len(data):
            break
        frames += 1
        local = data[position + 9]
        position = 10 + position + (3 << ((local & 7) + 1) if local & 0x80 else 0) + 1
        position, blocks = _skip_sub_blocks(data, position, blocks)
    return max(frames, 1)


def _skip_sub_blocks(data: bytes, position: int, blocks: int) -> tuple[int, int]:
    while position < len(data) and data[position]:
        position += data[position] + 1
        blocks += 1
        if blocks > MAX_GIF_BLOCKS:
            raise TooManyFramesError(f"this GIF has more than {MAX_GIF_BLOCKS} data blocks")
    return position + 1, blocks


def _webp_frames(data: bytes, stop_at: int) -> int:
    """ANMF chunks of the RIFF container (a still WebP has none: one frame)."""
    position, frames, others = 12, 0, 0
    while position + 8 <= len(data) and frames < stop_at:
        length = struct.unpack_from("<I", data, position + 4)[0]
        if data[position:position + 4] == b"ANMF":
            frames += 1
        else:
            others += 1
            if others > MAX_EXTRA_RIFF_CHUNKS:
                raise TooManyFramesError(f"this WebP has more than {MAX_EXTRA_RIFF_CHUNKS} chunks besides its frames")
        position += 8 + length + (length & 1)
    return max(frames, 1)
