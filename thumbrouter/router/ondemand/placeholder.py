"""A small placeholder image answered with 404 (source missing) and 422 (image cannot be thumbnailed).

Built once per process with Pillow and kept as bytes, so error answers cost no image work.
"""

import functools
import io

from PIL import Image, ImageDraw

CONTENT_TYPE = "image/png"
EDGE = 50


@functools.cache
def placeholder_png() -> bytes:
    """A 50x50 light-grey PNG with a crossed frame (a "no picture" mark); never raises in practice."""
    image = Image.new("L", (EDGE, EDGE), 230)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, EDGE - 1, EDGE - 1), outline=170)
    draw.line((0, 0, EDGE - 1, EDGE - 1), fill=190)
    draw.line((0, EDGE - 1, EDGE - 1, 0), fill=190)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
