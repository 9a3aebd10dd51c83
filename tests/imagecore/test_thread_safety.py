"""Pillow's process-global switches stay untouched, even with many threads making thumbnails."""

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image, ImageFile

from tests.support import images
from thumbrouter.imagecore import ImageTooLargeError, make_thumbnail


def test_truncated_images_never_switch_on_load_truncated_images():
    make_thumbnail(images.truncated(images.encode(images.gradient(), "JPEG"), 0.5))
    make_thumbnail(images.truncated(images.encode(images.gradient(), "PNG"), 0.5))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_bombs_leave_max_image_pixels_and_warning_filters_alone():
    import warnings
    before = (Image.MAX_IMAGE_PIXELS, list(warnings.filters))
    with pytest.raises(ImageTooLargeError):
        make_thumbnail(images.png_pixel_bomb(), max_pixels=10)
    assert (Image.MAX_IMAGE_PIXELS, list(warnings.filters)) == before


def test_threads_mixing_truncated_and_whole_images_get_consistent_results():
    whole = images.encode(images.gradient((300, 200)), "PNG")
    cut = images.truncated(images.encode(images.gradient((300, 200)), "JPEG"), 0.5)
    strict_cut = images.truncated(whole, 0.5)

    def strict_pillow_still_refuses_truncated_data(_):
        image = Image.open(io.BytesIO(strict_cut))
        try:
            image.load()
        except OSError:
            return "refused"
        return "loaded"  # only possible if someone switched LOAD_TRUNCATED_IMAGES on

    def work(index):
        if index % 3 == 0:
            return strict_pillow_still_refuses_truncated_data(index)
        result = make_thumbnail(cut if index % 3 == 1 else whole, (60, 60))
        return ("degraded" if result.degraded else "whole", result.width, result.height)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(120)))
    for index, result in enumerate(results):
        expected = {0: "refused", 1: ("degraded", 60, 40), 2: ("whole", 60, 40)}[index % 3]
        assert result == expected
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
