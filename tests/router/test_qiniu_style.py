"""The Qiniu style's processing, derived from the Lambda's spec: known answers in imageMogr2's documented syntax."""

import pytest

from thumbrouter.router import QiniuStyle, load_settings, style_processing

BASE_ENV = {"THUMBROUTER_S3_BUCKET": "photos", "THUMBROUTER_QINIU_ACCESS_KEY": "ak",
            "THUMBROUTER_QINIU_SECRET_KEY": "sk", "THUMBROUTER_QINIU_BUCKET": "qb",
            "THUMBROUTER_QINIU_DOMAIN": "img.example.com"}


@pytest.mark.parametrize(("size", "mode", "quality", "expected"), [
    ("50x50", "fit", 85, "imageMogr2/auto-orient/thumbnail/50x50>/strip/quality/85"),
    ("1440x1440", "fit", 70, "imageMogr2/auto-orient/thumbnail/1440x1440>/strip/quality/70"),
    ("120x80", "fit", 1, "imageMogr2/auto-orient/thumbnail/120x80>/strip/quality/1"),
    ("50x50", "cover", 85, "imageMogr2/auto-orient/thumbnail/!50x50r/gravity/Center/crop/50x50/strip/quality/85"),
    ("300x200", "cover", 95,
     "imageMogr2/auto-orient/thumbnail/!300x200r/gravity/Center/crop/300x200/strip/quality/95"),
])
def test_the_processing_orients_resizes_like_the_lambda_strips_and_sets_quality(size, mode, quality, expected):
    assert style_processing(size, mode, quality) == expected


@pytest.mark.parametrize(("size", "mode", "quality"), [
    ("50", "fit", 85), ("0x50", "fit", 85), ("50x-1", "fit", 85), ("50x50", "fill", 85),
    ("50x50", "fit", 0), ("50x50", "fit", 101),
])
def test_malformed_inputs_are_refused_instead_of_giving_a_wrong_style(size, mode, quality):
    with pytest.raises(ValueError):
        style_processing(size, mode, quality)


def test_the_style_follows_the_routers_style_name_size_and_the_lambdas_mode_and_quality():
    settings = load_settings({**BASE_ENV, "THUMBROUTER_THUMBNAIL_SIZES": "50x50,120x120",
                              "THUMBROUTER_THUMBNAIL_SIZE": "120x120", "THUMBROUTER_THUMBNAIL_MODE": "cover",
                              "THUMBROUTER_JPEG_QUALITY": "70", "THUMBROUTER_QINIU_STYLE": "!small"})
    assert QiniuStyle.from_settings(settings) == QiniuStyle(
        name="small", separator="!",
        processing="imageMogr2/auto-orient/thumbnail/!120x120r/gravity/Center/crop/120x120/strip/quality/70")


def test_the_default_style_is_thumb50_behind_a_dash_fitting_50x50_at_quality_85():
    style = QiniuStyle.from_settings(load_settings(BASE_ENV))
    assert (style.separator, style.name) == ("-", "thumb50")
    assert style.processing == "imageMogr2/auto-orient/thumbnail/50x50>/strip/quality/85"


def test_a_processing_query_in_place_of_a_style_name_has_no_style_to_create():
    settings = load_settings({**BASE_ENV, "THUMBROUTER_QINIU_STYLE": "imageView2/2/w/50/h/50"})
    with pytest.raises(ValueError, match="not a named style"):
        QiniuStyle.from_settings(settings)
