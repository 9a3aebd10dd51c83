"""LambdaSettings.from_env: defaults, canonical sizes, and errors that name the variable."""

import os
import subprocess
import sys

import pytest

from tests.lambda_handler.helpers import LAMBDA_DIR
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
