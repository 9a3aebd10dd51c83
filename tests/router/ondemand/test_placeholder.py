"""The placeholder PNG is written without an image stack and decodes as the "no picture" mark."""

import io

from PIL import Image

from thumbrouter.router.ondemand.placeholder import BACKGROUND, CROSS, EDGE, FRAME, placeholder_png


def test_the_placeholder_decodes_as_a_grey_square_with_a_frame_and_both_diagonals():
    image = Image.open(io.BytesIO(placeholder_png()))
    image.load()
    assert (image.format, image.mode, image.size) == ("PNG", "L", (EDGE, EDGE))
    assert image.getpixel((0, 0)) == image.getpixel((EDGE - 1, 0)) == image.getpixel((10, 10)) == CROSS
    assert image.getpixel((0, 20)) == image.getpixel((20, EDGE - 1)) == FRAME
    assert image.getpixel((20, 10)) == image.getpixel((30, 5)) == BACKGROUND
    assert sorted(set(image.get_flattened_data())) == [FRAME, CROSS, BACKGROUND]
