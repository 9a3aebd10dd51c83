"""Encode the finished thumbnail: one small table of per-format settings, nothing else.

Chosen by measurement (bench/thumbnails.py, bench/results/thumbnails.md):
- PNG is lossless whatever the settings, so they only trade time for bytes. Above
  FAST_PNG_PIXELS, png.encode_png (None, Sub or Up per strip, zlib's Z_RLE) is faster than
  Pillow's default level 6 (bench/results/hotpaths.md, the PNG rows) and still smaller than libvips' default
  output on the corpus. Small
  thumbnails take zlib level 7: on the mate PNGs at 50x50 level 9 cost 0.8-2.5 ms per thumbnail
  for 1-2% fewer bytes, level 7 0.14-0.5 ms, and both stay under libvips' default PNG.
- JPEG: the caller's quality, libjpeg's default 4:2:0 chroma subsampling (as libvips below Q90),
  baseline, no Huffman optimisation pass (libvips' default too), no metadata.
- WebP: the caller's quality, libwebp's default method 4. GIF: Pillow's defaults.
- AVIF: the caller's quality less 25 and libavif speed 8. Measured on a 1440 photo (Wood.jpg): JPEG q85
  127 KB at 42.3 dB PSNR, WebP q85 66 KB at 41.4 dB, AVIF q60 speed 8 49 KB at 41.2 dB in about the
  CPU time of WebP (speed 6 saves 9% more bytes for 3x the CPU).
"""

import io

from PIL import Image

from .png import COLOUR_TYPES, encode_png

FAST_PNG_PIXELS = 256 * 256
AVIF_QUALITY_OFFSET = 25  # AVIF at q-25 looks like JPEG at q (PSNR above)


def encode(image: Image.Image, output_format: str, quality: int) -> bytes:
    """Encode to `output_format`. Raises OSError/ValueError only on a Pillow bug (callers let it surface)."""
    if output_format == "PNG" and image.width * image.height > FAST_PNG_PIXELS and image.mode in COLOUR_TYPES:
        return encode_png(image)
    buffer = io.BytesIO()
    image.save(buffer, output_format, **_options(image, output_format, quality))
    return buffer.getvalue()


def _options(image: Image.Image, output_format: str, quality: int) -> dict:
    if output_format == "JPEG":
        return {"quality": quality}
    if output_format == "WEBP":
        return {"quality": quality, "method": 4}
    if output_format == "AVIF":
        return {"quality": max(1, quality - AVIF_QUALITY_OFFSET), "speed": 8}
    if output_format == "PNG":
        return {"compress_level": 7}
    return {}
