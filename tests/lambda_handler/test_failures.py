"""Failure classes with a stubbed client: transient errors retried, others still processed, no ACL sent."""

import io
import socket

import boto3
import pytest
from botocore.config import Config
from botocore.response import StreamingBody
from botocore.stub import ANY

from tests.lambda_handler.helpers import image_bytes, s3_event, s3_record, sqs_message
from thumbrouter.s3job import spec_digest
from thumbrouter.s3job.batch import BatchRetryError
from thumbrouter.s3job.errors import ObjectTooLargeError, TransientError
from thumbrouter.s3job.events import ObjectRecord
from thumbrouter.s3job.job import process_object, read_capped
from thumbrouter.s3job.settings import LambdaSettings
from thumbrouter.s3job.spec import ThumbnailSpec

JPEG = image_bytes()


class CountingReads(io.BytesIO):
    reads = 0

    def read(self, *args):
        self.reads += 1
        return super().read(*args)




def expect_get(stubber, key, data=JPEG):
    stubber.add_response("get_object", {"Body": StreamingBody(io.BytesIO(data), len(data)),
                                        "ContentLength": len(data), "ETag": '"feed"'}, {"Bucket": "demo", "Key": key})


def expect_put(stubber, key):
    # The exact parameter set: an ACL (or anything else unexpected) makes the stub fail.
    stubber.add_response("put_object", {"ETag": '"t"'}, {
        "Bucket": "demoresized", "Key": key, "Body": ANY, "ContentType": "image/jpeg",
        "CacheControl": ThumbnailSpec().cache_control, "Metadata": {"source-etag": "feed", "degraded": "false",
                                                          "spec": spec_digest(ThumbnailSpec(), "50x50")}})


@pytest.mark.parametrize("code, status", [("SlowDown", 503), ("InternalError", 500), ("RequestTimeout", 400),
                                          ("ServiceUnavailable", 503)])
def test_a_transient_error_is_raised_after_the_other_records_are_processed(lambda_module, stubbed, code, status):
    stubbed.add_client_error("get_object", code, http_status_code=status)
    expect_get(stubbed, "b.jpg")
    expect_put(stubbed, "b_50x50.jpg")
    event = s3_event(s3_record("demo", "a.jpg"), s3_record("demo", "b.jpg"))
    with pytest.raises(BatchRetryError, match="s3://demo/a.jpg") as raised:
        lambda_module.handler(event, None)
    assert isinstance(raised.value.__cause__, TransientError)
    stubbed.assert_no_pending_responses()


def test_with_sqs_only_the_failed_message_is_reported_for_retry(lambda_module, stubbed):
    expect_get(stubbed, "a.jpg")
    expect_put(stubbed, "a_50x50.jpg")
    expect_get(stubbed, "b.jpg")
    stubbed.add_client_error("put_object", "SlowDown", http_status_code=503)
    expect_get(stubbed, "c.jpg")
    expect_put(stubbed, "c_50x50.jpg")
    event = s3_event(*(sqs_message(s3_event(s3_record("demo", f"{k}.jpg")), f"m-{k}") for k in "abc"))
    assert lambda_module.handler(event, None) == {"batchItemFailures": [{"itemIdentifier": "m-b"}]}
    stubbed.assert_no_pending_responses()


def test_put_object_is_called_without_an_acl_parameter(lambda_module, stubbed):
    expect_get(stubbed, "a.jpg")
    expect_put(stubbed, "a_50x50.jpg")
    assert lambda_module.handler(s3_event(s3_record("demo", "a.jpg")), None) == {"created": 1, "retry": 0}
    stubbed.assert_no_pending_responses()


def test_an_oversize_object_in_the_event_is_skipped_without_any_request(lambda_module, stubbed):
    record = s3_record("demo", "huge.jpg", size=LambdaSettings().max_bytes + 1)
    assert lambda_module.handler(s3_event(record), None) == {"skipped": 1, "retry": 0}
    stubbed.assert_no_pending_responses()  # nothing queued, and an unqueued call would have failed the record


def test_a_content_length_over_the_cap_is_permanent_without_reading_the_body(lambda_module, stubbed):
    body = CountingReads(JPEG)
    stubbed.add_response("get_object", {"Body": StreamingBody(body, 10**9), "ContentLength": 10**9, "ETag": '"x"'},
                         {"Bucket": "demo", "Key": "a.jpg"})
    assert lambda_module.handler(s3_event(s3_record("demo", "a.jpg", size=5)), None) == {
        "failed_permanent": 1, "retry": 0}
    assert body.reads == 0 and body.closed


def test_an_unreachable_endpoint_is_a_transient_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        client = boto3.client("s3", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
                              config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}))
        with pytest.raises(TransientError, match="EndpointConnectionError"):
            process_object(client, ObjectRecord("demo", "a.jpg", 100), LambdaSettings())


def test_reading_a_body_stops_one_byte_past_the_cap():
    body = io.BytesIO(b"x" * 5000)
    with pytest.raises(ObjectTooLargeError):
        read_capped(body, 1000)
    assert body.tell() == 1001
    assert read_capped(io.BytesIO(b"y" * 1000), 1000) == b"y" * 1000
