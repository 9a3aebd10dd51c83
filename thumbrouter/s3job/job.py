"""The thumbnail job: read an original (capped, in memory), make one thumbnail per size, store them.
(Deleting a deleted original's thumbnails is removal.py; the S3 error table is errors.py.)

Shared by the Lambda, backfill and the router's on-demand path. Permanent failures (a bad image,
an object too big, a source already deleted, a PUT that S3 refuses for what it is) come back as an
Outcome; transient S3 failures (throttling, 5xx, timeouts, unreachable endpoint) and configuration
errors (access denied or no bucket on PUT) raise TransientError so the caller retries.
"""

import hashlib
import json
import time
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING

from thumbrouter import imagecore
from thumbrouter.imagecore import (
    ThumbnailError,
    format_for_key,
    format_size,
    no_thumbnail_reason,
    output_format_for_key,
    thumbnail_key,
    variant_key,
)

if TYPE_CHECKING:  # Pillow loads on the first thumbnail (imagecore.make_thumbnail), not with the job's names
    from thumbrouter.imagecore import Thumbnail

from .env import SameBucketError
from .errors import (
    NoThumbnailKeyError,
    ObjectNotFoundError,
    ObjectTooLargeError,
    PermanentError,
    s3_errors,
)
from .events import ObjectRecord
from .settings import LambdaSettings
from .spec import ThumbnailSpec

_CHUNK = 1024 * 1024



@dataclass(frozen=True)
class Source:
    """An original read into memory and the ETag of exactly those bytes."""

    data: bytes
    etag: str


@dataclass(frozen=True)
class StoredThumbnail:
    """A thumbnail written to S3: where, and what (the core's Thumbnail)."""

    bucket: str
    key: str
    thumbnail: "Thumbnail"


@dataclass(frozen=True)
class Outcome:
    """What happened to one record: status is created, deleted, skipped or failed_permanent."""

    status: str
    bucket: str
    key: str
    reason: str = ""
    bytes_in: int = 0
    bytes_out: int = 0
    ms: float = 0.0
    thumbnail_keys: tuple[str, ...] = ()

    def log_line(self) -> str:
        """The one JSON log line of this record (object names and sizes only; nothing secret)."""
        fields = {"bucket": self.bucket, "key": self.key, "outcome": self.status, "ms": self.ms,
                  "bytes_in": self.bytes_in, "bytes_out": self.bytes_out}
        if self.reason:
            fields["reason"] = self.reason
        if self.thumbnail_keys:
            fields["thumbnails"] = list(self.thumbnail_keys)
        return json.dumps(fields, ensure_ascii=False)


def skip_reason(record: ObjectRecord, settings: LambdaSettings) -> str | None:
    """Why this record needs no thumbnail (decided from the event alone, before any download), or None.

    Which keys can have one is naming.no_thumbnail_reason's answer (a name like `a_50x50.jpg` is an original).
    """
    if record.key.endswith("/"):
        return "folder placeholder"
    if format_for_key(record.key) is None:
        return "extension not in the allow-list"
    if not _sizes_for(record.key, settings.spec.sizes):
        return no_thumbnail_reason(record.key, settings.spec.sizes[0])
    if record.size is not None and record.size > settings.max_bytes:
        return f"{record.size} bytes is over MAX_BYTES={settings.max_bytes}"
    return None


def process_object(s3, record: ObjectRecord, settings: LambdaSettings) -> Outcome:
    """Make and store every configured size of one original.

    Raises TransientError (retry later) and SameBucketError (misconfiguration); every other
    failure is permanent and returned as a failed_permanent Outcome.
    """
    started = time.perf_counter()
    reason = skip_reason(record, settings)
    if reason:
        return Outcome("skipped", record.bucket, record.key, reason, ms=elapsed_ms(started))
    dest, source, stored = settings.spec.destination(record.bucket), None, []
    try:
        source = read_source(s3, record.bucket, record.key, settings.max_bytes)
        for size in _sizes_for(record.key, settings.spec.sizes):
            stored.append(store_thumbnail(s3, record.bucket, record.key, dest, size, settings, source))
    except (PermanentError, ThumbnailError) as exc:
        return Outcome("failed_permanent", record.bucket, record.key, f"{type(exc).__name__}: {exc}",
                       bytes_in=len(source.data) if source else 0, ms=elapsed_ms(started))
    return Outcome("created", record.bucket, record.key, bytes_in=len(source.data),
                   bytes_out=sum(len(s.thumbnail.data) for s in stored), ms=elapsed_ms(started),
                   thumbnail_keys=tuple(s.key for s in stored))


