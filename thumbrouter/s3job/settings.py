"""LambdaSettings: the configuration of the thumbnail job (the Lambda, backfill, the router's /thumb).

What a thumbnail is (destination, sizes, mode, quality, cache-control) is the ThumbnailSpec shared
with the router; the rest are this process's safety limits. A wrong value raises ConfigError naming
the variable, so a bad deploy fails at cold start instead of failing every record later.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from thumbrouter.imagecore import DEFAULT_MAX_DECODED_BYTES, DEFAULT_MAX_PIXELS

from .env import Env, renamed_variables
from .spec import JOB_LEGACY_PREFIXES, JOB_PREFIX, ThumbnailSpec

# 50 MiB: above any camera JPEG or phone photo (typically 2-25 MB) yet small enough that the
# original, its decoded draft and the output fit comfortably in a 1 GB Lambda.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_DISTRIBUTION_ID = re.compile(r"^E[A-Z0-9]{5,20}$")  # EDFDVBD6EXAMPLE


@dataclass(frozen=True)
class LambdaSettings:
    """Validated configuration of the thumbnail job: the spec plus limits (see from_env for the variables)."""

    spec: ThumbnailSpec = field(default_factory=ThumbnailSpec)
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_bytes: int = DEFAULT_MAX_BYTES
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES
    cdn_distribution_id: str | None = None  # deleted originals' CDN paths are invalidated there

    # Field -> variable (without prefix): the job's limits; the spec has its own table.
    VARIABLES: ClassVar[Mapping[str, str]] = {
        "max_pixels": "MAX_PIXELS", "max_bytes": "MAX_BYTES", "max_decoded_bytes": "MAX_DECODED_BYTES",
        "cdn_distribution_id": "CDN_DISTRIBUTION_ID",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str], prefix: str = JOB_PREFIX,
                 spec_prefix: str | None = None) -> "LambdaSettings":
        """Read the spec's variables (ThumbnailSpec.from_env, under `spec_prefix`, default `prefix`) and
        MAX_PIXELS, MAX_BYTES, MAX_DECODED_BYTES (MAX_PIXELS at most Pillow's MAX_IMAGE_PIXELS, which would
        otherwise win silently). Under JOB_PREFIX the seed's unprefixed names still count, deprecated.

        Unset or empty variables take the defaults. Raises ConfigError naming the variable.
        """
        from PIL import Image  # here, not at import: the router builds LambdaSettings without loading Pillow

        legacy = JOB_LEGACY_PREFIXES if JOB_PREFIX in (prefix, spec_prefix) else ()
        spec = ThumbnailSpec.from_env(environ, prefix if spec_prefix is None else spec_prefix, legacy)
        env, names = Env(environ, prefix, renamed_variables(cls.VARIABLES, {}, prefix, legacy)), cls.VARIABLES
        return cls(
            spec=spec,
            max_pixels=env.integer(names["max_pixels"], DEFAULT_MAX_PIXELS, 1, Image.MAX_IMAGE_PIXELS or 10**10),
            max_bytes=env.integer(names["max_bytes"], DEFAULT_MAX_BYTES, 1, 5 * 1024**3),
            max_decoded_bytes=env.integer(names["max_decoded_bytes"], DEFAULT_MAX_DECODED_BYTES, 1024**2,
                                          8 * 1024**3),
            cdn_distribution_id=env.match(names["cdn_distribution_id"], _DISTRIBUTION_ID,
                                          "a CloudFront distribution id"),
        )
