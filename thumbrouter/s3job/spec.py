"""ThumbnailSpec: where thumbnails go and how they are made, the one contract of the Lambda, backfill and router.

The Lambda reads it from THN_BUCKET, THUMBNAIL_SIZES, THUMBNAIL_MODE, JPEG_QUALITY, CACHE_CONTROL and PRESETS
(the sizes /thumb makes on demand, which the delete path must know too); the router from the same names with
its THUMBROUTER_ prefix. `thumbrouter deploy ENV output --env-format`
prints `to_env("THUMBROUTER_")` of the values Terraform gives the Lambda, so the two cannot disagree.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from thumbrouter.imagecore import MODES

from .env import ConfigError, Env, SameBucketError, is_bucket_name
from .presets import DEFAULT_PRESETS, PresetTable, parse_presets

# Not `immutable`: the thumbnail key is derived from the original's key, not its content, so
# replacing an original (or a backfill with new settings) rewrites the same key. One day bounds
# how long a stale thumbnail can be served while sparing browsers and CDNs a refetch per view.
DEFAULT_CACHE_CONTROL = "public, max-age=86400"
DEFAULT_JPEG_QUALITY = 85
RESIZED_SUFFIX = "resized"


@dataclass(frozen=True)
class ThumbnailSpec:
    """Destination bucket (None: `<source>resized`), `WxH` sizes, fit/cover, JPEG quality, Cache-Control, presets."""

    dest_bucket: str | None = None
    sizes: tuple[str, ...] = ("50x50",)
    mode: str = "fit"
    jpeg_quality: int = DEFAULT_JPEG_QUALITY
    cache_control: str = DEFAULT_CACHE_CONTROL
    presets: str = DEFAULT_PRESETS  # `name=WxH[:webp+avif+2x+3x],...` (presets.py)

    # Field -> variable (without prefix): the one name table of from_env and to_env.
    VARIABLES: ClassVar[Mapping[str, str]] = {
        "dest_bucket": "THN_BUCKET", "sizes": "THUMBNAIL_SIZES", "mode": "THUMBNAIL_MODE",
        "jpeg_quality": "JPEG_QUALITY", "cache_control": "CACHE_CONTROL", "presets": "PRESETS",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str], prefix: str = "") -> "ThumbnailSpec":
        """Read `<prefix>THN_BUCKET` and the rest; unset or blank variables take the defaults.

        Raises ConfigError naming the variable.
        """
        env, names = Env(environ, prefix), cls.VARIABLES
        return cls(
            dest_bucket=env.bucket(names["dest_bucket"]),
            sizes=env.sizes(names["sizes"], "50x50"),
            mode=env.choice(names["mode"], MODES, "fit"),
            jpeg_quality=env.integer(names["jpeg_quality"], DEFAULT_JPEG_QUALITY, 1, 95),
            cache_control=env.header_value(names["cache_control"], DEFAULT_CACHE_CONTROL),
            presets=_presets(env, names["presets"]),
        )

    def to_env(self, prefix: str = "") -> dict[str, str]:
        """The variables `from_env(..., prefix)` reads back as this spec (no THN_BUCKET when None)."""
        values = {"dest_bucket": self.dest_bucket, "sizes": ",".join(self.sizes), "mode": self.mode,
                  "jpeg_quality": str(self.jpeg_quality), "cache_control": self.cache_control,
                  "presets": self.presets}
        return {f"{prefix}{self.VARIABLES[field]}": value for field, value in values.items() if value is not None}

    def preset_table(self) -> PresetTable:
        """The parsed presets; raises ConfigError for presets from_env would have refused."""
        return parse_presets(self.presets)

    def every_size(self) -> tuple[str, ...]:
        """Every size a thumbnail can have: the Lambda's sizes, each preset's box and its densities' boxes."""
        return tuple(dict.fromkeys(self.sizes + self.preset_table().every_size()))

    def destination(self, source_bucket: str) -> str:
        """The bucket thumbnails of `source_bucket` go to: THN_BUCKET, else `<source>resized`.

        Raises SameBucketError when that is the source bucket itself, and ConfigError when
        `<source>resized` is not a bucket name (over 63 characters: set THN_BUCKET).
        """
        dest = self.dest_bucket or f"{source_bucket}{RESIZED_SUFFIX}"
        if dest == source_bucket:
            raise SameBucketError(f"THN_BUCKET {dest!r} equals the source bucket; refusing to write thumbnails there")
        if not is_bucket_name(dest):
            raise ConfigError(f"thumbnails of {source_bucket!r} would go to {dest!r} ({len(dest)} characters), "
                              f"not an S3 bucket name of at most 63; set THN_BUCKET")
        return dest


def _presets(env: Env, name: str) -> str:
    """The PRESETS text with blanks around items removed; raises ConfigError naming the variable."""
    text = ",".join(item.strip() for item in (env.text(name) or DEFAULT_PRESETS).split(","))
    parse_presets(text, env.name(name))
    return text
