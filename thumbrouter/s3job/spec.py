"""ThumbnailSpec: where thumbnails go and how they are made, the one contract of the Lambda, backfill and router.

The functions read it from THUMBNAILER_THN_BUCKET, _THUMBNAIL_SIZES, _THUMBNAIL_FIT, _JPEG_QUALITY,
_CACHE_CONTROL and _PRESETS (the sizes /thumb makes on demand, which the delete path must know too); the
router and backfill from the same names with the router's THUMBROUTER_ prefix.
`thumbrouter deploy ENV output --env-format` prints `to_env("THUMBROUTER_")` of the values Terraform
gives the functions, so the two cannot disagree.

THUMBNAILER_ is the job's one prefix: a plain word for the deployable (the thumbnail job, whoever runs
it), distinct from THUMBROUTER_ at a glance, clear of the names Lambda reserves (AWS_*, LAMBDA_*), and
it keeps the suffixes the router uses so one table serves both. The seed's unprefixed names (THN_BUCKET,
...) and THUMBNAIL_MODE still work, each logging one deprecation line; an old and a new name both set
must agree.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from thumbrouter.imagecore import MODES

from .env import ConfigError, Env, SameBucketError, is_bucket_name, renamed_variables
from .presets import DEFAULT_PRESETS, PresetTable, parse_presets

# Not `immutable`: the thumbnail key is derived from the original's key, not its content, so
# replacing an original (or a backfill with new settings) rewrites the same key. One day bounds
# how long a stale thumbnail can be served while sparing browsers and CDNs a refetch per view.
DEFAULT_CACHE_CONTROL = "public, max-age=86400"
DEFAULT_JPEG_QUALITY = 85
RESIZED_SUFFIX = "resized"
JOB_PREFIX = "THUMBNAILER_"
# The job's names before they had a prefix: still accepted under JOB_PREFIX, with a deprecation line.
JOB_LEGACY_PREFIXES = ("",)


@dataclass(frozen=True)
class ThumbnailSpec:
    """Destination bucket (None: `<source>resized`), `WxH` sizes, fit/cover, JPEG quality, Cache-Control, presets."""

    dest_bucket: str | None = None
    sizes: tuple[str, ...] = ("50x50",)
    mode: str = "fit"
    jpeg_quality: int = DEFAULT_JPEG_QUALITY
    cache_control: str = DEFAULT_CACHE_CONTROL
    presets: str = DEFAULT_PRESETS  # `name=WxH[:webp+avif+2x+3x],...` (presets.py)

    # Field -> variable (without prefix): the one name table of from_env and to_env. THUMBNAIL_FIT, not
    # _MODE: the router also has S3_THUMBNAIL_LINKS (eager/lazy), and two "modes" were mixed up.
    VARIABLES: ClassVar[Mapping[str, str]] = {
        "dest_bucket": "THN_BUCKET", "sizes": "THUMBNAIL_SIZES", "mode": "THUMBNAIL_FIT",
        "jpeg_quality": "JPEG_QUALITY", "cache_control": "CACHE_CONTROL", "presets": "PRESETS",
    }
    # Field -> its variable's name before a rename (same prefix); still read, with a deprecation line.
    RENAMED: ClassVar[Mapping[str, str]] = {"mode": "THUMBNAIL_MODE"}

    @classmethod
    def renames(cls, prefix: str, legacy_prefixes: tuple[str, ...] = ()) -> dict[str, str]:
        """Deprecated full name -> current full name, for the spec read under `prefix`."""
        return renamed_variables(cls.VARIABLES, cls.RENAMED, prefix, legacy_prefixes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], prefix: str = JOB_PREFIX,
                 legacy_prefixes: tuple[str, ...] | None = None) -> "ThumbnailSpec":
        """Read `<prefix>THN_BUCKET` and the rest; unset or blank variables take the defaults. Old names
        (see `renames`; legacy prefixes default to the job's unprefixed names under JOB_PREFIX) still count.

        Raises ConfigError naming the variable, or both names when an old and a new one disagree.
        """
        if legacy_prefixes is None:
            legacy_prefixes = JOB_LEGACY_PREFIXES if prefix == JOB_PREFIX else ()
        env, names = Env(environ, prefix, cls.renames(prefix, legacy_prefixes)), cls.VARIABLES
        return cls(
            dest_bucket=env.bucket(names["dest_bucket"]),
            sizes=env.sizes(names["sizes"], "50x50"),
            mode=env.choice(names["mode"], MODES, "fit"),
            jpeg_quality=env.integer(names["jpeg_quality"], DEFAULT_JPEG_QUALITY, 1, 95),
            cache_control=env.header_value(names["cache_control"], DEFAULT_CACHE_CONTROL),
            presets=_presets(env, names["presets"]),
        )

    def to_env(self, prefix: str = JOB_PREFIX) -> dict[str, str]:
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
