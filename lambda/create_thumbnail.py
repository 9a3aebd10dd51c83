"""AWS Lambda entry point: S3 ObjectCreated events (direct or via SQS) -> thumbnails in <bucket>resized;
ObjectRemoved events -> those thumbnails deleted."""

import logging
import os

from thumbrouter import imagecore
from thumbrouter.s3job import (
    Invalidator,
    LambdaSettings,
    default_s3_client,
    is_sqs_event,
    parse_event,
    process_batch,
)

logging.getLogger("thumbrouter.s3job").setLevel(logging.INFO)
imagecore.preload()  # Pillow loads during init (the cold-start burst), not on the first record
imagecore.reuse_freed_memory()  # one thumbnail at a time: big buffers stay mapped for the next one
# Read once per cold start: a wrong value fails here with ConfigError naming the variable.
SETTINGS = LambdaSettings.from_env(os.environ)
# With a CDN in front, deleted originals' paths are invalidated there too.
CDN = Invalidator.for_distribution(SETTINGS.cdn_distribution_id) if SETTINGS.cdn_distribution_id else None


def handler(event, context):
    """Thumbnail every created object, unthumbnail every deleted one; retries surface as batchItemFailures
    (SQS) or a raised BatchRetryError."""
    result = process_batch(default_s3_client(), parse_event(event), SETTINGS)
    if CDN is not None:  # a TransientError fails the invocation: Lambda retries it, the deletes are idempotent
        CDN.invalidate(result.outcomes, context.aws_request_id)
    return result.response(sqs=is_sqs_event(event))
