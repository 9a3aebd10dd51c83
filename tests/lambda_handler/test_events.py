"""Event parsing: every record, keys decoded exactly once, SQS/SNS wrapping, junk dropped."""

import json

from tests.lambda_handler.helpers import s3_event, s3_record, sqs_message
from thumbnails.aws.events import ObjectRecord, is_sqs_event, parse_event


def test_keys_with_plus_and_percent_are_decoded_exactly_once():
    raw = s3_event(s3_record("demo", "x"), s3_record("demo", "x"), s3_record("demo", "x"))
    for record, encoded in zip(raw["Records"], ["photos/a+b.jpg", "100%25.jpg", "caf%C3%A9+%2B1.jpg"]):
        record["s3"]["object"]["key"] = encoded
    assert [r.key for r in parse_event(raw)] == ["photos/a b.jpg", "100%.jpg", "café +1.jpg"]


def test_every_record_of_an_s3_event_is_returned_in_order_with_size_and_etag():
    event = s3_event(*(s3_record("demo", f"k{i}.jpg", size=i, etag=f"e{i}") for i in range(5)))
    assert parse_event(event) == [ObjectRecord("demo", f"k{i}.jpg", i, f"e{i}", None) for i in range(5)]
    assert not is_sqs_event(event)


def test_sqs_wrapped_records_carry_their_message_id():
    event = s3_event(sqs_message(s3_event(s3_record("demo", "a b.jpg"), s3_record("demo", "c.png")), "m1"),
                     sqs_message(s3_event(s3_record("demo", "d.gif")), "m2"))
    records = parse_event(event)
    assert [(r.key, r.message_id) for r in records] == [("a b.jpg", "m1"), ("c.png", "m1"), ("d.gif", "m2")]
    assert is_sqs_event(event)


def test_s3_test_events_in_sqs_yield_no_records():
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-23T12:00:00.000Z",
                  "Bucket": "demo", "RequestId": "5582815E1AEA5ADF", "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3e"}
    event = s3_event(sqs_message(test_event, "t1"))
    assert parse_event(event) == []
    assert is_sqs_event(event)


def test_sns_envelopes_inside_sqs_are_unwrapped():
    envelope = {"Type": "Notification", "MessageId": "n1", "TopicArn": "arn:aws:sns:us-east-1:1:t",
                "Message": json.dumps(s3_event(s3_record("demo", "a+b.jpg")))}
    assert [r.key for r in parse_event(s3_event(sqs_message(envelope, "m")))] == ["a+b.jpg"]


def test_removal_events_malformed_records_and_non_json_bodies_are_dropped():
    event = s3_event(s3_record("demo", "gone.jpg", event_name="ObjectRemoved:Delete"),
                     {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": {}},
                     s3_record("demo", "kept.jpg", event_name="ObjectCreated:CompleteMultipartUpload"))
    assert [r.key for r in parse_event(event)] == ["kept.jpg"]
    assert parse_event(s3_event(sqs_message("not json"), sqs_message("[1, 2]"))) == []
    assert parse_event({}) == []
