"""Lanczos-3 resampling with SIMD where the machine can have it, Pillow's resampler elsewhere.

cykooz-resizer (Rust, `fast_image_resize`) runs Lanczos-3 with AVX2 or SSE4.1, picked at run time:
at 1440x1440 it takes ~7 ms where Pillow's (scalar) bicubic takes ~45 ms on a 2560x1600 photo, with
the exact filter rather than a cheaper one. It ships x86_64 wheels only (no aarch64 wheel for the
Lambda's Python), so on arm64, or wherever it is not installed, `lanczos` answers None and the
caller keeps Pillow's path. `describe()` names what runs here (bench/thumbnails.py reports it).
The figures behind both paths are in bench/results/thumbnails.md.
"""

import threading

from PIL import Image

try:
    import cykooz_resizer
except ImportError:  # optional speed-up only: Pillow resizes instead (slower, see steps.resize)
    cykooz_resizer = None

# Modes fast_image_resize takes as they are (RGBA: it premultiplies alpha itself, with SIMD).
SIMD_MODES = frozenset({"L", "RGB", "RGBA", "CMYK"})
# Whole-image resizing up to 8 MP (every corpus photo, as decoded); above, bands of 256 rows cost ~25%
# more time for a fraction of the memory.
WHOLE_PIXELS = 8_000_000
BAND = 256
# A Resizer keeps its scratch buffers between calls: reusing them saved 12-18 ms CPU per 1440 preview
# against a fresh Resizer per call. One per thread; each keeps at most 4 bytes x WHOLE_PIXELS.
_LOCAL = threading.local()


def simd_path() -> str | None:
    """The SIMD instruction set the resizer uses here ("avx2", "sse4_1", "neon"), None without it."""
    if cykooz_resizer is None:
        return None
    return _resizer().cpu_extensions.name


def describe() -> str:
    """What resamples on this machine, in words (for bench reports and logs)."""
    extensions = simd_path()
    return f"SIMD Lanczos-3 ({extensions}, cykooz-resizer)" if extensions else "Pillow's resampler (no SIMD)"


def lanczos(image: Image.Image, size: tuple[int, int], region: tuple[float, float, float, float]):
    """`region` (left, top, right, bottom) of `image` scaled into `size` by Lanczos-3, or None when
    this machine has no SIMD resizer or the mode is not one it takes (the caller uses Pillow then).

    A source above WHOLE_PIXELS is resized BAND output rows at a time: the resizer keeps a (target
    width x source rows) intermediate and, for RGBA, a premultiplied copy of what it reads, so bands
    bound that memory. It reads the filter's reach outside each band: the pixels are the same.
    """
    if cykooz_resizer is None or image.mode not in SIMD_MODES:
        return None
    if image.width * image.height <= WHOLE_PIXELS:
        return _resize(image, size, region)
    result = Image.new(image.mode, size, None)
    scale = (region[3] - region[1]) / size[1]
    for first in range(0, size[1], BAND):
        last = min(first + BAND, size[1])
        band = (region[0], region[1] + first * scale, region[2], region[1] + last * scale)
        result.paste(_resize(image, (size[0], last - first), band), (0, first))
    return result


def _resize(image: Image.Image, size: tuple[int, int], region: tuple[float, float, float, float]) -> Image.Image:
    left, top, right, bottom = region
    crop = cykooz_resizer.CropBox(left, top, right - left, bottom - top)
    options = cykooz_resizer.ResizeOptions(resize_alg=_LANCZOS3, crop_box=crop)
    result = Image.new(image.mode, size, None)  # None: no fill, the resizer writes every pixel
    _resizer().resize_pil(image, result, options)
    return result


def _resizer():
    resizer = getattr(_LOCAL, "resizer", None)
    if resizer is None:
        resizer = _LOCAL.resizer = cykooz_resizer.Resizer()
    return resizer


_LANCZOS3 = (cykooz_resizer.ResizeAlg.convolution(cykooz_resizer.FilterType.lanczos3)
             if cykooz_resizer is not None else None)
