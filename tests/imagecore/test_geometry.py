"""Box arithmetic: fit, cover and the transposed box of EXIF orientations 5-8."""

import pytest

from thumbrouter.imagecore.geometry import draft_box, plan, stored_box


@pytest.mark.parametrize(("source", "box", "size"), [
    ((400, 200), (50, 50), (50, 25)), ((200, 400), (50, 50), (25, 50)), ((30, 20), (50, 50), (30, 20)),
    ((5000, 1), (50, 50), (50, 1)),
])
def test_fit_keeps_aspect_inside_the_box_and_never_enlarges(source, box, size):
    assert plan(source, box, "fit").size == size


def test_cover_cuts_the_centre_to_the_box_aspect():
    result = plan((400, 200), (50, 50), "cover")
    assert result.size == (50, 50) and result.region == (100.0, 0.0, 300.0, 200.0)


@pytest.mark.parametrize(("orientation", "expected"), [(1, (100, 50)), (4, (100, 50)), (5, (50, 100)), (8, (50, 100))])
def test_orientations_5_to_8_transpose_the_box(orientation, expected):
    assert stored_box((100, 50), orientation) == expected


def test_the_draft_box_keeps_twice_the_final_scale_for_the_resampler():
    assert draft_box((4000, 3000), (100, 100), "fit") == (200, 150)
    assert draft_box((4000, 3000), (100, 100), "cover") == (267, 200)


def test_ratios_from_two_to_four_decode_at_half_scale_without_a_margin():
    assert draft_box((4000, 3000), (1440, 1440), "fit") == (1440, 1080)
    assert draft_box((2560, 1600), (1440, 1440), "fit") == (2880, 1800)  # under 2x: no DCT scaling at all
