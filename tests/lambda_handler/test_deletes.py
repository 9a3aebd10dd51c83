"""ObjectRemoved events: a deleted original's thumbnails go too, on the local S3 and with a stubbed client."""

import json
import logging

import pytest

from tests.lambda_handler.helpers import image_bytes, s3_event, s3_record, sqs_message
from tests.router.ondemand.fleet import seed
from thumbrouter.imagecore import thumbnail_key, thumbnail_keys, thumbnail_prefix, variant_key
from thumbrouter.s3job import parse_event
from thumbrouter.s3job.batch import BatchRetryError
from thumbrouter.s3job.settings import LambdaSettings
from thumbrouter.s3job.spec import ThumbnailSpec

SIZES = ("50x50", "120x80")
ORIGINALS = ("photos/a b.jpg", "photos/IMG_1.HEIC", "photos/keep.png")


def removed(bucket: str, key: str, event_name: str = "ObjectRemoved:Delete") -> dict:
    """A removal record as S3 sends it: the object has a key and sequencer, no size and no eTag."""
    record = s3_record(bucket, key, event_name=event_name)
    del record["s3"]["object"]["size"], record["s3"]["object"]["eTag"]
    return record


def keys(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


@pytest.fixture
def two_sizes(lambda_module, monkeypatch):
    monkeypatch.setattr(lambda_module, "SETTINGS", LambdaSettings(ThumbnailSpec(sizes=SIZES)))
    return lambda_module


@pytest.fixture
def thumbnailed(two_sizes, s3, buckets):
    """Three originals (one a converted HEIC) thumbnailed by the handler's created event, plus every
    other key naming gives their thumbnails (the variants /thumb negotiates) as small objects."""
    source, resized = buckets
    created = []
    for key in ORIGINALS:
        data = image_bytes("PNG" if key.endswith(".png") else "JPEG")
        etag = s3.put_object(Bucket=source, Key=key, Body=data)["ETag"].strip('"')
        created.append(s3_record(source, key, size=len(data), etag=etag))
    assert two_sizes.handler(s3_event(*created), None) == {"created": 3, "retry": 0}
    made = keys(s3, resized)
    assert len(made) == 6
    for key in set(every_thumbnail(*ORIGINALS)) - set(made):
        s3.put_object(Bucket=resized, Key=key, Body=b"variant")
    assert keys(s3, resized) == every_thumbnail(*ORIGINALS)
    return source, resized


def every_thumbnail(*originals: str) -> list[str]:
    return sorted(key for original in originals for key in thumbnail_keys(original, SIZES))


def test_removal_records_are_parsed_with_their_key_decoded_and_no_size_or_etag():
    parsed = parse_event(s3_event(removed("demo", "a b.jpg"), s3_record("demo", "d.jpg"),
                                  removed("demo", "c.jpg", "ObjectRemoved:DeleteMarkerCreated")))
    assert [(r.key, r.removed, r.size, r.etag) for r in parsed] == [
        ("a b.jpg", True, None, None), ("d.jpg", False, 1024, "0123456789abcdef"), ("c.jpg", True, None, None)]


def test_a_deleted_original_leaves_no_thumbnail_of_any_size(two_sizes, s3, thumbnailed, caplog):
    source, resized = thumbnailed
    for key in ("photos/a b.jpg", "photos/IMG_1.HEIC"):
        s3.delete_object(Bucket=source, Key=key)
    caplog.set_level(logging.INFO, logger="thumbrouter.s3job")
    event = s3_event(removed(source, "photos/a b.jpg"), removed(source, "photos/IMG_1.HEIC"))
    assert two_sizes.handler(event, None) == {"deleted": 2, "retry": 0}
    assert keys(s3, resized) == every_thumbnail("photos/keep.png")
    assert {"photos/keep_50x50.png", "photos/keep_120x80.png"} <= set(keys(s3, resized))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "thumbrouter.s3job"]
    assert [(line["key"], line["outcome"]) for line in lines] == [
        ("photos/a b.jpg", "deleted"), ("photos/IMG_1.HEIC", "deleted")]
    assert {"photos/a b_50x50.jpg", "photos/a b_120x80.jpg"} <= set(lines[0]["thumbnails"])
    assert {"photos/IMG_1_50x50.HEIC.webp", "photos/IMG_1_120x80.HEIC.webp"} <= set(lines[1]["thumbnails"])


