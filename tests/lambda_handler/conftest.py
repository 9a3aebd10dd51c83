"""Fixtures for the Lambda handler tests: the handler module bound to the local S3 server."""

import boto3
import pytest
from botocore.stub import Stubber

from tests.lambda_handler import helpers  # noqa: F401 -- puts lambda/ on sys.path


@pytest.fixture
def lambda_module(s3_server, monkeypatch):
    """create_thumbnail with default settings and a client made for the local S3 server."""
    import create_thumbnail
    from thumbrouter.s3job import client
    from thumbrouter.s3job.settings import LambdaSettings

    client.default_s3_client.cache_clear()  # the endpoint comes from the environment at creation
    monkeypatch.setattr(create_thumbnail, "SETTINGS", LambdaSettings())
    yield create_thumbnail
    client.default_s3_client.cache_clear()


@pytest.fixture
def stubbed(lambda_module, monkeypatch):
    """A real client whose every call must be queued on the returned Stubber; the handler uses it."""
    client = boto3.client("s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    monkeypatch.setattr(lambda_module, "default_s3_client", lambda: client)
    with Stubber(client) as stubber:
        yield stubber
