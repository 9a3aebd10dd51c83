"""Named thumbnail presets: the only sizes /thumb will make.

Free sizes are refused on purpose: every distinct size is a new object to generate and store, so a
client that could choose the size could make the router burn CPU and storage at will. The names
and sizes are parsed and validated once, by router.config (THUMBROUTER_PRESETS).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from thumbrouter.imagecore import format_size


@dataclass(frozen=True)
class Preset:
    """One allowed thumbnail: a name in the URL and the `WxH` box it stands for."""

    name: str
    size: str  # canonical "WxH"


def presets_from(sizes: Mapping[str, tuple[int, int] | str]) -> dict[str, Preset]:
    """{name: Preset} from Settings.presets; raises InvalidSizeError for a malformed size."""
    return {name: Preset(name, format_size(size)) for name, size in sizes.items()}
