"""make_thumbnail(output_format=...): the caller (the key's extension, a browser's Accept) names the format."""

import pytest

from tests.imagecore.helpers import close, decoded
from tests.support import images
from thumbrouter.imagecore import OUTPUT_CONTENT_TYPES, InvalidSizeError, make_thumbnail, output_format_for_key

RED, BLUE = (255, 0, 0), (0, 0, 255)


@pytest.mark.parametrize("source", ["JPEG", "PNG", "WEBP", "GIF"])
@pytest.mark.parametrize("target", ["JPEG", "PNG", "WEBP", "GIF", "AVIF"])
def test_any_input_can_be_written_in_any_output_format_with_the_same_picture(source, target):
    data = images.encode(images.marker_picture((240, 160)), source)
    result = make_thumbnail(data, "60x60", output_format=target)
    image = decoded(result).convert("RGB")
    assert (result.format, result.content_type) == (target, OUTPUT_CONTENT_TYPES[target])
    assert decoded(result).format == target and image.size == (60, 40)
    assert close(image.getpixel((3, 3)), RED, 40) and close(image.getpixel((56, 36)), BLUE, 40)


@pytest.mark.parametrize(("target", "alpha_kept"), [("WEBP", True), ("AVIF", True), ("PNG", True), ("JPEG", False)])
def test_alpha_is_kept_where_the_output_format_has_it_and_flattened_on_white_where_not(target, alpha_kept):
    data = images.encode(images.half_transparent((200, 100)), "PNG")
    image = decoded(make_thumbnail(data, "50x50", output_format=target))
    if alpha_kept:
        assert image.mode in ("RGBA", "LA") and image.getpixel((45, 10))[-1] < 30
    else:
        assert image.mode == "RGB" and close(image.getpixel((45, 10)), (255, 255, 255), 20)


def test_the_key_names_the_output_format_whatever_the_bytes_are():
    png_named_jpg = images.encode(images.half_transparent((200, 100)), "PNG")
    result = make_thumbnail(png_named_jpg, "50x50", output_format=output_format_for_key("photos/a.jpg"))
    assert (result.format, decoded(result).format) == ("JPEG", "JPEG")
    assert [output_format_for_key(k) for k in ("a.JPG", "a.png", "a.heic", "a.avif", "a.txt")] == [
        "JPEG", "PNG", "WEBP", "WEBP", None]


def test_an_unknown_output_format_is_refused_before_any_decoding():
    with pytest.raises(InvalidSizeError, match="output_format"):
        make_thumbnail(b"not even an image", "50x50", output_format="BMP")
