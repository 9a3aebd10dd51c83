"""LambdaSettings.from_env: defaults, canonical sizes, and errors that name the variable."""

import logging
import os
import subprocess
import sys

import pytest

from tests.lambda_handler.helpers import LAMBDA_DIR
from thumbrouter.s3job import env as env_module
from thumbrouter.s3job.env import ConfigError
from thumbrouter.s3job.settings import DEFAULT_MAX_BYTES, LambdaSettings
from thumbrouter.s3job.spec import ThumbnailSpec


def test_an_empty_environment_gives_the_documented_defaults():
    settings = LambdaSettings.from_env({})
    assert settings == LambdaSettings()
    assert (settings.spec.sizes, settings.spec.mode, settings.max_bytes) == (("50x50",), "fit", DEFAULT_MAX_BYTES)
    assert "immutable" not in settings.spec.cache_control


def test_sizes_are_canonical_and_deduplicated_and_values_are_parsed():
    settings = LambdaSettings.from_env({
        "THN_BUCKET": "thumbs", "THUMBNAIL_SIZES": " 50x50, 200x100,50x50 ", "THUMBNAIL_MODE": "COVER",
        "MAX_PIXELS": "1000", "MAX_BYTES": "2048", "JPEG_QUALITY": "70", "CACHE_CONTROL": "max-age=60",
        "MAX_DECODED_BYTES": "67108864"})
    spec = ThumbnailSpec("thumbs", ("50x50", "200x100"), "cover", 70, "max-age=60")
    assert settings == LambdaSettings(spec, max_pixels=1000, max_bytes=2048, max_decoded_bytes=2**26)


@pytest.mark.parametrize("name, value", [
    ("THN_BUCKET", "Not_A_Bucket"), ("THUMBNAIL_SIZES", "50"), ("THUMBNAIL_SIZES", ", ,"),
    ("THUMBNAIL_MODE", "stretch"), ("MAX_PIXELS", "lots"), ("MAX_BYTES", "0"), ("JPEG_QUALITY", "96"),
    ("JPEG_QUALITY", "0"), ("CACHE_CONTROL", "max-age=1\r\nX-Evil: 1"), ("MAX_DECODED_BYTES", "lots"),
    ("MAX_DECODED_BYTES", "1000"), ("MAX_PIXELS", "100000000"),  # above Pillow's own 89.5 M: it would win silently
    ("PRESETS", "thumb=50"), ("PRESETS", "a=9000x9000:2x"),
])
def test_a_wrong_value_raises_a_config_error_naming_the_variable(name, value):
    with pytest.raises(ConfigError, match=f"^{name} "):
        LambdaSettings.from_env({name: value})


def test_a_prefix_is_read_and_named_in_errors():
    assert LambdaSettings.from_env({"X_MAX_BYTES": "10", "MAX_BYTES": "20"}, prefix="X_").max_bytes == 10
    with pytest.raises(ConfigError, match="^X_JPEG_QUALITY must be in 1..95, got 99"):
        LambdaSettings.from_env({"X_JPEG_QUALITY": "99"}, prefix="X_")


