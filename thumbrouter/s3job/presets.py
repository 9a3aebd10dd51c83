"""The presets /thumb serves (`name=WxH[:webp+avif+2x+3x],...`), parsed here and only here.

They are part of the ThumbnailSpec (its PRESETS variable) because two deployables need them: the router
serves exactly these names, and the delete path must know every size they can have written (each preset's
box and its `@2x`/`@3x` boxes) when a crowded prefix stops its listing early.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from thumbrouter.imagecore import VARIANT_EXTENSIONS, InvalidSizeError, format_size, parse_size

from .env import ConfigError

# A preset written without options negotiates nothing; the default presets negotiate both formats.
DEFAULT_PRESETS = "thumb50=50x50:webp+avif,preview=1440x1440:webp+avif"
PRESET_FORMATS = tuple(VARIANT_EXTENSIONS)  # AVIF, WEBP: best first, the order /thumb prefers them in
PRESET_DENSITIES = {"2x": 2, "3x": 3}
_PRESET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class PresetTable:
    """Per preset name: its box, the formats it negotiates (best first) and the densities it allows."""

    sizes: Mapping[str, tuple[int, int]]
    formats: Mapping[str, tuple[str, ...]]
    densities: Mapping[str, tuple[int, ...]]

    def every_size(self) -> tuple[str, ...]:
        """Every `WxH` a thumbnail of these presets can have: each box, and each box times each density."""
        sizes = [format_size((w * d, h * d)) for name, (w, h) in self.sizes.items()
                 for d in (1, *self.densities[name])]
        return tuple(dict.fromkeys(sizes))


def parse_presets(text: str, variable: str = "PRESETS") -> PresetTable:
    """The table of `name=WxH[:option+option],...`; raises ConfigError naming `variable` and the preset."""
    sizes: dict[str, tuple[int, int]] = {}
    formats: dict[str, tuple[str, ...]] = {}
    densities: dict[str, tuple[int, ...]] = {}
    for item in text.split(","):
        name, _, rest = item.strip().partition("=")
        size, colon, options = rest.partition(":")
        if not _PRESET_NAME.match(name) or name in sizes:
            raise ConfigError(f"{variable} has a bad or repeated preset name {name!r} (want name=WxH,...)")
        chosen = [o.strip().lower() for o in options.split("+")] if colon else []
        if unknown := set(chosen) - {f.lower() for f in PRESET_FORMATS} - set(PRESET_DENSITIES):
            raise ConfigError(f"{variable} preset {name!r}: unknown option {sorted(unknown)[0]!r} "
                              f"(want name=WxH[:webp+avif+2x+3x])")
        formats[name] = tuple(f for f in PRESET_FORMATS if f.lower() in chosen)
        densities[name] = tuple(d for o, d in PRESET_DENSITIES.items() if o in chosen)
        try:
            sizes[name] = parse_size(size.strip())
            for density in densities[name]:  # the scaled box must be a valid size too
                parse_size((sizes[name][0] * density, sizes[name][1] * density))
        except InvalidSizeError as exc:
            raise ConfigError(f"{variable} preset {name!r}: {exc}") from None
    return PresetTable(MappingProxyType(sizes), MappingProxyType(formats), MappingProxyType(densities))
