"""Event parsing: every record, keys decoded exactly once, SQS/SNS wrapping, junk dropped."""

import json

import pytest

from tests.lambda_handler.helpers import s3_event, s3_record, sqs_message
from thumbrouter.s3job.events import BadRecord, ObjectRecord, is_sqs_event, parse_event


def test_keys_with_plus_and_percent_are_decoded_exactly_once():
    raw = s3_event(s3_record("demo", "x"), s3_record("demo", "x"), s3_record("demo", "x"))
    for record, encoded in zip(raw["Records"], ["photos/a+b.jpg", "100%25.jpg", "caf%C3%A9+%2B1.jpg"], strict=True):
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


def test_other_events_are_dropped_and_malformed_records_become_bad_records_in_place():
    event = s3_event(s3_record("demo", "tagged.jpg", event_name="ObjectTagging:Put"),
                     {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": {}},
                     s3_record("demo", "kept.jpg", event_name="ObjectCreated:CompleteMultipartUpload"))
    assert [type(r).__name__ for r in parse_event(event)] == ["BadRecord", "ObjectRecord"]
    assert parse_event(event)[1].key == "kept.jpg"
    bodies = parse_event(s3_event(sqs_message("not json", "m1"), sqs_message("[1, 2]", "m2")))
    assert [(type(r), r.message_id) for r in bodies] == [(BadRecord, "m1"), (BadRecord, "m2")]
    assert parse_event({}) == []


@pytest.mark.parametrize("junk", [None, "a string", 42, ["list"], {"eventSource": "aws:s3"},
                                  {"eventName": 7, "s3": {}}, {"eventName": None}])
def test_a_malformed_record_becomes_a_bad_record_between_its_valid_neighbours(junk):
    event = s3_event(s3_record("demo", "a.jpg"), junk, s3_record("demo", "b.jpg"))
    parsed = parse_event(event)
    assert [type(r) for r in parsed] == [ObjectRecord, BadRecord, ObjectRecord]
    assert (parsed[0].key, parsed[2].key) == ("a.jpg", "b.jpg")
    assert not is_sqs_event(event)


@pytest.mark.parametrize("field, value", [("key", 123), ("key", None), ("key", ["a.jpg"]), ("key", ""),
                                          ("bucket", 5), ("object", "a.jpg")])
def test_a_key_bucket_or_object_of_the_wrong_type_is_a_bad_record(field, value):
    record = s3_record("demo", "a.jpg")
    if field == "key":
        record["s3"]["object"]["key"] = value
    elif field == "bucket":
        record["s3"]["bucket"]["name"] = value
    else:
        record["s3"]["object"] = value
    assert parse_event(s3_event(record)) == [BadRecord(parse_event(s3_event(record))[0].reason)]


@pytest.mark.parametrize("records", [{"0": {}}, "Records", 12])
def test_records_that_are_not_a_list_are_one_bad_record(records):
    assert [type(r) for r in parse_event({"Records": records})] == [BadRecord]
    assert [type(r) for r in parse_event(["not", "an", "object"])] == [BadRecord]
    assert not is_sqs_event({"Records": records})


def test_inside_sqs_each_malformed_body_or_record_is_a_bad_record_of_its_own_message():
    sns = {"Type": "Notification", "Message": json.dumps({"Records": "oops"})}
    event = s3_event(sqs_message(s3_event(s3_record("demo", "a.jpg"), None), "m-mixed"),
                     sqs_message({"Records": {"s3": {}}}, "m-dict"),
                     sqs_message(sns, "m-sns"),
                     sqs_message("[" * 100_000, "m-deep"),
                     sqs_message(s3_event(s3_record("demo", "ok.jpg")), "m-ok"),
                     None)
    parsed = parse_event(event)
    assert [(type(r).__name__, r.message_id) for r in parsed] == [
        ("ObjectRecord", "m-mixed"), ("BadRecord", "m-mixed"), ("BadRecord", "m-dict"), ("BadRecord", "m-sns"),
        ("BadRecord", "m-deep"), ("ObjectRecord", "m-ok"), ("BadRecord", None)]
    assert is_sqs_event(event)


def test_bad_records_never_carry_the_record_content():
    record = s3_record("demo", "secret-user-photo.jpg")
    record["eventName"] = 3
    assert "secret-user-photo" not in repr(parse_event(s3_event(record)))
