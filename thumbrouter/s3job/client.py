"""The boto3 S3 client of the thumbnail job: standard credential chain, explicit timeouts and retries.

boto3 itself honours AWS_REGION and AWS_ENDPOINT_URL_S3, so the same code talks to AWS and to
the local S3 server. Creating a client costs tens of milliseconds, hence one per process.
"""

import functools

import boto3
from botocore.config import Config

# Standard retry mode backs off on throttling (SlowDown, 503) and connection errors; whatever is
# still failing after 3 tries in all is handed back to Lambda/SQS as a transient failure.
# (botocore's `max_attempts` counts retries after the first try; `total_max_attempts` counts every try.)
CONFIG = Config(
    connect_timeout=3,
    read_timeout=15,
    retries={"mode": "standard", "total_max_attempts": 3},
)


def new_s3_client(max_pool_connections: int = 10):
    """Return a fresh S3 client; pass max_pool_connections >= the number of threads sharing it."""
    return boto3.session.Session().client("s3", config=CONFIG.merge(Config(max_pool_connections=max_pool_connections)))


@functools.cache
def default_s3_client():
    """The process-wide client, created on first use (the Lambda's cold start) and then reused."""
    return new_s3_client()
