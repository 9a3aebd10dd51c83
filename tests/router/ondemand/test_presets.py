"""Presets: the only sizes /thumb makes."""

from types import MappingProxyType

import pytest

from router.ondemand.presets import Preset, parse_presets, presets_from


def test_the_default_presets_parse():
    assert presets_from(None) == {"thumb50": Preset("thumb50", "50x50"), "preview": Preset("preview", "1440x1440")}


def test_settings_mappings_of_tuples_are_accepted():
    presets = presets_from(MappingProxyType({"small": (64, 48)}))
    assert presets == {"small": Preset("small", "64x48")}


@pytest.mark.parametrize("text", ["", "thumb50", "Thumb=50x50", "a=50x50,a=60x60", "a=0x50", "a=50", "a b=5x5"])
def test_malformed_preset_lists_are_refused(text):
    with pytest.raises(ValueError):
        parse_presets(text)