def test_a_delete_event_delivered_twice_succeeds_both_times(two_sizes, s3, thumbnailed):
    source, resized = thumbnailed
    s3.delete_object(Bucket=source, Key="photos/a b.jpg")
    event = s3_event(removed(source, "photos/a b.jpg"))
    assert two_sizes.handler(event, None) == {"deleted": 1, "retry": 0}
    assert two_sizes.handler(event, None) == {"deleted": 1, "retry": 0}
    assert keys(s3, resized) == every_thumbnail("photos/IMG_1.HEIC", "photos/keep.png")


def test_a_delete_event_for_an_original_uploaded_again_deletes_nothing(two_sizes, s3, thumbnailed):
    source, resized = thumbnailed
    s3.delete_object(Bucket=source, Key="photos/a b.jpg")
    s3.put_object(Bucket=source, Key="photos/a b.jpg", Body=image_bytes(size=(90, 90)))  # before the event ran
    assert two_sizes.handler(s3_event(removed(source, "photos/a b.jpg")), None) == {"skipped": 1, "retry": 0}
    assert keys(s3, resized) == every_thumbnail(*ORIGINALS)


def test_sqs_wrapped_delete_marker_events_remove_the_thumbnails(two_sizes, s3, thumbnailed):
    source, resized = thumbnailed
    s3.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Enabled"})
    s3.delete_object(Bucket=source, Key="photos/keep.png")  # versioned: a delete marker, the data stays
    event = s3_event(sqs_message(s3_event(removed(source, "photos/keep.png", "ObjectRemoved:DeleteMarkerCreated")),
                                 "m1"))
    assert two_sizes.handler(event, None) == {"batchItemFailures": []}
    assert keys(s3, resized) == every_thumbnail("photos/a b.jpg", "photos/IMG_1.HEIC")


def test_deleting_an_original_named_like_a_thumbnail_deletes_only_its_own_thumbnails(two_sizes, s3, thumbnailed):
    # photos/keep_50x50.png is an original (thumbnails live in the resized bucket): its thumbnails are
    # photos/keep_50x50_50x50.png and so on, never photos/keep.png's photos/keep_50x50.png.
    source, resized = thumbnailed
    s3.put_object(Bucket=resized, Key="photos/keep_50x50_50x50.png", Body=b"its own thumbnail")
    event = s3_event(removed(source, "photos/keep_50x50.png"), removed(source, "photos/"))
    assert two_sizes.handler(event, None) == {"deleted": 1, "skipped": 1, "retry": 0}
    assert keys(s3, resized) == every_thumbnail(*ORIGINALS)


def test_lifecycle_expirations_are_parsed_as_removals():
    parsed = parse_event(s3_event(removed("demo", "a b.jpg", "LifecycleExpiration:Delete"),
                                  removed("demo", "c.jpg", "LifecycleExpiration:DeleteMarkerCreated")))
    assert [(r.key, r.removed) for r in parsed] == [("a b.jpg", True), ("c.jpg", True)]


