"""Fixtures for the Lambda handler tests: the handler module bound to the local S3 server."""

import pytest

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
