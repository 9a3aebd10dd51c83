"""Presets: the only sizes /thumb makes (THUMBROUTER_PRESETS, parsed by router.config)."""

import pytest

from thumbrouter.router.config import ConfigError, load_settings
from thumbrouter.router.ondemand.presets import Preset, presets_from

BASE = {"THUMBROUTER_S3_BUCKET": "demo", "THUMBROUTER_DOMESTIC_COUNTRIES": ""}


def test_the_default_presets():
    assert presets_from(load_settings(BASE).presets) == {
        "thumb50": Preset("thumb50", "50x50"), "preview": Preset("preview", "1440x1440")}


def test_configured_presets_keep_their_names_and_canonical_sizes():
    settings = load_settings(BASE | {"THUMBROUTER_PRESETS": "small=64x48, big=2000x1000"})
    assert presets_from(settings.presets) == {"small": Preset("small", "64x48"), "big": Preset("big", "2000x1000")}


@pytest.mark.parametrize("text", ["thumb50", "Thumb=50x50", "a=50x50,a=60x60", "a=0x50", "a=50", "a b=5x5"])
def test_malformed_preset_lists_stop_start_up(text):
    with pytest.raises(ConfigError, match="THUMBROUTER_PRESETS"):
        load_settings(BASE | {"THUMBROUTER_PRESETS": text})
