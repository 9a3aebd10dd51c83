"""Retry budgets are counted in tries: botocore's `max_attempts` counts retries, one more than it says."""

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.support.servers import FailingServer
from thumbrouter.router.ondemand.backends import LAMBDA_CONFIG
from thumbrouter.router.storage.s3 import CLIENT_CONFIG
from thumbrouter.s3job.client import new_s3_client


@pytest.fixture
def failing():
    server = FailingServer()
    yield server
    server.stop()


def test_the_job_client_tries_an_s3_call_three_times_in_all(failing, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", failing.url)
    with pytest.raises(ClientError):
        new_s3_client().head_object(Bucket="photos", Key="a.jpg")
    assert failing.requests == 3


def test_the_routers_s3_client_tries_three_times_in_all(failing):
    s3 = boto3.client("s3", endpoint_url=failing.url, region_name="us-east-1", config=CLIENT_CONFIG)
    with pytest.raises(ClientError):
        s3.head_object(Bucket="photos", Key="a.jpg")
    assert failing.requests == 3


def test_a_synchronous_generation_lambda_is_invoked_once_not_retried(failing):
    client = boto3.client("lambda", endpoint_url=failing.url, region_name="us-east-1", config=LAMBDA_CONFIG)
    with pytest.raises(ClientError):
        client.invoke(FunctionName="thumbnailer-on-demand", Payload=b"{}")
    assert failing.requests == 1
