"""Keys that can have no thumbnail (too long for S3, or starting with /) and PUTs S3 refuses for what they are.

The local S3 server accepts keys over 1024 bytes, so the skip is tested against it for real (the old code
wrote a 1025-byte thumbnail key there); S3's KeyTooLongError and friends on PUT come from a Stubber.
"""

import io
import json
import logging

import pytest
from botocore.response import StreamingBody

from tests.lambda_handler.helpers import image_bytes, s3_event, s3_record, sqs_message
from thumbrouter.imagecore import MAX_KEY_BYTES, no_thumbnail_reason, thumbnail_key
from thumbrouter.s3job import TransientError
from thumbrouter.s3job.batch import BatchRetryError
from thumbrouter.s3job.ondemand import OnDemandRequest, generate
from thumbrouter.s3job.settings import LambdaSettings
from thumbrouter.s3job.spec import ThumbnailSpec

JPEG = image_bytes()


def key_of(length: int) -> str:
    """A `.jpg` key of exactly `length` UTF-8 bytes (with a multi-byte character, as users send)."""
    return "猫/" + "k" * (length - len("猫/".encode()) - 4) + ".jpg"


def json_lines(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records if r.name.startswith("thumbrouter.s3job")]


def test_the_naming_rule_allows_keys_whose_thumbnail_key_fits_in_1024_bytes():
    fits, too_long = key_of(1018), key_of(1019)
    assert len(thumbnail_key(fits).encode()) == MAX_KEY_BYTES and no_thumbnail_reason(fits) is None
    assert "1024-byte limit" in no_thumbnail_reason(too_long)
    assert no_thumbnail_reason(key_of(1014), "1440x1440") is None
    assert no_thumbnail_reason(key_of(1015), "1440x1440") is not None
    assert no_thumbnail_reason("/a.jpg") == "key starts with /"


def test_a_key_whose_thumbnail_key_would_be_too_long_is_skipped_with_a_log(lambda_module, s3, buckets, caplog):
    source, resized = buckets
    records = []
    for key in (key_of(1018), key_of(1019), key_of(1024)):
        s3.put_object(Bucket=source, Key=key, Body=JPEG)
        records.append(s3_record(source, key, size=len(JPEG)))
    with caplog.at_level(logging.INFO, logger="thumbrouter.s3job"):
        assert lambda_module.handler(s3_event(*records), None) == {"created": 1, "skipped": 2, "retry": 0}
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=resized)["Contents"]] == [thumbnail_key(key_of(1018))]
    skipped = [line for line in json_lines(caplog) if line["outcome"] == "skipped"]
    assert [len(line["key"].encode()) for line in skipped] == [1019, 1024]
    assert all("over S3's 1024-byte limit" in line["reason"] for line in skipped)


def test_a_long_key_gets_the_sizes_that_fit_and_skips_the_others(lambda_module, s3, buckets, monkeypatch):
    source, resized = buckets
    monkeypatch.setattr(lambda_module, "SETTINGS", LambdaSettings(ThumbnailSpec(sizes=("50x50", "1440x1440"))))
    key = key_of(1018)  # 50x50 fits exactly, 1440x1440 would be 1028 bytes
    s3.put_object(Bucket=source, Key=key, Body=JPEG)
    assert lambda_module.handler(s3_event(s3_record(source, key, size=len(JPEG))), None) == {"created": 1, "retry": 0}
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=resized)["Contents"]] == [thumbnail_key(key)]


def test_a_key_starting_with_a_slash_is_skipped_and_writes_nothing(lambda_module, s3, buckets, caplog):
    source, resized = buckets
    s3.put_object(Bucket=source, Key="/leading.jpg", Body=JPEG)
    with caplog.at_level(logging.INFO, logger="thumbrouter.s3job"):
        assert lambda_module.handler(s3_event(s3_record(source, "/leading.jpg")), None) == {"skipped": 1, "retry": 0}
    assert json_lines(caplog)[-1]["reason"] == "key starts with /"
    assert s3.list_objects_v2(Bucket=resized)["KeyCount"] == 0


def test_on_demand_generation_answers_invalid_for_such_keys_without_a_download(s3, buckets):
    source, resized = buckets
    for key in (key_of(1019), "/leading.jpg"):
        s3.put_object(Bucket=source, Key=key, Body=JPEG)
        answer = generate(s3, OnDemandRequest(source, key, "50x50", "fit", resized), LambdaSettings())
        assert answer["status"] == "invalid" and "NoThumbnailKeyError" in answer["reason"]
    assert s3.list_objects_v2(Bucket=resized)["KeyCount"] == 0




def expect_get(stubber, key):
    stubber.add_response("get_object", {"Body": StreamingBody(io.BytesIO(JPEG), len(JPEG)),
                                        "ContentLength": len(JPEG), "ETag": '"feed"'}, {"Bucket": "demo", "Key": key})


@pytest.mark.parametrize("code", ["KeyTooLongError", "InvalidArgument", "InvalidRequest", "EntityTooLarge"])
def test_a_put_s3_refuses_for_what_it_is_is_permanent_and_never_retried(lambda_module, stubbed, code, caplog):
    expect_get(stubbed, "a.jpg")
    stubbed.add_client_error("put_object", code, http_status_code=400)
    with caplog.at_level(logging.INFO, logger="thumbrouter.s3job"):
        assert lambda_module.handler(s3_event(s3_record("demo", "a.jpg")), None) == {"failed_permanent": 1, "retry": 0}
    assert json_lines(caplog)[-1]["reason"] == f"ThumbnailRefusedError: PUT s3://demoresized/a_50x50.jpg: {code}"
    expect_get(stubbed, "b.jpg")
    stubbed.add_client_error("put_object", code, http_status_code=400)
    event = s3_event(sqs_message(s3_event(s3_record("demo", "b.jpg")), "m1"))
    assert lambda_module.handler(event, None) == {"batchItemFailures": []}
    stubbed.assert_no_pending_responses()


@pytest.mark.parametrize("code, status", [("AccessDenied", 403), ("NoSuchBucket", 404), ("RequestTimeout", 400),
                                          ("SlowDown", 503)])
def test_a_put_refused_for_configuration_or_load_is_retried(lambda_module, stubbed, code, status):
    expect_get(stubbed, "a.jpg")
    stubbed.add_client_error("put_object", code, http_status_code=status)
    with pytest.raises(BatchRetryError) as raised:
        lambda_module.handler(s3_event(s3_record("demo", "a.jpg")), None)
    assert isinstance(raised.value.__cause__, TransientError)
    stubbed.assert_no_pending_responses()
