"""A HEIC's embedded thumbnail serves presets it is twice as big as, charged and bounded like the primary."""

import math

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.imagecore.helpers import close, decoded
from tests.support import heic_thumbnails as heic
from tests.support import hostile_heif, images
from tests.support import isobmff as bmff
from thumbrouter.imagecore import DecodeError, ImageTooLargeError, decode, heif, limits, make_thumbnail


@pytest.fixture
def thumbnail_used(monkeypatch):
    """Whether the last make_thumbnail decoded an embedded thumbnail (pillow-heif's answer, recorded)."""
    calls: list[bool] = []
    real = decode.load_embedded_thumbnail
    monkeypatch.setattr(decode, "load_embedded_thumbnail", lambda *args: calls.append(real(*args)) or calls[-1])
    return calls


def colour(thumbnail) -> tuple:
    image = decoded(thumbnail).convert("RGB")
    return image.getpixel((image.width // 2, image.height // 2))


def psnr(first: Image.Image, second: Image.Image) -> float:
    squares = [rms * rms for rms in ImageStat.Stat(ImageChops.difference(first, second)).rms]
    mse = sum(squares) / len(squares)
    return math.inf if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def photo(size=(1200, 900)) -> Image.Image:
    """A gradient with a red block top-left and a blue one bottom-right: orientation shows at the corners."""
    picture = images.gradient(size)
    width, height = size
    picture.paste(images.RED, (0, 0, width // 3, height // 3))
    picture.paste(images.BLUE, (width - width // 3, height - height // 3, width, height))
    return picture


def test_a_small_preset_decodes_the_embedded_thumbnail_instead_of_the_picture():
    thumbnail = make_thumbnail(heic.with_thumbnail((1600, 1200), (320, 240)), (50, 50))
    assert (thumbnail.width, thumbnail.height) == (50, 38)
    assert close(colour(thumbnail), heic.THUMBNAIL)


@pytest.mark.parametrize(("box", "source"), [((160, 160), heic.THUMBNAIL), ((161, 161), heic.PRIMARY),
                                             ((200, 200), heic.PRIMARY), ((100, 300), heic.THUMBNAIL)])
def test_the_thumbnail_serves_only_outputs_it_is_at_least_twice_as_big_as(box, source):
    thumbnail = make_thumbnail(heic.with_thumbnail((1600, 1200), (320, 240)), box)
    assert close(colour(thumbnail), source)


def test_cover_needs_the_thumbnail_twice_the_whole_box():
    data = heic.with_thumbnail((1600, 1200), (320, 240))
    assert close(colour(make_thumbnail(data, (120, 120), mode="cover")), heic.THUMBNAIL)
    assert close(colour(make_thumbnail(data, (121, 121), mode="cover")), heic.PRIMARY)


def test_a_48_megapixel_heic_over_the_budget_is_thumbnailed_from_its_embedded_thumbnail():
    data = heic.grid_with_thumbnail(size=(8000, 6000), thumbnail=(320, 240))
    assert limits.heif_decoded_bytes("HEIF", heif.survey(data, 1)) > limits.DEFAULT_MAX_DECODED_BYTES
    thumbnail = make_thumbnail(data, (50, 50))
    assert (thumbnail.width, thumbnail.height) == (50, 38)
    assert close(colour(thumbnail), heic.THUMBNAIL)


def test_a_48_megapixel_heic_is_still_refused_where_its_thumbnail_is_under_twice_the_box():
    data = heic.grid_with_thumbnail(size=(8000, 6000), thumbnail=(2560, 1920))
    with pytest.raises(ImageTooLargeError, match="max_decoded_bytes"):
        make_thumbnail(data, (1440, 1440))
    assert close(colour(make_thumbnail(data, (640, 640))), heic.THUMBNAIL)


def test_a_48_megapixel_heic_with_a_thumbnail_of_2880_serves_1440():
    thumbnail = make_thumbnail(heic.grid_with_thumbnail(size=(8000, 6000), thumbnail=(2880, 2160)), (1440, 1440))
    assert (thumbnail.width, thumbnail.height) == (1440, 1080)
    assert close(colour(thumbnail), heic.THUMBNAIL)


def test_each_thumbnail_is_charged_from_its_own_codec_header():
    picture = heif.survey(heic.with_thumbnail((1600, 1200), (320, 240), depth=10), 1)
    assert picture.depth == 8
    assert [(t.width, t.height, t.depth) for t in picture.thumbnails] == [(320, 240, 10)]


def test_a_thumbnail_declaring_a_huge_size_leaves_the_primary_within_the_budget():
    data = heic.with_thumbnail((1600, 1200), (320, 240), declared=(30000, 22500))
    assert close(colour(make_thumbnail(data, (50, 50))), heic.PRIMARY)


def test_a_thumbnail_coded_bigger_than_it_declares_is_never_decoded_for_a_primary_over_the_budget():
    data = heic.with_thumbnail((1600, 1200), (1200, 900), declared=(320, 240))
    assert heif.survey(data, 1).thumbnails == ()
    assert close(colour(make_thumbnail(data, (50, 50))), heic.PRIMARY)
    with pytest.raises(ImageTooLargeError):  # 1600x1200 is 16 MiB: over a 10 MiB budget, the lie is not a way out
        make_thumbnail(data, (50, 50), max_decoded_bytes=10 * limits.MiB)


def test_an_honest_thumbnail_serves_a_primary_over_a_small_budget():
    data = heic.with_thumbnail((1600, 1200), (320, 240))
    assert close(colour(make_thumbnail(data, (50, 50), max_decoded_bytes=10 * limits.MiB)), heic.THUMBNAIL)
    with pytest.raises(ImageTooLargeError):
        make_thumbnail(data, (400, 400), max_decoded_bytes=10 * limits.MiB)


def test_a_thumbnail_reference_from_a_missing_item_leaves_the_primary():
    data = heic.with_thumbnail(referring_item=9)
    assert heif.survey(data, 1).thumbnails == ()
    assert close(colour(make_thumbnail(data, (50, 50))), heic.PRIMARY)


@pytest.mark.parametrize("kwargs", [{"thumbnail_of": 1, "referring_item": 1}, {"thumbnail_of": 9}])
def test_a_picture_its_own_thumbnail_or_a_thumbnail_of_a_missing_item_is_a_decode_error(kwargs):
    data = heic.with_thumbnail(**kwargs)
    assert heif.survey(data, 1).thumbnails == ()
    with pytest.raises(DecodeError):
        make_thumbnail(data, (50, 50))


def test_a_thumbnail_deriving_from_itself_leaves_the_primary():
    items = {1: heic.item(heic.coded(heic.PRIMARY, (1600, 1200)), (1600, 1200)),
             2: bmff.Item(b"grid", bmff.grid_descriptor(1, 1, 320, 240), [bmff.ispe(320, 240)],
                          {b"thmb": [1], b"dimg": [2]}, in_idat=True)}
    data = bmff.write("HEIF", items)
    assert heif.survey(data, 1).thumbnails == ()
    with pytest.raises(ImageTooLargeError):
        make_thumbnail(data, (50, 50), max_decoded_bytes=10 * limits.MiB)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_the_thumbnail_path_is_oriented_like_the_full_decode(orientation, thumbnail_used):
    data = heic.phone_heic(photo(), 320, orientation)
    embedded = decoded(make_thumbnail(data, (60, 60))).convert("RGB")
    full = decoded(make_thumbnail(heic.without_thumbnails(data), (60, 60))).convert("RGB")
    assert thumbnail_used == [True]  # the full decode never asks: it has no thumbnail
    assert embedded.size == full.size
    for corner in [(2, 2), (embedded.width - 3, embedded.height - 3),
                   (2, embedded.height - 3), (embedded.width - 3, 2)]:
        assert close(embedded.getpixel(corner), full.getpixel(corner), 40)
    assert psnr(embedded, full) > 33  # 38-41 dB measured; a wrong turn is 5-6 dB


def test_the_thumbnail_path_converts_the_icc_profile_like_the_full_decode(thumbnail_used):
    data = heic.phone_heic(Image.new("RGB", (1200, 900), images.RED), 320, icc_profile=images.swapped_rgb_profile())
    embedded = make_thumbnail(data, (50, 50))
    full = make_thumbnail(heic.without_thumbnails(data), (50, 50))
    assert thumbnail_used == [True]  # the full decode never asks: it has no thumbnail
    assert close(colour(embedded), images.BLUE, 40)  # red in that profile is sRGB blue
    assert close(colour(full), colour(embedded), 8)


def test_more_thumbnails_than_any_phone_writes_leave_the_primary():
    thumb = heic.coded(heic.THUMBNAIL, (320, 240))
    items = {1: heic.item(heic.coded(heic.PRIMARY, (1600, 1200)), (1600, 1200)),
             2: heic.item(thumb, (320, 240), {b"thmb": [1]})}
    for extra in range(3, 3 + heif.MAX_THUMBNAILS):
        items[extra] = heic.item(thumb, (320, 240), {b"thmb": [1]}, same_as=2)
    data = bmff.write("HEIF", items)
    assert heif.survey(data, 1).thumbnails == ()
    del items[2 + heif.MAX_THUMBNAILS]
    assert len(heif.survey(bmff.write("HEIF", items), 1).thumbnails) == heif.MAX_THUMBNAILS


def test_the_hostile_corpus_thumbnails_a_48_megapixel_heic_only_from_an_honest_thumbnail():
    for name, expected in [("heic-48mp-grid-thumbnail-320x240", heic.THUMBNAIL),
                           ("heic-48mp-grid-thumbnail-ispe-30000x22500", None),
                           ("heic-48mp-grid-thumbnail-2880x2160-ispe-320x240", None)]:
        data = hostile_heif.CASES[name]()
        if expected is None:
            with pytest.raises(ImageTooLargeError):
                make_thumbnail(data, (50, 50))
        else:
            assert close(colour(make_thumbnail(data, (50, 50))), expected)
        with pytest.raises(ImageTooLargeError):
            make_thumbnail(data, (1440, 1440))
