"""The image steps of a thumbnail, each a plain function `step(image, job) -> image`.

pipeline.STEPS lists them in the order they run. Expensive work happens on the small image:
only the mode normalisation (needed so the resampler can run) touches the full-size pixels.
"""

import io
import math
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image

from . import resample
from .cache import ByteBoundedCache
from .geometry import plan

# With the SIMD resizer (resample.py): Lanczos-3 below a 4x ratio and for RGBA at any ratio. Without it,
# or at 4x and more for other modes, as follows.
# Big ratios (>= 4x): Image.reduce() takes the integer part first (reducing gap 2, as libvips' resize),
# then Lanczos-3 (libvips' kernel) on an image already small, so it costs nothing measurable.
# Small ratios (1440x1440 previews): bicubic, 12% faster there than Lanczos-3. Against an exact
# Lanczos-3 resize it measured 52-56 dB PSNR on the corpus photos (libvips: 56-58 dB) and 43 dB on
# a finely textured painting, where it renders canvas texture slightly softer at 2x zoom.
# A JPEG decoded at 1/2 scale with no margin (geometry.draft_box) ends with Lanczos-3 on the small image.
RESAMPLE = Image.Resampling.BICUBIC
RESAMPLE_AFTER_REDUCE = Image.Resampling.LANCZOS
REDUCING_GAP = 2.0
_SUPPORT = {Image.Resampling.BICUBIC: 2.0, Image.Resampling.LANCZOS: 3.0}  # filter radius in target pixels
BAND = 128
WHITE = (255, 255, 255)
_RESAMPLABLE = {"L", "LA", "RGB", "RGBA", "CMYK"}
_COLOUR_MODES = {"RGB": "RGB", "RGBA": "RGBA", "CMYK": "RGB"}


@dataclass(frozen=True)
class Job:
    """What the steps need to know besides the pixels."""

    box: tuple[int, int]  # in stored axes (see geometry.stored_box)
    mode: str  # "fit" | "cover"
    output_format: str  # "JPEG" | "PNG" | "WEBP" | "GIF"
    orientation: int  # EXIF 1-8
    icc_profile: bytes | None
    dct_scaled: bool = False  # a JPEG decoded at 1/2, 1/4 or 1/8 scale


def normalize_mode(image: Image.Image, job: Job) -> Image.Image:
    """Bring any decoded mode to an 8-bit mode the resampler handles (L, LA, RGB, RGBA, CMYK)."""
    if image.mode.startswith("I"):
        # 16/32-bit grey: scale 0..65535 to 0..255 (a plain convert would clip everything to white)
        return image.point(lambda value: value / 257).convert("L")
    colour_key = "transparency" in image.info  # palette or RGB/L tRNS: becomes a real alpha band
    if colour_key or image.mode in ("P", "PA", "1") or image.mode not in _RESAMPLABLE:
        has_alpha = colour_key or image.mode in ("PA", "RGBa", "La")
        image = image.convert("RGBA" if has_alpha else ("L" if image.mode == "1" else "RGB"))
    return image


def resize(image: Image.Image, job: Job) -> Image.Image:
    """Scale to the box: `fit` keeps the whole picture, `cover` fills the box and cuts the centre."""
    target = plan(image.size, job.box, job.mode)
    if target.size == image.size and target.region == (0, 0, *image.size):
        return image
    ratio = max((target.region[2] - target.region[0]) / target.size[0],
                (target.region[3] - target.region[1]) / target.size[1])
    reduce_first = ratio >= 2 * REDUCING_GAP and image.mode != "RGBA"  # Image.reduce() is cheaper there
    simd = None if reduce_first else resample.lanczos(image, target.size, target.region)
    if simd is not None:
        return simd
    if ratio >= 2 * REDUCING_GAP:  # Image.reduce() runs first; what follows is small
        return image.resize(target.size, RESAMPLE_AFTER_REDUCE, box=target.region, reducing_gap=REDUCING_GAP)
    # decoded at 1/2 scale right down to the box (geometry.draft_box): the rest is a small, cheap step
    kernel = RESAMPLE_AFTER_REDUCE if job.dct_scaled and ratio < 2 else RESAMPLE
    return _resize_in_bands(image, target.size, target.region, kernel)


