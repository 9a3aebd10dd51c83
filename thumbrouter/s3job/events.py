"""Parse S3 notifications (direct, SQS-wrapped, SNS-in-SQS) into frozen ObjectRecords and BadRecords.

Object keys arrive URL-encoded (`a+b.jpg`, `100%25.jpg`); they are decoded here, once, and
nowhere else. Object creations and removals (ObjectRemoved:Delete, :DeleteMarkerCreated, and the same
two by a lifecycle rule, LifecycleExpiration:*; none carries a size or eTag) become records; other
events and S3 test events are dropped with a log line.
Anything malformed (Records not a list, a record that is not an object, a key or event name that is
not a string, an SQS body that is not JSON) becomes a BadRecord in its place, so the batch decides
what to do with it while the valid records next to it still run.
"""

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

log = logging.getLogger("thumbrouter.s3job")
# eventName prefixes of an object that is gone: deleted by a request, or expired by a lifecycle rule.
_REMOVED = ("ObjectRemoved:", "LifecycleExpiration:")


@dataclass(frozen=True)
class ObjectRecord:
    """One created (or, with `removed`, deleted) object: where it is, its size and ETag from the event,
    and the SQS message it came in."""

    bucket: str
    key: str
    size: int | None = None
    etag: str | None = None
    message_id: str | None = None
    removed: bool = False


@dataclass(frozen=True)
class BadRecord:
    """A record that could not be parsed: why (never its content, which may hold a key), and its SQS message."""

    reason: str
    message_id: str | None = None


Parsed = ObjectRecord | BadRecord


def _records(value: Any) -> list | None:
    """The `Records` list of an event (missing: empty), or None when it is not a list."""
    if not isinstance(value, Mapping):
        return None
    records = value.get("Records", [])
    return records if isinstance(records, list) else None


def is_sqs_event(event: Any) -> bool:
    """True when the event is an SQS batch (the answer must then be `batchItemFailures`)."""
    messages = [r for r in _records(event) or [] if isinstance(r, Mapping)]
    return bool(messages) and all(m.get("eventSource") == "aws:sqs" for m in messages)


def parse_event(event: Any) -> list[Parsed]:
    """Every created, removed or expired object of an S3 or SQS event (keys decoded), a BadRecord per malformed one."""
    records = _records(event)
    if records is None:
        return [BadRecord("event is not an object with a Records list")]
    parsed: list[Parsed] = []
    for record in records:
        if isinstance(record, Mapping) and record.get("eventSource") == "aws:sqs":
            parsed.extend(_from_sqs(record))
        else:
            parsed.extend(_from_s3(record, None))
    return parsed


def _from_sqs(message: Mapping[str, Any]) -> Iterator[Parsed]:
    message_id = message.get("messageId")
    message_id = message_id if isinstance(message_id, str) and message_id else None
    body = _json(message.get("body"))
    # S3 -> SNS -> SQS wraps the S3 event once more, as a string in the SNS envelope.
    if isinstance(body, Mapping) and body.get("Type") == "Notification" and "Message" in body:
        body = _json(body["Message"])
    if isinstance(body, Mapping) and body.get("Event") == "s3:TestEvent":
        log.info(json.dumps({"outcome": "skipped", "reason": "s3:TestEvent", "message_id": message_id}))
        return
    records = _records(body)
    if records is None:
        yield BadRecord("SQS body is not an S3 event (a JSON object with a Records list)", message_id)
        return
    for record in records:
        yield from _from_s3(record, message_id)


def _from_s3(record: Any, message_id: str | None) -> Iterator[Parsed]:
    if not isinstance(record, Mapping):
        yield BadRecord(f"record is {type(record).__name__}, not an object", message_id)
        return
    name = record.get("eventName")
    if not isinstance(name, str):
        yield BadRecord("eventName is not a string", message_id)
        return
    if not name.startswith(("ObjectCreated:", *_REMOVED)):
        log.info(json.dumps({"outcome": "skipped", "reason": f"event {name[:100]!r}", "message_id": message_id}))
        return
    try:
        s3 = record["s3"]
        bucket, obj = s3["bucket"]["name"], s3["object"]
        key, size, etag = obj["key"], obj.get("size"), obj.get("eTag")
    except (KeyError, TypeError, AttributeError):
        yield BadRecord("s3.bucket.name or s3.object.key is missing", message_id)
        return
    if not (isinstance(bucket, str) and bucket and isinstance(key, str) and key):
        yield BadRecord("s3.bucket.name or s3.object.key is not a non-empty string", message_id)
        return
    size = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None
    yield ObjectRecord(bucket, unquote_plus(key), size, etag if isinstance(etag, str) else None, message_id,
                       removed=name.startswith(_REMOVED))


def _json(text: Any) -> Any:
    """The decoded JSON value of an SQS body or SNS message, or None when it is not JSON text."""
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None
