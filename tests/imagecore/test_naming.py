"""The naming convention: a table of known answers plus properties over generated keys."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thumbrouter.imagecore import (
    InvalidSizeError,
    format_for,
    format_for_key,
    no_thumbnail_reason,
    parse_size,
    thumbnail_key,
)

TABLE = [
    ("photos/2024/IMG 1.final.jpg", "50x50", "photos/2024/IMG 1.final_50x50.jpg"),
    ("a.png", "1440x1440", "a_1440x1440.png"),
    ("noext", "50x50", "noext_50x50"),
    ("dir.with.dots/noext", "50x50", "dir.with.dots/noext_50x50"),
    (".hidden", "50x50", "_50x50.hidden"),
    ("x/y/z.JPEG", (20, 30), "x/y/z_20x30.JPEG"),
    ("50x50 cat.jpg", "50x50", "50x50 cat_50x50.jpg"),
    ("photos/IMG_0001.HEIC", "50x50", "photos/IMG_0001_50x50.HEIC.webp"),
    ("a.heif", "1440x1440", "a_1440x1440.heif.webp"),
    ("a.b.avif", "50x50", "a.b_50x50.avif.webp"),
]

keys = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
sizes = st.tuples(st.integers(1, 10_000), st.integers(1, 10_000))


@pytest.mark.parametrize(("key", "size", "expected"), TABLE)
def test_thumbnail_keys_follow_the_seed_convention(key, size, expected):
    assert thumbnail_key(key, size) == expected


@pytest.mark.parametrize("key", ["user42_50x50.jpg", "a_50x50.heic.webp", "50x50 cat.jpg", "a_50x50_b.png",
                                 "photos/50x50/a.jpg", "a_1440x1440.png"])
def test_originals_named_like_thumbnails_get_thumbnails_of_their_own(key):
    # The one rule: thumbnails live in another bucket, so a source key that looks like one is an upload.
    assert no_thumbnail_reason(key, "50x50") is None
    assert thumbnail_key(key, "50x50") != key


extensions = st.sampled_from(["", ".jpg", ".JPG", ".png", ".webp", ".gif", ".heic", ".HEIC", ".heif", ".avif",
                              ".AVIF", ".webp.heic", ".heic.webp", ".tiff"])
stems = st.text(alphabet="ab._/x5", max_size=12)
keys_with_extensions = st.builds(lambda stem, ext: stem + ext, stems, extensions)


@given(keys_with_extensions, keys_with_extensions, sizes)
def test_originals_of_any_extension_never_share_a_thumbnail_key(first, second, size):
    if first != second:
        assert thumbnail_key(first, size) != thumbnail_key(second, size)


def test_a_heic_and_a_jpeg_of_the_same_stem_get_different_thumbnails():
    assert thumbnail_key("a.heic") != thumbnail_key("a.jpg") != thumbnail_key("a.avif") != thumbnail_key("a.heic")


@given(keys, keys, sizes)
def test_distinct_originals_never_share_a_thumbnail_key(first, second, size):
    if first != second:
        assert thumbnail_key(first, size) != thumbnail_key(second, size)


@given(keys, sizes)
def test_the_original_key_can_be_recovered_from_its_thumbnail_key(key, size):
    result = thumbnail_key(key, size)
    if result.endswith(".webp") and not key.lower().endswith(".webp"):  # a converted original's output extension
        result = result[: -len(".webp")]
    suffix = f"_{size[0]}x{size[1]}"
    folder, _, name = result.rpartition("/")
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    assert stem.endswith(suffix)
    rebuilt_name = stem[: -len(suffix)] + dot + ext
    assert (folder + "/" if "/" in result else "") + rebuilt_name == key


@pytest.mark.parametrize("size", ["50", "0x50", "50x0", "50X50", "-1x5", "50x50x50", "", "10001x5", (0, 5), (5, "5")])
def test_malformed_sizes_are_rejected(size):
    with pytest.raises(InvalidSizeError):
        parse_size(size)


@pytest.mark.parametrize(("value", "expected"), [
    (".JPG", "JPEG"), ("jpeg", "JPEG"), ("image/png", "PNG"), ("image/webp; q=1", "WEBP"), (".gif", "GIF"),
    (".tiff", None), ("image/svg+xml", None), (".HEIC", "HEIF"), ("heif", "HEIF"), ("image/heic", "HEIF"),
    ("image/heif", "HEIF"), (".avif", "AVIF"), ("image/avif", "AVIF"),
])
def test_format_for_maps_extensions_and_mime_types_to_the_allow_list(value, expected):
    assert format_for(value) == expected


@pytest.mark.parametrize(("key", "expected"),
                         [("a/B.PnG", "PNG"), ("a.tar.gz", None), ("noext", None), ("x.jpg/", None)])
def test_format_for_key_reads_the_last_extension_case_insensitively(key, expected):
    assert format_for_key(key) == expected