@pytest.fixture
def with_neighbour(lambda_module, s3, buckets):
    """`photos/a.jpg` and its neighbour `photos/a_b.jpg` (same thumbnail prefix `photos/a_`), thumbnailed
    at 50x50 by the handler; `a.jpg` also has what /thumb makes at other presets: 1440x1440, 100x100
    (a `@2x` of 50x50) and a WebP variant, and a size since removed from the settings."""
    source, resized = buckets
    created = []
    for key in ("photos/a.jpg", "photos/a_b.jpg"):
        data = image_bytes()
        etag = s3.put_object(Bucket=source, Key=key, Body=data)["ETag"].strip('"')
        created.append(s3_record(source, key, size=len(data), etag=etag))
    assert lambda_module.handler(s3_event(*created), None) == {"created": 2, "retry": 0}
    others = (thumbnail_key("photos/a.jpg", "1440x1440"), thumbnail_key("photos/a.jpg", "100x100"),
              variant_key("photos/a.jpg", "1440x1440", "WEBP"), variant_key("photos/a.jpg", "64x64", "AVIF"),
              variant_key("photos/a_b.jpg", "1440x1440", "WEBP"))
    for key in others:
        s3.put_object(Bucket=resized, Key=key, Body=b"thumbnail")
    assert len(keys(s3, resized)) == 7
    return source, resized


NEIGHBOURS_THUMBNAILS = sorted([thumbnail_key("photos/a_b.jpg", "50x50"),
                                variant_key("photos/a_b.jpg", "1440x1440", "WEBP")])


def test_a_deleted_original_loses_its_thumbnails_of_every_size_and_format_and_its_neighbour_keeps_its_own(
        lambda_module, s3, with_neighbour, caplog):
    source, resized = with_neighbour
    s3.delete_object(Bucket=source, Key="photos/a.jpg")
    caplog.set_level(logging.INFO, logger="thumbrouter.s3job")
    assert lambda_module.handler(s3_event(removed(source, "photos/a.jpg")), None) == {"deleted": 1, "retry": 0}
    assert keys(s3, resized) == NEIGHBOURS_THUMBNAILS
    line = json.loads(one_line(caplog))
    assert sorted(line["thumbnails"]) == ["photos/a_100x100.jpg", "photos/a_1440x1440.jpg",
                                          "photos/a_1440x1440.jpg.webp", "photos/a_50x50.jpg",
                                          "photos/a_64x64.jpg.avif"]
    assert "reason" not in line


def one_line(caplog) -> str:
    [record] = [r for r in caplog.records if r.name == "thumbrouter.s3job"]
    return record.getMessage()


def test_an_original_expired_by_a_lifecycle_rule_loses_its_thumbnails(lambda_module, s3, with_neighbour):
    source, resized = with_neighbour
    s3.delete_object(Bucket=source, Key="photos/a.jpg")
    event = s3_event(sqs_message(s3_event(removed(source, "photos/a.jpg", "LifecycleExpiration:Delete")), "m1"))
    assert lambda_module.handler(event, None) == {"batchItemFailures": []}
    assert keys(s3, resized) == NEIGHBOURS_THUMBNAILS




def expect_gone(stubber, key):
    stubber.add_client_error("head_object", "404", http_status_code=404,
                             expected_params={"Bucket": "demo", "Key": key})


def expect_listing(stubber, original, keys, token=None, next_token=None):
    """One ListObjectsV2 page of the resized bucket under the original's thumbnail prefix (next_token: more follow)."""
    expected = {"Bucket": "demoresized", "Prefix": thumbnail_prefix(original), "MaxKeys": 1000}
    answer = {"IsTruncated": bool(next_token), "Contents": [{"Key": key} for key in keys]}
    stubber.add_response("list_objects_v2", answer | ({"NextContinuationToken": next_token} if next_token else {}),
                         expected | ({"ContinuationToken": token} if token else {}))


def expect_delete(stubber, original, errors=()):
    expect_listing(stubber, original, thumbnail_keys(original, ("50x50",)) + (thumbnail_key("a_b.jpg", "50x50"),))
    objects = [{"Key": key} for key in thumbnail_keys(original, ("50x50",))]
    stubber.add_response("delete_objects", {"Errors": list(errors)} if errors else {},
                         {"Bucket": "demoresized", "Delete": {"Objects": objects, "Quiet": True}})


