"""Named thumbnail presets: the only sizes /thumb will make.

Free sizes are refused on purpose: every distinct size is a new object to generate and store, so a
client that could choose the size could make the router burn CPU and storage at will. The names,
sizes, negotiable formats and densities are parsed and validated once, by router.config
(THUMBROUTER_PRESETS: `name=WxH[:webp+avif+2x+3x]`). `name@2x` is the preset's box times two, only
when the preset allows 2x; its thumbnail key names the real size (`a_100x100.jpg`).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from thumbrouter.imagecore import format_size, parse_size


@dataclass(frozen=True)
class Preset:
    """One allowed thumbnail: a name in the URL, the `WxH` box it stands for, the formats it negotiates."""

    name: str
    size: str  # canonical "WxH"
    formats: tuple[str, ...] = ()  # negotiated by Accept, best first; empty: never negotiates (no Vary)
    densities: tuple[int, ...] = ()  # the `@Nx` names this preset answers to

    def scaled(self, density: int) -> "Preset":
        """`name@Nx`: the box times N, same formats, no further densities."""
        width, height = parse_size(self.size)
        return Preset(f"{self.name}@{density}x", format_size((width * density, height * density)), self.formats)


def presets_from(sizes: Mapping[str, tuple[int, int] | str], formats: Mapping[str, tuple[str, ...]] | None = None,
                 densities: Mapping[str, tuple[int, ...]] | None = None) -> dict[str, Preset]:
    """{name: Preset} from Settings.presets (and preset_formats, preset_densities), `name@Nx` included.

    Raises InvalidSizeError for a malformed size.
    """
    formats, densities = formats or {}, densities or {}
    presets = {name: Preset(name, format_size(size), tuple(formats.get(name, ())), tuple(densities.get(name, ())))
               for name, size in sizes.items()}
    return presets | {f"{p.name}@{d}x": p.scaled(d) for p in presets.values() for d in p.densities}
