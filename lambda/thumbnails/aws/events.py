"""Parse S3 notifications (direct, SQS-wrapped, SNS-in-SQS) into frozen ObjectRecords.

Object keys arrive URL-encoded (`a+b.jpg`, `100%25.jpg`); they are decoded here, once, and
nowhere else. Records that are not object creations, S3 test events and malformed messages
are dropped with a log line: retrying them could never succeed.
"""

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

log = logging.getLogger("thumbnails.aws")


@dataclass(frozen=True)
class ObjectRecord:
    """One created object: where it is, its size and ETag from the event, and the SQS message it came in."""

    bucket: str
    key: str
    size: int | None = None
    etag: str | None = None
    message_id: str | None = None


def is_sqs_event(event: Mapping[str, Any]) -> bool:
    """True when the event is an SQS batch (the answer must then be `batchItemFailures`)."""
    records = event.get("Records") or []
    return bool(records) and all(r.get("eventSource") == "aws:sqs" for r in records)


def parse_event(event: Mapping[str, Any]) -> list[ObjectRecord]:
    """Return every ObjectCreated record of an S3 or SQS event, keys decoded, in delivery order."""
    records = []
    for record in event.get("Records") or []:
        if record.get("eventSource") == "aws:sqs":
            records.extend(_from_sqs(record))
        else:
            records.extend(_from_s3(record, None))
    return records


def _from_sqs(message: Mapping[str, Any]) -> Iterator[ObjectRecord]:
    message_id = message.get("messageId")
    body = _json(message.get("body"), message_id)
    # S3 -> SNS -> SQS wraps the S3 event once more, as a string in the SNS envelope.
    if body.get("Type") == "Notification" and "Message" in body:
        body = _json(body["Message"], message_id)
    if body.get("Event") == "s3:TestEvent":
        log.info(json.dumps({"outcome": "skipped", "reason": "s3:TestEvent", "message_id": message_id}))
        return
    for record in body.get("Records") or []:
        yield from _from_s3(record, message_id)


def _from_s3(record: Mapping[str, Any], message_id: str | None) -> Iterator[ObjectRecord]:
    name = record.get("eventName", "")
    if not name.startswith("ObjectCreated"):
        log.info(json.dumps({"outcome": "skipped", "reason": f"event {name!r}", "message_id": message_id}))
        return
    try:
        s3 = record["s3"]
        bucket, obj = s3["bucket"]["name"], s3["object"]
        key = unquote_plus(obj["key"])
    except (KeyError, TypeError):
        log.error(json.dumps({"outcome": "failed_permanent", "reason": "malformed S3 record", "message_id": message_id}))
        return
    size = obj.get("size")
    yield ObjectRecord(bucket, key, size if isinstance(size, int) else None, obj.get("eTag"), message_id)


def _json(text: Any, message_id: str | None) -> dict:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        value = None
    if not isinstance(value, dict):
        log.error(json.dumps({"outcome": "failed_permanent", "reason": "SQS body is not a JSON object",
                              "message_id": message_id}))
        return {}
    return value