def _resize_in_bands(image: Image.Image, size: tuple[int, int], region, resample=RESAMPLE) -> Image.Image:
    """The same resize, BAND output rows at a time, so no full-size intermediate is ever held.

    Pillow's resize keeps a (target width x source height) intermediate and, for alpha, a
    premultiplied copy of the whole source; at 1440x1440 those cost more memory than libvips'
    whole streaming pipeline. Each band reads its source rows plus the filter's reach, so the
    pixels are the same up to rounding (Pillow keeps the box in float32, which can add or drop a
    near-zero tap: a few levels at hard edges, mean difference < 0.05).
    """
    result = Image.new(image.mode, size)
    scale = (region[3] - region[1]) / size[1]
    reach = math.ceil(_SUPPORT.get(resample, 3.0) * max(scale, 1.0)) + 1
    for first in range(0, size[1], BAND):
        last = min(first + BAND, size[1])
        top, bottom = region[1] + first * scale, region[1] + last * scale
        rows = (max(0, math.floor(top) - reach), min(image.height, math.ceil(bottom) + reach))
        source = image.crop((0, rows[0], image.width, rows[1])) if image.mode in ("RGBA", "LA") else image
        shift = rows[0] if source is not image else 0
        box = (region[0], top - shift, region[2], bottom - shift)
        result.paste(source.resize((size[0], last - first), resample, box=box), (0, first))
    return result


def drop_opaque_alpha(image: Image.Image, job: Job) -> Image.Image:
    """An alpha band that is 255 everywhere carries nothing; encoding without it is smaller and faster."""
    if image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema() == (255, 255):
        return image.convert(image.mode[:-1])
    return image


def convert_to_srgb(image: Image.Image, job: Job) -> Image.Image:
    """Turn pixels described by an embedded ICC profile into sRGB, so colours look right untagged."""
    if job.icc_profile and not _is_srgb(job.icc_profile):
        transform = _transform_to_srgb(job.icc_profile, image.mode)
        if transform is not None:
            return transform.apply(image)
    if image.mode == "CMYK":
        return image.convert("RGB")
    return image


def apply_orientation(image: Image.Image, job: Job) -> Image.Image:
    """Rotate/flip as EXIF orientation says (on the small image; the box was transposed for it)."""
    method = _TRANSPOSE.get(job.orientation)
    return image.transpose(method) if method is not None else image


def fit_output_mode(image: Image.Image, job: Job) -> Image.Image:
    """Match the encoder: JPEG has no alpha (flatten on white), GIF needs a palette."""
    if job.output_format == "JPEG":
        return _flatten_on_white(image) if image.mode in ("RGBA", "LA") else image
    if job.output_format == "GIF":
        return _to_palette(image)
    return image


def strip_metadata(image: Image.Image, job: Job) -> Image.Image:
    """Drop EXIF (GPS), XMP, comments and profiles: the encoders then write none of them."""
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    return image


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _flatten_on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    canvas = Image.new("RGB", image.size, WHITE)
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    return canvas if image.mode == "RGBA" else canvas.convert("L")


def _to_palette(image: Image.Image) -> Image.Image:
    """Up to 255 colours plus one transparent index for pixels under half opacity."""
    if image.mode not in ("RGBA", "LA"):
        return image.convert("RGB").quantize(256)
    paletted = image.convert("RGB").quantize(255)
    clear = image.getchannel("A").point(lambda alpha: 255 if alpha < 128 else 0, mode="1")
    paletted.paste(255, mask=clear)
    paletted.info["transparency"] = 255
    return paletted


def _is_srgb(icc_profile: bytes) -> bool:
    """The common case: an sRGB profile needs no transform (libvips and imgproxy skip it too)."""
    return "sRGB" in _description(icc_profile)


def _cms():
    """ImageCms, imported on first use: most images carry no profile, and LittleCMS costs cold-start time."""
    from PIL import ImageCms

    return ImageCms


@lru_cache(maxsize=1)
def _srgb():
    return _cms().ImageCmsProfile(_cms().createProfile("sRGB"))


# Keyed by a hash of the profile, bounded by bytes: each transform is charged its profile's size
# (what lcms may keep of it), each description its text.
DESCRIPTIONS = ByteBoundedCache(256 * 1024)
TRANSFORMS = ByteBoundedCache(16 * 1024 * 1024)


def _description(icc_profile: bytes) -> str:
    return DESCRIPTIONS.get_or_make(icc_profile, "", lambda: _read_description(icc_profile), 256)


def _transform_to_srgb(icc_profile: bytes, mode: str):
    """A cached transform, or None for a profile that is broken or does not match the pixels."""
    return TRANSFORMS.get_or_make(icc_profile, mode, lambda: _build_transform(icc_profile, mode), len(icc_profile))


def _read_description(icc_profile: bytes) -> str:
    ImageCms = _cms()
    try:
        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)))
    except (ImageCms.PyCMSError, OSError, TypeError):
        return ""


def _build_transform(icc_profile: bytes, mode: str):
    """NOCACHE flag: lcms's 1-pixel cache is not safe to share across threads. None: pixels stay as decoded."""
    if mode not in _COLOUR_MODES:
        return None  # grey profiles only shift the tone curve slightly; not worth a colour image
    ImageCms = _cms()
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.buildTransform(source, _srgb(), mode, _COLOUR_MODES[mode], flags=ImageCms.Flags.NOCACHE)
    except (ImageCms.PyCMSError, OSError, TypeError, ValueError):
        return None
