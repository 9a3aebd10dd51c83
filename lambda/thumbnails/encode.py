"""Encode the finished thumbnail: one small table of per-format settings, nothing else.

Chosen by measurement (bench/thumbnails.py, bench/results/thumbnails.md):
- PNG is lossless whatever the zlib settings, so they only trade time for bytes. Above
  FAST_PNG_PIXELS, zlib's run-length strategy (Z_RLE) at level 1 over Pillow's adaptive row
  filters is ~4x faster than the default level 6 and, on photos and gradients, smaller than
  libvips' default output. Small thumbnails take the best compression: it costs a few ms at most.
- JPEG: the caller's quality, libjpeg's default 4:2:0 chroma subsampling (as libvips below Q90),
  baseline, no Huffman optimisation pass (libvips' default too), no metadata.
- WebP: the caller's quality, libwebp's default method 4. GIF: Pillow's defaults.
"""

import io

from PIL import Image

FAST_PNG_PIXELS = 256 * 256
Z_RLE = 3


def encode(image: Image.Image, output_format: str, quality: int) -> bytes:
    """Encode to `output_format`. Raises OSError/ValueError only on a Pillow bug (callers let it surface)."""
    buffer = io.BytesIO()
    image.save(buffer, output_format, **_options(image, output_format, quality))
    return buffer.getvalue()


def _options(image: Image.Image, output_format: str, quality: int) -> dict:
    if output_format == "JPEG":
        return {"quality": quality}
    if output_format == "WEBP":
        return {"quality": quality, "method": 4}
    if output_format == "PNG":
        if image.width * image.height > FAST_PNG_PIXELS:
            return {"compress_level": 1, "compress_type": Z_RLE}
        return {"compress_level": 9}
    return {}