def store_thumbnail(s3, source_bucket: str, key: str, dest_bucket: str, size: str,
                    settings: LambdaSettings, source: Source | None = None,
                    output_format: str | None = None) -> StoredThumbnail:
    """Make ONE size of `key` and PUT it to `dest_bucket` (reads the original unless `source` is given).

    `output_format` (a format /thumb negotiated) writes that variant under naming.variant_key instead.

    Raises ThumbnailError or PermanentError (give up), TransientError (retry), SameBucketError.
    """
    if dest_bucket == source_bucket:
        raise SameBucketError(f"destination bucket {dest_bucket!r} equals the source bucket; refusing")
    if reason := no_thumbnail_reason(key, size, output_format):
        raise NoThumbnailKeyError(reason)
    source = source or read_source(s3, source_bucket, key, settings.max_bytes)
    thumbnail = imagecore.make_thumbnail(source.data, size, mode=settings.spec.mode,
                                         quality=settings.spec.jpeg_quality, max_pixels=settings.max_pixels,
                                         max_decoded_bytes=settings.max_decoded_bytes,
                                         # the key names the thumbnail's format (.jpg of PNG bytes still gives JPEG)
                                         output_format=output_format or output_format_for_key(key))
    thumb_key = variant_key(key, size, output_format) if output_format else thumbnail_key(key, size)
    with s3_errors("PUT", dest_bucket, thumb_key):
        # No ACL: buckets created since April 2023 reject them; access is the bucket policy's job.
        s3.put_object(Bucket=dest_bucket, Key=thumb_key, Body=thumbnail.data,
                      ContentType=thumbnail.content_type, CacheControl=settings.spec.cache_control,
                      Metadata={"source-etag": source.etag, "degraded": str(thumbnail.degraded).lower(),
                                "spec": spec_digest(settings.spec, size)})
    return StoredThumbnail(dest_bucket, thumb_key, thumbnail)


def spec_digest(spec: ThumbnailSpec, size: str) -> str:
    """The `spec` metadata of a thumbnail: a short digest of the settings that shape it (size, mode,
    quality, Cache-Control), so a change of settings is seen without reading the image."""
    text = json.dumps([format_size(size), spec.mode, spec.jpeg_quality, spec.cache_control])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def is_stale(head: dict, source_etag: str, spec: ThumbnailSpec, size: str) -> bool:
    """Whether a thumbnail's HEAD answer shows it was made from other bytes (its `source-etag`) or
    other settings (its `spec`) than the original's ETag and `spec` give now; no metadata is stale."""
    metadata = head.get("Metadata", {})
    return metadata.get("source-etag") != source_etag or metadata.get("spec") != spec_digest(spec, size)


def read_source(s3, bucket: str, key: str, max_bytes: int) -> Source:
    """GET an object into memory, reading at most max_bytes + 1 bytes of it.

    Raises ObjectTooLargeError, SourceMissingError, TransientError.
    """
    with s3_errors("GET", bucket, key):
        response = s3.get_object(Bucket=bucket, Key=key)
        with closing(response["Body"]) as body:
            if response.get("ContentLength", 0) > max_bytes:
                raise ObjectTooLargeError(f"{response['ContentLength']} bytes is over MAX_BYTES={max_bytes}")
            data = read_capped(body, max_bytes)
    return Source(data, response.get("ETag", "").strip('"'))


def read_capped(body, max_bytes: int) -> bytes:
    """Read a stream to its end, refusing (ObjectTooLargeError) as soon as it passes max_bytes."""
    chunks, total = [], 0
    while chunk := body.read(min(_CHUNK, max_bytes + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise ObjectTooLargeError(f"body is over MAX_BYTES={max_bytes} (the event said less)")
    return b"".join(chunks)


def object_exists(s3, bucket: str, key: str) -> bool:
    """HEAD an object: True when it exists, False when S3 says no such key (the table's HEAD row).

    Raises TransientError on anything else (403, throttling, 5xx, timeouts, unreachable endpoint).
    """
    return object_head(s3, bucket, key) is not None


def object_head(s3, bucket: str, key: str) -> dict | None:
    """HEAD an object: S3's answer (ETag, Metadata, ...), or None when S3 says no such key (the HEAD row).

    Raises TransientError on anything else (403, throttling, 5xx, timeouts, unreachable endpoint).
    """
    try:
        with s3_errors("HEAD", bucket, key):
            return s3.head_object(Bucket=bucket, Key=key)
    except ObjectNotFoundError:
        return None


def _sizes_for(key: str, sizes: tuple[str, ...]) -> tuple[str, ...]:
    """The sizes whose thumbnail key `key` can have (a long key may fit 50x50 but not 1440x1440)."""
    return tuple(size for size in sizes if no_thumbnail_reason(key, size) is None)


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
