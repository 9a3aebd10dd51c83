"""On-demand generation of ONE thumbnail: the code shared by lambda/on_demand.py and the router.

The router's `local` backend calls `generate` in-process; its `lambda` backend sends the same
request as JSON to lambda/on_demand.py, which calls `generate` there. Either way the answer is the
same small dict: {"status": "created"|"exists"|"missing"|"invalid", "bucket", "thumbnail_key", ...}.
An optional `format` (what /thumb negotiated by Accept) makes that variant (naming.variant_key).
"""

import time
from dataclasses import dataclass, replace

from thumbrouter.imagecore import (
    MAX_KEY_BYTES,
    MODES,
    OUTPUT_CONTENT_TYPES,
    ThumbnailError,
    format_for_key,
    format_size,
    no_thumbnail_reason,
    thumbnail_key,
    variant_key,
)

from .env import ConfigError, is_bucket_name
from .errors import PermanentError, SourceMissingError
from .job import object_exists, store_thumbnail
from .settings import LambdaSettings

_FIELDS = {"bucket", "key", "size", "mode", "dest_bucket", "format"}


class PayloadError(ValueError):
    """The on-demand request is malformed (a caller bug, never retried)."""


@dataclass(frozen=True)
class OnDemandRequest:
    """One thumbnail to make: source bucket and key, `WxH` size, mode, destination bucket, and the
    output format of a negotiated variant (None: the key's own format, its default thumbnail)."""

    bucket: str
    key: str
    size: str
    mode: str
    dest_bucket: str
    format: str | None = None

    @property
    def thumbnail_key(self) -> str:
        """Where this thumbnail is stored; raises ValueError for a format the key can have no variant in."""
        if self.format is None:
            return thumbnail_key(self.key, self.size)
        return variant_key(self.key, self.size, self.format)


def parse_request(payload, settings: LambdaSettings) -> OnDemandRequest:
    """Validate an on-demand payload strictly; raises PayloadError naming the first problem."""
    if not isinstance(payload, dict) or set(payload) - _FIELDS:
        raise PayloadError(f"payload must be an object with only {sorted(_FIELDS)}")
    bucket, key = payload.get("bucket"), payload.get("key")
    if not is_bucket_name(bucket):
        raise PayloadError("bucket must be an S3 bucket name")
    if not isinstance(key, str) or not key or len(key.encode()) > MAX_KEY_BYTES or key.endswith("/"):
        raise PayloadError(f"key must be a non-empty object key of at most {MAX_KEY_BYTES} bytes")
    if any(ord(c) < 32 or ord(c) == 127 for c in key):
        raise PayloadError("key must not contain control characters")
    try:
        size = format_size(payload.get("size", ""))  # missing: refused like an empty size
    except (ThumbnailError, TypeError, ValueError):
        raise PayloadError("size must look like 50x50") from None
    fmt = _output_format(payload, key, size)
    reason = no_thumbnail_reason(key, size, fmt)
    if reason:
        raise PayloadError(f"key can have no thumbnail: {reason}")
    mode = payload.get("mode", settings.spec.mode)
    if mode not in MODES:
        raise PayloadError(f"mode must be one of {MODES}")
    try:
        dest = payload.get("dest_bucket") or settings.spec.destination(bucket)
    except ConfigError as exc:
        raise PayloadError(f"no dest_bucket given and {exc}") from None
    if not is_bucket_name(dest) or dest == bucket:
        raise PayloadError("dest_bucket must be an S3 bucket name other than the source bucket")
    return OnDemandRequest(bucket, key, size, mode, dest, fmt)


def _output_format(payload: dict, key: str, size: str) -> str | None:
    """The payload's optional `format`: one of OUTPUT_CONTENT_TYPES that the key can be written in."""
    fmt = payload.get("format")
    if fmt is None:
        return None
    if fmt not in OUTPUT_CONTENT_TYPES:
        raise PayloadError(f"format must be one of {sorted(OUTPUT_CONTENT_TYPES)}")
    try:
        variant_key(key, size, fmt)
    except ValueError as exc:
        raise PayloadError(f"format: {exc}") from None
    return fmt


def generate(s3, request: OnDemandRequest, settings: LambdaSettings) -> dict:
    """Make and store one thumbnail unless it exists; the dict says what happened.

    Raises TransientError (retry later); every permanent failure is an answer, not an exception.
    """
    started, thumb_key = time.perf_counter(), thumbnail_key(request.key, request.size)
    answer = {"bucket": request.dest_bucket, "thumbnail_key": thumb_key}
    if format_for_key(request.key) is None:
        return answer | {"status": "invalid", "reason": "not an original with a supported extension"}
    try:
        answer["thumbnail_key"] = thumb_key = request.thumbnail_key
    except ValueError as exc:
        return answer | {"status": "invalid", "reason": str(exc)}
    if object_exists(s3, request.dest_bucket, thumb_key):
        return answer | {"status": "exists", "ms": _ms(started)}
    one = replace(settings, spec=replace(settings.spec, dest_bucket=request.dest_bucket, sizes=(request.size,),
                                         mode=request.mode))
    try:
        stored = store_thumbnail(s3, request.bucket, request.key, request.dest_bucket, request.size, one,
                                 output_format=request.format)
    except SourceMissingError as exc:
        return answer | {"status": "missing", "reason": str(exc), "ms": _ms(started)}
    except (PermanentError, ThumbnailError) as exc:
        return answer | {"status": "invalid", "reason": f"{type(exc).__name__}: {exc}", "ms": _ms(started)}
    return answer | {"status": "created", "content_type": stored.thumbnail.content_type,
                     "bytes_out": len(stored.thumbnail.data), "ms": _ms(started)}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
