"""ThumbnailSpec and the one bucket-name rule: the destination, the round trip through variables, refusals."""

import pytest

from thumbrouter.s3job import ConfigError, LambdaSettings, SameBucketError, ThumbnailSpec, is_bucket_name
from thumbrouter.s3job.ondemand import PayloadError, parse_request


@pytest.mark.parametrize("name, ok", [
    ("abc", True), ("a" * 63, True), ("my.photos-2024", True), ("ab", False), ("a" * 64, False),
    ("a..b", False), ("Photos", False), ("-abc", False), ("abc.", False), ("a_b", False), (None, False), (42, False),
])
def test_one_bucket_name_rule_decides_every_bucket(name, ok):
    assert is_bucket_name(name) is ok


def test_the_destination_defaults_to_the_resized_twin_and_never_equals_the_source():
    assert ThumbnailSpec().destination("photos") == "photosresized"
    assert ThumbnailSpec(dest_bucket="thumbs").destination("photos") == "thumbs"
    with pytest.raises(SameBucketError, match="THN_BUCKET"):
        ThumbnailSpec(dest_bucket="photos").destination("photos")


def test_a_derived_destination_over_63_characters_is_refused_and_thn_bucket_lifts_it():
    source = "p" * 57  # a valid bucket; "<source>resized" would be 64 characters
    with pytest.raises(ConfigError, match="64 characters.*set THN_BUCKET"):
        ThumbnailSpec().destination(source)
    assert ThumbnailSpec(dest_bucket="thumbs").destination(source) == "thumbs"


@pytest.mark.parametrize("spec", [
    ThumbnailSpec(),
    ThumbnailSpec("thumbs", ("200x100", "50x50"), "cover", 70, "public, max-age=600"),
    ThumbnailSpec(presets="small=64x64:avif+2x+3x,big=800x600"),
])
@pytest.mark.parametrize("prefix", ["", "THUMBROUTER_"])
def test_to_env_is_read_back_by_from_env_as_the_same_spec(spec, prefix):
    variables = spec.to_env(prefix)
    assert all(name.startswith(prefix) for name in variables)
    assert ThumbnailSpec.from_env(variables, prefix) == spec
    assert LambdaSettings.from_env(variables, prefix).spec == spec


def test_every_size_is_the_lambdas_sizes_then_each_preset_box_and_its_densities():
    assert ThumbnailSpec().every_size() == ("50x50", "1440x1440")
    spec = ThumbnailSpec(sizes=("200x100", "64x64"), presets="small=64x64:avif+2x+3x,big=800x600")
    assert spec.every_size() == ("200x100", "64x64", "128x128", "192x192", "800x600")


def test_presets_are_read_with_blanks_trimmed_and_refused_naming_the_variable():
    assert ThumbnailSpec.from_env({"X_PRESETS": " a=10x10 , b=20x20:webp "}, "X_").presets == "a=10x10,b=20x20:webp"
    with pytest.raises(ConfigError, match="^X_PRESETS preset 'a': unknown option '4x'"):
        ThumbnailSpec.from_env({"X_PRESETS": "a=10x10:4x"}, "X_")


def test_a_prefixed_spec_ignores_the_unprefixed_variables():
    spec = ThumbnailSpec.from_env({"THUMBNAIL_MODE": "cover", "THUMBROUTER_JPEG_QUALITY": "70"}, "THUMBROUTER_")
    assert (spec.mode, spec.jpeg_quality) == ("fit", 70)


@pytest.mark.parametrize("payload, problem", [
    ({"bucket": "a..b", "key": "a.jpg", "size": "50x50"}, "bucket"),
    ({"bucket": "photos", "key": "a.jpg", "size": "50x50", "dest_bucket": "x..y"}, "dest_bucket"),
    ({"bucket": "p" * 57, "key": "a.jpg", "size": "50x50"}, "THN_BUCKET"),
])
def test_on_demand_payloads_follow_the_same_bucket_rule(payload, problem):
    with pytest.raises(PayloadError, match=problem):
        parse_request(payload, LambdaSettings())


def test_on_demand_takes_the_destination_and_mode_from_the_spec_unless_the_payload_names_them():
    settings = LambdaSettings(ThumbnailSpec(dest_bucket="thumbs", mode="cover"))
    request = parse_request({"bucket": "photos", "key": "a.jpg", "size": "50x50"}, settings)
    assert (request.dest_bucket, request.mode) == ("thumbs", "cover")
    request = parse_request({"bucket": "photos", "key": "a.jpg", "size": "50x50", "dest_bucket": "other",
                             "mode": "fit"}, settings)
    assert (request.dest_bucket, request.mode) == ("other", "fit")
