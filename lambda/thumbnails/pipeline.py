"""make_thumbnail: PLACEHOLDER implementation so the edges can be built; the core issue replaces it."""

import io
from dataclasses import dataclass

from PIL import Image

from .errors import EmptyImageError, NotAnImageError
from .formats import CONTENT_TYPES, OUTPUT_FORMAT, PILLOW_FORMATS
from .naming import parse_size

DEFAULT_MAX_PIXELS = 100_000_000
MODES = ("fit", "cover")


@dataclass(frozen=True)
class Thumbnail:
    data: bytes
    format: str
    content_type: str
    width: int
    height: int
    degraded: bool = False


def make_thumbnail(data: bytes, size=(50, 50), *, mode="fit", quality=85, max_pixels=DEFAULT_MAX_PIXELS) -> Thumbnail:
    if not data:
        raise EmptyImageError("empty input")
    box = parse_size(size)
    try:
        image = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS)
    except Exception as exc:
        raise NotAnImageError(str(exc)) from exc
    fmt = OUTPUT_FORMAT[image.format]
    image.thumbnail(box)
    if fmt == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt, quality=quality)
    return Thumbnail(out.getvalue(), fmt, CONTENT_TYPES[fmt], image.width, image.height)
