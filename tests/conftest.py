"""Shared fixtures: the local S3 server (moto, real HTTP) and a real redis-server."""

import os
import uuid

import boto3
import pytest
from botocore.config import Config
from hypothesis import HealthCheck, settings

from tests.support.servers import RedisServer, S3Server

# Credentials for the local S3 server only; set before any boto3 client is made.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
)
os.environ.pop("AWS_PROFILE", None)

# Hypothesis' per-example deadline (200 ms) and its too-slow health check are wall-clock bounds: on a
# machine whose cores are busy elsewhere they fail tests whose properties hold. Examples still run in full.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


@pytest.fixture(scope="session")
def s3_server():
    server = S3Server().start()
    os.environ["AWS_ENDPOINT_URL_S3"] = server.url
    yield server
    os.environ.pop("AWS_ENDPOINT_URL_S3", None)
    server.stop()


@pytest.fixture
def s3(s3_server):
    """A boto3 S3 client talking HTTP to the local server."""
    return boto3.client(
        "s3", endpoint_url=s3_server.url, region_name="us-east-1",
        config=Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2}),
    )


@pytest.fixture
def buckets(s3):
    """A fresh source bucket and its `<bucket>resized` twin; returns (source, resized)."""
    source = f"src-{uuid.uuid4().hex[:12]}"
    resized = f"{source}resized"
    for name in (source, resized):
        s3.create_bucket(Bucket=name)
    return source, resized


@pytest.fixture
def redis_server():
    """A real redis-server on a free loopback port, stopped after the test."""
    server = RedisServer().start()
    yield server
    server.stop()