def test_a_wrong_value_fails_the_lambda_cold_start_with_the_variable_named():
    env = {**os.environ, "PYTHONPATH": str(LAMBDA_DIR), "JPEG_QUALITY": "high"}
    proc = subprocess.run([sys.executable, "-c", "import create_thumbnail"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "ConfigError: JPEG_QUALITY must be an integer" in proc.stderr


# The job's one prefix, and the seed's unprefixed names kept working behind it.

@pytest.fixture
def deprecations(monkeypatch, caplog):
    """The deprecation lines logged from here on (the once-per-process memory starts empty)."""
    monkeypatch.setattr(env_module, "_WARNED", set())
    caplog.set_level(logging.WARNING, logger=env_module.__name__)
    return lambda: [r.getMessage() for r in caplog.records if r.name == env_module.__name__]


def test_the_job_reads_its_thumbnailer_names_and_logs_no_deprecation(deprecations):
    settings = LambdaSettings.from_env({
        "THUMBNAILER_THN_BUCKET": "thumbs", "THUMBNAILER_THUMBNAIL_SIZES": "200x100",
        "THUMBNAILER_THUMBNAIL_FIT": "cover", "THUMBNAILER_JPEG_QUALITY": "70",
        "THUMBNAILER_CACHE_CONTROL": "max-age=60", "THUMBNAILER_MAX_PIXELS": "1000",
        "THUMBNAILER_MAX_BYTES": "2048", "THUMBNAILER_MAX_DECODED_BYTES": "67108864"})
    spec = ThumbnailSpec("thumbs", ("200x100",), "cover", 70, "max-age=60")
    assert settings == LambdaSettings(spec, max_pixels=1000, max_bytes=2048, max_decoded_bytes=2**26)
    assert deprecations() == []


def test_each_old_name_logs_one_deprecation_line_per_process_naming_old_and_new(deprecations):
    old = {"THN_BUCKET": "thumbs", "THUMBNAIL_MODE": "cover", "MAX_BYTES": "2048"}
    for _ in range(3):
        settings = LambdaSettings.from_env(old)
    assert (settings.spec.dest_bucket, settings.spec.mode, settings.max_bytes) == ("thumbs", "cover", 2048)
    assert sorted(deprecations()) == ["MAX_BYTES is deprecated: set THUMBNAILER_MAX_BYTES instead",
                                      "THN_BUCKET is deprecated: set THUMBNAILER_THN_BUCKET instead",
                                      "THUMBNAIL_MODE is deprecated: set THUMBNAILER_THUMBNAIL_FIT instead"]


@pytest.mark.parametrize("old, new, value, other", [
    ("THN_BUCKET", "THUMBNAILER_THN_BUCKET", "thumbs", "others"),
    ("THUMBNAIL_SIZES", "THUMBNAILER_THUMBNAIL_SIZES", "50x50", "60x60"),
    ("THUMBNAIL_MODE", "THUMBNAILER_THUMBNAIL_FIT", "cover", "fit"),
    ("MAX_DECODED_BYTES", "THUMBNAILER_MAX_DECODED_BYTES", "67108864", "33554432"),
])
def test_an_old_and_a_new_name_must_agree_when_both_are_set(deprecations, old, new, value, other):
    assert LambdaSettings.from_env({old: value, new: value}) == LambdaSettings.from_env({new: value})
    with pytest.raises(ConfigError, match=f"^{old}=.* and {new}=.* are both set"):
        LambdaSettings.from_env({old: other, new: value})


def test_a_wrong_value_under_a_new_name_is_named_by_its_new_name():
    with pytest.raises(ConfigError, match="^THUMBNAILER_THUMBNAIL_FIT must be one of fit, cover"):
        LambdaSettings.from_env({"THUMBNAILER_THUMBNAIL_FIT": "stretch"})
    with pytest.raises(ConfigError, match="^THUMBNAILER_MAX_BYTES must be in"):
        LambdaSettings.from_env({"THUMBNAILER_MAX_BYTES": "0", "MAX_BYTES": ""})


def test_the_lambda_cold_start_reads_the_new_names():
    env = {**os.environ, "PYTHONPATH": str(LAMBDA_DIR), "THUMBNAILER_THUMBNAIL_SIZES": "64x64,128x128"}
    code = "import create_thumbnail; print(create_thumbnail.SETTINGS.spec.sizes)"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "('64x64', '128x128')"


def test_the_lambda_cold_start_logs_the_deprecation_of_an_old_name_once():
    env = {**os.environ, "PYTHONPATH": str(LAMBDA_DIR), "JPEG_QUALITY": "70"}
    code = "import create_thumbnail, on_demand; print(create_thumbnail.SETTINGS.spec.jpeg_quality)"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "70"
    assert proc.stderr.count("JPEG_QUALITY is deprecated: set THUMBNAILER_JPEG_QUALITY instead") == 1
