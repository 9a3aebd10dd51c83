"""Real-shaped S3/SQS event JSON and small generated images for the handler and CLI tests."""

import io
import json
import sys
import uuid
from pathlib import Path
from urllib.parse import quote_plus

from PIL import Image

LAMBDA_DIR = Path(__file__).resolve().parents[2] / "lambda"
if str(LAMBDA_DIR) not in sys.path:
    sys.path.insert(0, str(LAMBDA_DIR))


def s3_record(bucket: str, key: str, size: int = 1024, etag: str = "0123456789abcdef",
              event_name: str = "ObjectCreated:Put") -> dict:
    """One record exactly as S3 sends it: key URL-encoded with + for space."""
    return {
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-11-23T12:00:00.000Z", "eventName": event_name,
        "userIdentity": {"principalId": "AWS:EXAMPLE"}, "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810",
                             "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "thumbnails",
               "bucket": {"name": bucket, "ownerIdentity": {"principalId": "EXAMPLE"}, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag,
                          "sequencer": "0A1B2C3D4E5F678901"}},
    }


def s3_event(*records: dict) -> dict:
    return {"Records": list(records)}


def sqs_message(body: dict | str, message_id: str | None = None) -> dict:
    """An SQS record whose body is the S3 event JSON as a string."""
    return {
        "messageId": message_id or str(uuid.uuid4()), "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"},
        "messageAttributes": {}, "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
        "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:thumbnails",
        "awsRegion": "us-east-1",
    }


def image_bytes(fmt: str = "JPEG", size=(320, 200), mode: str = "RGB") -> bytes:
    """A small gradient image in the given format and mode."""
    image = Image.linear_gradient("L").resize(size).convert(mode)
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize(size))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
