"""Named thumbnail presets (`thumb50=50x50,preview=1440x1440`): the only sizes /thumb will make.

Free sizes are refused on purpose: every distinct size is a new object to generate and store, so a
client that could choose the size could make the router burn CPU and storage at will.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from thumbnails import format_size, parse_size

DEFAULT_PRESETS = "thumb50=50x50,preview=1440x1440"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Preset:
    """One allowed thumbnail: a name in the URL and the `WxH` box it stands for."""

    name: str
    size: str  # canonical "WxH"


def parse_presets(text: str) -> dict[str, Preset]:
    """Parse `name=WxH,...` into {name: Preset}.

    Raises ValueError naming the entry when a name is malformed or repeated, or a size is invalid.
    """
    presets: dict[str, Preset] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        name, eq, size = (piece.strip() for piece in entry.partition("="))
        if not eq or not _NAME.match(name):
            raise ValueError(f"preset {entry!r} must look like name=WxH (name: a-z 0-9 _ -)")
        if name in presets:
            raise ValueError(f"preset {name!r} is defined twice")
        presets[name] = Preset(name, format_size(parse_size(size)))
    if not presets:
        raise ValueError("at least one preset is required")
    return presets


def presets_from(value) -> dict[str, Preset]:
    """Accept what Settings holds (text, a {name: size} mapping, or Presets) and return {name: Preset}."""
    if value is None:
        return parse_presets(DEFAULT_PRESETS)
    if isinstance(value, str):
        return parse_presets(value)
    if isinstance(value, Mapping):
        items = value.items()
    else:
        items = ((p.name, p.size) if isinstance(p, Preset) else p for p in value)
    return parse_presets(",".join(f"{name}={_size_text(size)}" for name, size in items))


def _size_text(size) -> str:
    return size.size if isinstance(size, Preset) else format_size(size)
