"""parse_thumbnail_key inverts thumbnail_key and variant_key: the CDN failover names a thumbnail to make."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thumbrouter.imagecore import format_size, output_format_for_key, parse_thumbnail_key, thumbnail_key, variant_key

extensions = st.sampled_from([".jpg", ".JPG", ".png", ".webp", ".gif", ".heic", ".HEIC", ".heif", ".avif", ".AVIF",
                              ".jpg.webp", ".webp.avif", ".heic.webp", ".txt", ""])
stems = st.text(alphabet="ab._/x5_ 照", max_size=14)
sizes = st.tuples(st.integers(1, 10_000), st.integers(1, 10_000))


@pytest.mark.parametrize(("name", "expected"), [
    ("photos/a b_50x50.jpg", ("photos/a b.jpg", "50x50", None)),
    ("photos/a b_50x50.jpg.webp", ("photos/a b.jpg", "50x50", "WEBP")),
    ("IMG_1_50x50.HEIC.webp", ("IMG_1.HEIC", "50x50", None)),
    ("IMG_1_50x50.HEIC.webp.avif", ("IMG_1.HEIC", "50x50", "AVIF")),
    ("a_b_1440x1440.png", ("a_b.png", "1440x1440", None)),
    ("x_50x50.webp", ("x.webp", "50x50", None)),
])
def test_known_thumbnail_keys_name_their_original_size_and_format(name, expected):
    assert parse_thumbnail_key(name) == expected


@pytest.mark.parametrize("name", ["a.jpg", "a_050x50.jpg", "a_0x5.jpg", "a_50x50_b.jpg", "a_10001x5.jpg",
                                  "x_50x50.webp.webp", "a_50x50.HEIC", "a_50x50.jpg.png", "", "/"])
def test_names_our_naming_never_makes_have_no_original(name):
    assert parse_thumbnail_key(name) is None


@settings(max_examples=500)
@given(stems, extensions, sizes, st.sampled_from([None, "WEBP", "AVIF", "JPEG", "PNG"]))
def test_every_thumbnail_and_variant_key_parses_back_to_what_made_it(stem, ext, size, fmt):
    original = stem + ext
    own = output_format_for_key(original)
    try:
        name = variant_key(original, size, fmt) if fmt else thumbnail_key(original, size)
    except ValueError:
        return  # no such variant (not a supported original, or neither its own format nor a variant's)
    assert parse_thumbnail_key(name) == (original, format_size(size), None if fmt == own else fmt)


@settings(max_examples=500)
@given(st.text(alphabet="ab._/x5_0", max_size=24))
def test_whatever_parses_maps_forward_to_the_same_name(name):
    parsed = parse_thumbnail_key(name)
    if parsed is not None:
        original, size, fmt = parsed
        assert (variant_key(original, size, fmt) if fmt else thumbnail_key(original, size)) == name
