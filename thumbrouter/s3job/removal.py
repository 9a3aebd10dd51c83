"""When an original is deleted: delete every thumbnail it has, whatever its size or variant."""

import time

from thumbrouter.imagecore import is_thumbnail_of, thumbnail_keys, thumbnail_prefix

from .errors import TransientError, s3_errors
from .events import ObjectRecord
from .job import Outcome, elapsed_ms, object_exists, skip_reason
from .settings import LambdaSettings

_DELETE_BATCH = 1000  # DeleteObjects' limit per request
_LIST_PAGE = 1000  # ListObjectsV2's most keys per page
# Pages listed per deleted original: other originals' thumbnails can share its prefix (`a_b.jpg`'s share
# `a_`), so a folder of many `a_*` originals must not turn one delete into a scan of the bucket.
_LIST_PAGES = 5


def remove_thumbnails(s3, record: ObjectRecord, settings: LambdaSettings) -> Outcome:
    """Delete every thumbnail of a deleted original, whatever its size (missing ones are fine, so a
    redelivery is harmless): those a listing under its prefix finds, and, when that listing stopped at
    its bound (the Outcome's reason says so), every key the spec's sizes and presets (each density
    included) can give it, in every format.

    Nothing is deleted while the original exists: the event is then stale (the key was uploaded again,
    or only an older version was deleted) and the thumbnails belong to the object that is there.
    Raises TransientError (retry later; also a 403 on HEAD, the listing or DeleteObjects) and SameBucketError.
    """
    started = time.perf_counter()
    reason = skip_reason(record, settings)
    if reason:
        return Outcome("skipped", record.bucket, record.key, reason, ms=elapsed_ms(started))
    dest = settings.spec.destination(record.bucket)
    if object_exists(s3, record.bucket, record.key):
        return Outcome("skipped", record.bucket, record.key, "original exists again", ms=elapsed_ms(started))
    keys, complete = list_thumbnails(s3, dest, record.key)
    if not complete:
        keys = tuple(dict.fromkeys(keys + thumbnail_keys(record.key, settings.spec.every_size())))
    delete_objects(s3, dest, keys)
    reason = "" if complete else f"listed only the first {_LIST_PAGES * _LIST_PAGE} keys under its prefix"
    return Outcome("deleted", record.bucket, record.key, reason, ms=elapsed_ms(started), thumbnail_keys=keys)


def list_thumbnails(s3, bucket: str, original: str) -> tuple[tuple[str, ...], bool]:
    """The thumbnails of `original` in `bucket` (any size, any variant), and whether the listing saw them all.

    Lists at most _LIST_PAGES pages under naming.thumbnail_prefix and keeps naming.is_thumbnail_of's
    keys (other originals' thumbnails share the prefix). Raises TransientError (the table's LIST row).
    """
    prefix, found = thumbnail_prefix(original), []
    more: dict[str, str] = {}  # the next page's ContinuationToken
    for _ in range(_LIST_PAGES):
        with s3_errors("LIST", bucket, prefix):
            page = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=_LIST_PAGE, **more)
        found += [obj["Key"] for obj in page.get("Contents", []) if is_thumbnail_of(original, obj["Key"])]
        if not page.get("IsTruncated") or not page.get("NextContinuationToken"):
            return tuple(found), True
        more = {"ContinuationToken": page["NextContinuationToken"]}
    return tuple(found), False


def delete_objects(s3, bucket: str, keys: tuple[str, ...]) -> None:
    """Delete keys from a bucket, up to 1000 per request; a key that is not there is not an error.

    Raises TransientError when the request or any key fails (the table's DELETE row).
    """
    for start in range(0, len(keys), _DELETE_BATCH):
        chunk = keys[start:start + _DELETE_BATCH]
        with s3_errors("DELETE", bucket, chunk[0]):
            answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in chunk],
                                                              "Quiet": True})
        if errors := answer.get("Errors"):
            first = errors[0]
            raise TransientError(f"DELETE s3://{bucket}/{first.get('Key')}: {first.get('Code')} "
                                 f"({len(errors)} of {len(chunk)} keys not deleted)")
