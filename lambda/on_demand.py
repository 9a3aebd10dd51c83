"""AWS Lambda entry point for the router's `lambda` backend: make ONE thumbnail now, synchronously.

Payload: {"bucket", "key", "size": "WxH", "mode"?: "fit"|"cover", "dest_bucket"?, "format"?: "WEBP"|"AVIF"|...}
(format: a variant /thumb negotiated, stored under its own key; absent: the key's own format). Answer:
{"status": "created"|"exists"|"missing"|"invalid", "bucket", "thumbnail_key", ...}. A malformed
payload raises PayloadError and a throttled S3 raises TransientError: both surface to the router as
a FunctionError, which it answers with 502/503, never as a thumbnail.
"""

import json
import logging
import os

from thumbrouter import imagecore
from thumbrouter.s3job import LambdaSettings, default_s3_client, generate, parse_request

log = logging.getLogger("thumbrouter.s3job.on_demand")
log.setLevel(logging.INFO)
imagecore.preload()  # Pillow loads during init (the cold-start burst), not on the first record
imagecore.reuse_freed_memory()  # one thumbnail at a time: big buffers stay mapped for the next one
SETTINGS = LambdaSettings.from_env(os.environ)  # a wrong value fails the cold start, naming the variable


def handler(event, context):
    """Generate and store the one requested thumbnail; returns what happened."""
    answer = generate(default_s3_client(), parse_request(event, SETTINGS), SETTINGS)
    log.info(json.dumps({"on_demand": answer.get("status"), "thumbnail_key": answer["thumbnail_key"],
                         "ms": answer.get("ms")}, ensure_ascii=False))
    return answer
