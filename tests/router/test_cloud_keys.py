"""Keys per cloud: S3 takes 1024 UTF-8 bytes, Qiniu 750; on Qiniu a key must not end like a styled URL."""

import pytest

from thumbrouter.router.errors import BadRequest
from thumbrouter.router.security import KEY_LIMITS, validate_key_for

from .conftest import FakeClock

NOW = 1_700_000_000


@pytest.fixture
def router(make_router):
    return make_router(clock=FakeClock(NOW))


def test_qiniu_takes_750_bytes_and_s3_1024():
    assert KEY_LIMITS == {"s3": 1024, "qiniu": 750}
    assert validate_key_for("k" * 750, "qiniu") == "k" * 750
    assert validate_key_for("k" * 1024, "s3") == "k" * 1024
    with pytest.raises(BadRequest, match="longer than 750 UTF-8 bytes"):
        validate_key_for("k" * 751, "qiniu")
    with pytest.raises(BadRequest, match="longer than 1024 UTF-8 bytes"):
        validate_key_for("k" * 1025, "s3")


def test_the_qiniu_limit_counts_utf8_bytes_not_characters():
    key = "猫" * 250  # 250 characters, 750 bytes
    assert validate_key_for(key, "qiniu") == key
    with pytest.raises(BadRequest, match="750"):
        validate_key_for(key + "a", "qiniu")


def test_a_key_of_751_bytes_gets_s3_urls_but_no_qiniu_urls(router):
    key = "k" * 747 + ".jpg"
    assert router.download_urls(key, cloud="s3").download_url
    with pytest.raises(BadRequest, match="qiniu's limit"):
        router.download_urls(key, cloud="qiniu")
    with pytest.raises(BadRequest, match="qiniu's limit"):
        router.upload_target(key, country="CN", size=10)
    assert router.upload_target(key, country="US", size=10).cloud == "s3"


@pytest.mark.parametrize("key", ["photos/victim.jpg-thumb50", "victim.jpg_thumb50", "victim.jpg!thumb50",
                                 "victim.jpg/thumb50", "victim.jpg.thumb50"])
def test_a_qiniu_key_ending_with_a_separator_and_the_style_name_is_refused(router, key):
    with pytest.raises(BadRequest, match="style name 'thumb50'"):
        router.download_urls(key, cloud="qiniu")
    with pytest.raises(BadRequest, match="style name 'thumb50'"):
        router.upload_target(key, country="CN", size=10, content_type="image/jpeg")


def test_the_refused_key_is_exactly_the_thumbnail_url_of_another_object(router):
    # Why it is refused: without the check the download URL of `victim.jpg-thumb50` signs the same
    # path as the thumbnail URL of `victim.jpg`, and the token covers the path alone.
    thumbnail = router.download_urls("photos/victim.jpg", cloud="qiniu").thumbnail_url
    unsigned = thumbnail.partition("?e=")[0]
    assert unsigned.endswith("/photos/victim.jpg-thumb50")


@pytest.mark.parametrize("key", ["photos/my-thumb50-cat.jpg", "thumb50.jpg", "a-thumb5", "a-thumb500", "thumb50"])
def test_keys_that_only_contain_the_style_name_are_served_on_qiniu(router, key):
    assert router.download_urls(key, cloud="qiniu").download_url


def test_the_style_rule_is_qinius_alone_and_follows_the_configured_style(make_router):
    router = make_router(clock=FakeClock(NOW), QINIU_STYLE="!small")
    assert router.download_urls("victim.jpg-thumb50", cloud="qiniu").download_url
    with pytest.raises(BadRequest, match="style name 'small'"):
        router.download_urls("victim.jpg-small", cloud="qiniu")
    assert router.download_urls("victim.jpg-small", cloud="s3").download_url


def test_a_query_style_has_no_name_to_collide_with(make_router):
    router = make_router(clock=FakeClock(NOW), QINIU_STYLE="imageView2/1/w/50/h/50")
    assert router.download_urls("victim.jpg-thumb50", cloud="qiniu").download_url
