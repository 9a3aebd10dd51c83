"""The HEAD row of the job's S3 error table: object_exists and is_not_found, asked by every "is it there?"."""

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from thumbrouter.s3job import TransientError, is_not_found, object_exists


@pytest.fixture
def stubbed():
    client = boto3.client("s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                          aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(client) as stubber:
        yield client, stubber


def client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "HeadObject")


def test_an_object_that_answers_its_head_exists(stubbed):
    client, stubber = stubbed
    stubber.add_response("head_object", {"ContentLength": 3}, {"Bucket": "b", "Key": "k_50x50.jpg"})
    assert object_exists(client, "b", "k_50x50.jpg") is True


@pytest.mark.parametrize("code, status", [("404", 404), ("NoSuchKey", 404), ("NotFound", 404), ("", 404)])
def test_no_such_key_by_code_or_by_status_means_absent(stubbed, code, status):
    client, stubber = stubbed
    stubber.add_client_error("head_object", code, http_status_code=status)
    assert object_exists(client, "b", "k_50x50.jpg") is False
    assert is_not_found(client_error(code, status))


@pytest.mark.parametrize("code, status", [("403", 403), ("AccessDenied", 403), ("SlowDown", 503),
                                          ("InternalError", 500)])
def test_a_head_refused_or_failed_is_transient_never_absent(stubbed, code, status):
    client, stubber = stubbed
    stubber.add_client_error("head_object", code, http_status_code=status)
    with pytest.raises(TransientError, match="HEAD s3://b/k_50x50.jpg"):
        object_exists(client, "b", "k_50x50.jpg")
    assert not is_not_found(client_error(code, status))


def test_an_unreachable_endpoint_is_transient():
    client = boto3.client("s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                          aws_access_key_id="a", aws_secret_access_key="b",
                          config=Config(connect_timeout=1, retries={"total_max_attempts": 1}))
    with pytest.raises(TransientError, match="EndpointConnectionError"):
        object_exists(client, "b", "k_50x50.jpg")
