"""The S3 errors of the thumbnail job: what retrying cannot fix (permanent) and what it can (transient).

One table, `_PERMANENT`, per S3 action; `s3_errors` applies it around every call the job makes, and
`is_not_found` lets callers with their own client (the router's request-path HEAD) ask the same rule.
"""

from contextlib import contextmanager

from botocore.exceptions import ClientError, HTTPClientError, IncompleteReadError
from botocore.exceptions import ConnectionError as BotoConnectionError


class TransientError(Exception):
    """S3 throttled, failed or could not be reached; the same request may succeed later."""


class PermanentError(Exception):
    """This object cannot be thumbnailed as it is; retrying would fail the same way."""


class SourceMissingError(PermanentError):
    """The original was deleted (or became unreadable) before we got to it."""


class ObjectTooLargeError(PermanentError):
    """The original is larger than MAX_BYTES."""


class ThumbnailRefusedError(PermanentError):
    """S3 refused the thumbnail PUT for what it is (key too long, invalid argument): same answer every time."""


class NoThumbnailKeyError(PermanentError):
    """The key can have no thumbnail (naming.no_thumbnail_reason): refused before any PUT."""


class ObjectNotFoundError(PermanentError):
    """A HEAD found no such object (the table's HEAD row); object_exists answers False for it."""


# The one table of S3 errors that retrying cannot fix: action -> (error raised, codes, HTTP statuses).
# Anything else (throttling, 5xx, RequestTimeout, which is a 400) is transient.
# GET: only "no such key/bucket" (404) and an archived object mean gone. A 403 is never "missing": the
# stack's roles have s3:ListBucket, so S3 answers a deleted key with 404, and a 403 means a wrong role, a
# KMS key the role cannot use or a bucket policy. Like PUT's AccessDenied it is retried and then reaches
# the failure queue, where `thumbrouter replay` recovers it once the deployment is fixed.
# HEAD: only "no such key" means absent; 403 stays an error (every caller HEADs with s3:ListBucket or
# answers a 403 as a failure, never as "make it again"). Asked by object_exists and is_not_found.
# PUT: only codes that describe the request itself. AccessDenied and NoSuchBucket on PUT are
# deployment errors (role or THN_BUCKET wrong): they stay transient so Lambda retries and then sends
# the event to its failure destination, and fixing the role recovers it; dropping would lose thumbnails.
# DELETE (DeleteObjects, and each key's error in its answer): nothing is permanent. A missing key is no
# error at all, and AccessDenied or NoSuchBucket is a deployment error, retried like PUT's.
# LIST (ListObjectsV2 of the resized bucket before a delete): nothing is permanent either; AccessDenied
# means the role lacks s3:ListBucket on it.
_PERMANENT = {
    "GET": (SourceMissingError, frozenset({"NoSuchKey", "NoSuchBucket", "InvalidObjectState", "404"}),
            frozenset({404})),
    "HEAD": (ObjectNotFoundError, frozenset({"404", "NoSuchKey", "NotFound"}), frozenset({404})),
    "PUT": (ThumbnailRefusedError, frozenset({"KeyTooLongError", "InvalidArgument", "InvalidRequest",
                                              "EntityTooLarge", "MetadataTooLarge", "InvalidStorageClass",
                                              "InvalidObjectName", "BadDigest", "InvalidDigest"}), frozenset()),
    "DELETE": (PermanentError, frozenset(), frozenset()),
    "LIST": (PermanentError, frozenset(), frozenset()),
}


def is_not_found(exc: ClientError) -> bool:
    """Whether a HEAD's ClientError means the object does not exist (for callers with their own client)."""
    return _is_permanent("HEAD", exc)


def _is_permanent(action: str, exc: ClientError) -> bool:
    _, codes, statuses = _PERMANENT[action]
    return _code(exc) in codes or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in statuses


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextmanager
def s3_errors(action: str, bucket: str, key: str):
    """Translate botocore failures into PermanentError/TransientError (after the client's own retries)."""
    try:
        yield
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = _code(exc)
        if _is_permanent(action, exc):
            raise _PERMANENT[action][0](f"{action} s3://{bucket}/{key}: {code or status}") from exc
        raise TransientError(f"{action} s3://{bucket}/{key}: {code or status}") from exc
    except (BotoConnectionError, HTTPClientError, IncompleteReadError) as exc:
        raise TransientError(f"{action} s3://{bucket}/{key}: {type(exc).__name__}") from exc
