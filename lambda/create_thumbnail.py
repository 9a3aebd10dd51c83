"""AWS Lambda entry point: S3 ObjectCreated events (direct or via SQS) -> thumbnails in <bucket>resized."""

import logging
import os

from thumbrouter.s3job.batch import process_batch
from thumbrouter.s3job.client import default_s3_client
from thumbrouter.s3job.events import is_sqs_event, parse_event
from thumbrouter.s3job.settings import LambdaSettings

logging.getLogger("thumbrouter.s3job").setLevel(logging.INFO)
# Read once per cold start: a wrong value fails here with ConfigError naming the variable.
SETTINGS = LambdaSettings.from_env(os.environ)


def handler(event, context):
    """Thumbnail every created object; retries surface as batchItemFailures (SQS) or a raised BatchRetryError."""
    result = process_batch(default_s3_client(), parse_event(event), SETTINGS)
    return result.response(sqs=is_sqs_event(event))
