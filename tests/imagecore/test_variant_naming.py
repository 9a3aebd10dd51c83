"""Variant keys (/thumb's negotiated WebP/AVIF): known answers plus injectivity with the default naming."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thumbrouter.imagecore import (
    MAX_KEY_BYTES,
    format_for_key,
    is_thumbnail_of,
    no_thumbnail_reason,
    output_format_for_key,
    thumbnail_key,
    thumbnail_keys,
    thumbnail_prefix,
    variant_key,
)

TABLE = [
    ("a.jpg", "WEBP", "a_50x50.jpg.webp"),
    ("a.jpg", "AVIF", "a_50x50.jpg.avif"),
    ("a.jpg", "JPEG", "a_50x50.jpg"),  # the key's own format is its default thumbnail
    ("dir/a.png", "AVIF", "dir/a_50x50.png.avif"),
    ("a.webp", "WEBP", "a_50x50.webp"),
    ("a.webp", "AVIF", "a_50x50.webp.avif"),
    ("IMG_1.HEIC", "WEBP", "IMG_1_50x50.HEIC.webp"),  # a HEIC's default already is WebP
    ("IMG_1.HEIC", "AVIF", "IMG_1_50x50.HEIC.webp.avif"),
    ("a.avif", "AVIF", "a_50x50.avif.webp.avif"),
]


@pytest.mark.parametrize(("key", "fmt", "expected"), TABLE)
def test_variant_keys_append_the_format_to_the_default_thumbnail_key(key, fmt, expected):
    assert variant_key(key, "50x50", fmt) == expected


@pytest.mark.parametrize(("key", "fmt"), [("a.jpg", "PNG"), ("a.jpg", "GIF"), ("a.jpg", "webp"), ("notes.txt", "WEBP"),
                                          ("noext", "AVIF")])
def test_a_format_that_is_neither_the_keys_own_nor_a_variant_is_refused(key, fmt):
    with pytest.raises(ValueError):
        variant_key(key, "50x50", fmt)


formats = st.sampled_from(["JPEG", "PNG", "GIF", "WEBP", "AVIF"])
extensions = st.sampled_from([".jpg", ".JPG", ".png", ".webp", ".WEBP", ".gif", ".heic", ".HEIC", ".heif", ".avif",
                              ".AVIF", ".jpg.webp", ".webp.avif", ".heic.webp", ".png.avif"])
stems = st.text(alphabet="ab._/x5", max_size=12)
originals = st.builds(lambda stem, ext: stem + ext, stems, extensions)
sizes = st.sampled_from([(50, 50), (5, 5), (1440, 1440), (100, 100)])


def _stored(key, size, fmt):
    """What (original, size, format) a stored key stands for; None when that variant cannot exist."""
    try:
        return variant_key(key, size, fmt), (key, size, fmt)
    except ValueError:
        return None, None


@settings(max_examples=1000)
@given(st.data())
def test_no_variant_or_default_of_one_original_equals_one_of_another(data):
    stem1, ext1 = data.draw(stems), data.draw(extensions)
    # near misses are the interesting pairs: the same stem, or one that already ends like a thumbnail or variant
    stem2 = data.draw(st.one_of(stems, st.just(stem1), st.just(stem1 + "_5x5"),
                                st.sampled_from([stem1 + e for e in (".jpg", ".webp", ".heic", ".png")])))
    name1, what1 = _stored(stem1 + ext1, data.draw(sizes), data.draw(formats))
    name2, what2 = _stored(stem2 + data.draw(extensions), data.draw(sizes), data.draw(formats))
    if name1 is not None and name1 == name2:
        assert what1 == what2


@pytest.mark.parametrize("key", ["a_50x50.jpg.webp", "a_50x50.jpg.avif", "IMG_1_50x50.HEIC.webp.avif"])
def test_an_original_named_like_a_variant_gets_variants_of_its_own(key):
    # Thumbnails live in another bucket: in the source bucket such a name is somebody's upload.
    assert no_thumbnail_reason(key, "50x50", "AVIF") is None
    assert variant_key(key, "50x50", "AVIF") not in (key, thumbnail_key(key, "50x50"))


def test_thumbnail_keys_lists_each_sizes_default_then_its_variants_once():
    assert thumbnail_keys("d/a.jpg", ("50x50", "1440x1440")) == (
        "d/a_50x50.jpg", "d/a_50x50.jpg.avif", "d/a_50x50.jpg.webp",
        "d/a_1440x1440.jpg", "d/a_1440x1440.jpg.avif", "d/a_1440x1440.jpg.webp")
    assert thumbnail_keys("a.HEIC", ("50x50",)) == ("a_50x50.HEIC.webp", "a_50x50.HEIC.webp.avif")
    assert thumbnail_keys("a.jpg", ("50x50",), formats=()) == ("a_50x50.jpg",)
    assert thumbnail_keys("notes.txt", ("50x50",)) == ("notes_50x50.txt",)


def test_a_variant_whose_key_would_be_too_long_for_s3_is_refused_while_the_default_fits():
    key = "k" * (MAX_KEY_BYTES - len("_50x50.jpg") - 2) + ".jpg"
    assert len(thumbnail_key(key, "50x50")) <= MAX_KEY_BYTES
    assert no_thumbnail_reason(key, "50x50") is None
    assert "1024-byte" in no_thumbnail_reason(key, "50x50", "WEBP")
    assert thumbnail_keys(key, ("50x50",)) == (thumbnail_key(key, "50x50"),)


@given(originals)
def test_the_default_format_of_any_supported_original_gives_its_default_key(key):
    assert format_for_key(key) is not None
    assert variant_key(key, "50x50", output_format_for_key(key)) == thumbnail_key(key, "50x50")


any_sizes = st.lists(st.tuples(st.integers(1, 10_000), st.integers(1, 10_000)), min_size=1, max_size=3)
variant_formats = st.lists(st.sampled_from(["WEBP", "AVIF"]), unique=True).map(tuple)


@pytest.mark.parametrize(("original", "candidate", "expected"), [
    ("photos/a.jpg", "photos/a_1440x1440.jpg", True),
    ("photos/a.jpg", "photos/a_100x100.jpg.webp", True),
    ("IMG_1.HEIC", "IMG_1_50x50.HEIC.webp", True),
    ("IMG_1.HEIC", "IMG_1_50x50.HEIC.webp.avif", True),
    ("photos/a.jpg", "photos/a_b_50x50.jpg", False),  # photos/a_b.jpg's, under the same prefix
    ("photos/a.jpg", "photos/a_b.jpg", False),
    ("photos/a.jpg", "photos/a_050x50.jpg", False),
    ("photos/a.jpg", "photos/a_50x50.png", False),
    ("photos/a.jpg", "photos/a_50x50.jpg.webp.avif", False),
    ("photos/a.jpg", "photos/a_20000x50.jpg", False),
    ("IMG_1.HEIC", "IMG_1_50x50.HEIC", False),
])
def test_is_thumbnail_of_knows_an_originals_thumbnails_from_its_neighbours(original, candidate, expected):
    assert candidate.startswith(thumbnail_prefix(original))
    assert is_thumbnail_of(original, candidate) is expected


@given(originals, any_sizes, variant_formats)
def test_every_thumbnail_of_any_size_and_format_starts_with_the_prefix_and_is_recognised(key, sizes, formats):
    for name in thumbnail_keys(key, tuple(sizes), formats):
        assert name.startswith(thumbnail_prefix(key))
        assert is_thumbnail_of(key, name)


def _keys(original, size):
    """thumbnail_keys at one size, or none when naming refuses the size."""
    try:
        return thumbnail_keys(original, (size,))
    except ValueError:  # InvalidSizeError is one
        return ()


@settings(max_examples=1000)
@given(originals, st.integers(0, 20_000), st.integers(0, 20_000), st.booleans(),
       st.text(alphabet=".jpgwebavifHEIC_x", max_size=12))
def test_anything_else_under_the_prefix_is_refused(original, width, height, leading_zero, tail):
    # the tail has no digit, so the size written in the candidate is exactly width x height
    candidate = f"{thumbnail_prefix(original)}{'0' * leading_zero}{width}x{height}{tail}"
    assert is_thumbnail_of(original, candidate) == (candidate in _keys(original, (width, height)))


@settings(max_examples=1000)
@given(st.data())
def test_no_thumbnail_of_another_original_is_ever_taken_for_ones_own(data):
    stem, ext = data.draw(stems), data.draw(extensions)
    # near misses share the prefix: `a.jpg` and `a_b.jpg`, `a_5x5.jpg`, `a.png`, `a.jpg.webp`
    other_stem = data.draw(st.one_of(stems, st.just(stem), st.builds(lambda tail: f"{stem}_{tail}", stems),
                                     st.just(stem + "_5x5"), st.sampled_from([stem + e for e in (".jpg", ".webp")])))
    original, other = stem + ext, other_stem + data.draw(extensions)
    if other != original:
        for name in thumbnail_keys(other, tuple(data.draw(any_sizes)), data.draw(variant_formats)):
            assert not is_thumbnail_of(original, name)