def test_access_denied_on_delete_is_retried_for_that_message_only(lambda_module, stubbed):
    expect_gone(stubbed, "a.jpg")
    expect_delete(stubbed, "a.jpg", [{"Key": "a_50x50.jpg", "Code": "AccessDenied", "Message": "no"}])
    expect_gone(stubbed, "b.jpg")
    expect_delete(stubbed, "b.jpg")
    event = s3_event(sqs_message(s3_event(removed("demo", "a.jpg")), "m1"),
                     sqs_message(s3_event(removed("demo", "b.jpg")), "m2"))
    assert lambda_module.handler(event, None) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    stubbed.assert_no_pending_responses()


@pytest.mark.parametrize("call, code, status", [("head_object", "403", 403), ("head_object", "SlowDown", 503),
                                                ("list_objects_v2", "AccessDenied", 403),
                                                ("delete_objects", "AccessDenied", 403),
                                                ("delete_objects", "InternalError", 500)])
def test_a_refused_or_failed_head_or_delete_is_raised_after_the_other_records(lambda_module, stubbed, call, code,
                                                                             status):
    if call != "head_object":
        expect_gone(stubbed, "a.jpg")
    if call == "delete_objects":
        expect_listing(stubbed, "a.jpg", ["a_50x50.jpg"])
    stubbed.add_client_error(call, code, http_status_code=status)
    expect_gone(stubbed, "b.jpg")
    expect_delete(stubbed, "b.jpg")
    with pytest.raises(BatchRetryError, match="s3://demo/a.jpg"):
        lambda_module.handler(s3_event(removed("demo", "a.jpg"), removed("demo", "b.jpg")), None)
    stubbed.assert_no_pending_responses()


def test_the_listing_stops_after_five_pages_and_then_deletes_every_known_size_too(lambda_module, stubbed, caplog):
    expect_gone(stubbed, "a.jpg")
    found = [f"a_{n}x{n}.jpg" for n in range(1, 6)]
    for page, key in enumerate(found):
        expect_listing(stubbed, "a.jpg", [key, f"a_b{page}.jpg"], token=f"p{page}" if page else None,
                       next_token=f"p{page + 1}")
    # The configured 50x50 and the default presets' 50x50 and 1440x1440, each in every format.
    objects = [{"Key": key} for key in (*found, *thumbnail_keys("a.jpg", ("50x50", "1440x1440")))]
    stubbed.add_response("delete_objects", {}, {"Bucket": "demoresized",
                                                "Delete": {"Objects": objects, "Quiet": True}})
    caplog.set_level(logging.INFO, logger="thumbrouter.s3job")
    assert lambda_module.handler(s3_event(removed("demo", "a.jpg")), None) == {"deleted": 1, "retry": 0}
    stubbed.assert_no_pending_responses()
    assert json.loads(one_line(caplog))["reason"] == "listed only the first 5000 keys under its prefix"


def test_an_original_in_a_crowded_prefix_loses_every_preset_and_density_thumbnail_the_listing_never_reached(
        lambda_module, s3, buckets, monkeypatch, caplog):
    source, resized = buckets
    spec = ThumbnailSpec(sizes=("50x50",), presets="thumb50=50x50:webp+avif+2x,preview=1440x1440:webp")
    monkeypatch.setattr(lambda_module, "SETTINGS", LambdaSettings(spec))
    # 5,500 other objects sort before the original's thumbnails: the five pages the listing may read end there.
    seed(resized, (f"photos/a_0crowd/{i:05}.jpg" for i in range(5500)), b"other")
    own = thumbnail_keys("photos/a.jpg", ("50x50", "100x100", "1440x1440"))
    assert len(own) == 9  # three sizes, each as JPEG, AVIF and WebP
    for key in own:
        s3.put_object(Bucket=resized, Key=key, Body=b"thumbnail")
    caplog.set_level(logging.INFO, logger="thumbrouter.s3job")
    assert lambda_module.handler(s3_event(removed(source, "photos/a.jpg")), None) == {"deleted": 1, "retry": 0}
    assert json.loads(one_line(caplog))["reason"] == "listed only the first 5000 keys under its prefix"
    left = {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=resized, Prefix="photos/a_")
            for o in page.get("Contents", [])}
    assert left.isdisjoint(own) and len(left) == 5500
