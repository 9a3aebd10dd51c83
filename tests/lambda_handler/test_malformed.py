"""Malformed event JSON never fails the batch: the valid records next to it are processed (local S3)."""

import json
import logging

import pytest

from tests.lambda_handler.helpers import image_bytes, s3_event, s3_record, sqs_message

JUNK = [None, "a string", {"eventSource": "aws:s3", "eventName": 7},
        {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
         "s3": {"bucket": {"name": "x"}, "object": {"key": 9}}}]


def upload(s3, bucket, key):
    data = image_bytes()
    s3.put_object(Bucket=bucket, Key=key, Body=data)
    return s3_record(bucket, key, size=len(data))


def thumbnails(s3, resized) -> set[str]:
    return {o["Key"] for o in s3.list_objects_v2(Bucket=resized).get("Contents", [])}


def test_malformed_records_of_a_direct_s3_event_are_logged_and_dropped(lambda_module, s3, buckets, caplog):
    source, resized = buckets
    event = s3_event(upload(s3, source, "a.jpg"), *JUNK, upload(s3, source, "secret b.jpg"))
    with caplog.at_level(logging.INFO, logger="thumbrouter.s3job"):
        assert lambda_module.handler(event, None) == {"created": 2, "retry": 0, "malformed": len(JUNK)}
    assert thumbnails(s3, resized) == {"a_50x50.jpg", "secret b_50x50.jpg"}
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name.startswith("thumbrouter.s3job")]
    assert [line["outcome"] for line in lines].count("malformed") == len(JUNK)


@pytest.mark.parametrize("records", [{"0": {}}, "Records"])
def test_records_that_are_not_a_list_answer_without_raising(lambda_module, records):
    assert lambda_module.handler({"Records": records}, None) == {"retry": 0, "malformed": 1}


def test_in_sqs_only_the_messages_holding_malformed_json_are_reported(lambda_module, s3, buckets):
    source, resized = buckets
    sns = {"Type": "Notification", "MessageId": "n1", "TopicArn": "arn:aws:sns:us-east-1:1:t",
           "Message": json.dumps(s3_event(upload(s3, source, "via sns.png")))}
    event = s3_event(
        sqs_message(s3_event(upload(s3, source, "one.jpg"), upload(s3, source, "two.jpg")), "m-ok"),
        sqs_message({"Records": {"not": "a list"}}, "m-dict"),
        sqs_message(s3_event(None, upload(s3, source, "three.jpg")), "m-null-record"),
        sqs_message("not json", "m-text"),
        sqs_message(sns, "m-sns"),
        sqs_message({"Type": "Notification", "Message": json.dumps({"Records": [7]})}, "m-sns-junk"),
        "a string where a message belongs")
    answer = lambda_module.handler(event, None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": i} for i in ("m-dict", "m-null-record", "m-text",
                                                                             "m-sns-junk")]}
    assert thumbnails(s3, resized) == {"one_50x50.jpg", "two_50x50.jpg", "three_50x50.jpg", "via sns_50x50.png"}
