"""Decode a thumbnail's bytes for assertions (images are compared by size, mode and pixels)."""

import io

from PIL import Image


def decoded(thumbnail) -> Image.Image:
    image = Image.open(io.BytesIO(thumbnail.data))
    image.load()
    return image


def close(pixel, expected, tolerance=12) -> bool:
    """Every channel within `tolerance` of the expected value (lossy codecs move pixels a little)."""
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))
