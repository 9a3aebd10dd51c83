"""The handler against the local S3 server over HTTP, with events shaped as AWS sends them."""

import json
import logging

import pytest

from tests.lambda_handler.helpers import image_bytes, open_image, s3_event, s3_record, sqs_message
from thumbrouter.s3job import spec_digest
from thumbrouter.s3job.batch import BatchRetryError
from thumbrouter.s3job.settings import LambdaSettings
from thumbrouter.s3job.spec import ThumbnailSpec


def json_lines(caplog):
    """Our log lines only (the in-process S3 server logs through werkzeug too)."""
    return [json.loads(r.getMessage()) for r in caplog.records if r.name.startswith("thumbrouter.s3job")]


def upload(s3, bucket, key, data):
    etag = s3.put_object(Bucket=bucket, Key=key, Body=data)["ETag"].strip('"')
    return s3_record(bucket, key, size=len(data), etag=etag)


def test_every_record_gets_a_thumbnail_with_type_cache_control_and_metadata(lambda_module, s3, buckets):
    source, resized = buckets
    jpeg = upload(s3, source, "photos/a.jpg", image_bytes("JPEG", (400, 200)))
    png = upload(s3, source, "icons/b.PNG", image_bytes("PNG", (100, 300), "RGBA"))
    assert lambda_module.handler(s3_event(jpeg, png), None) == {"created": 2, "retry": 0}
    head = s3.head_object(Bucket=resized, Key="photos/a_50x50.jpg")
    assert (head["ContentType"], head["CacheControl"]) == ("image/jpeg", ThumbnailSpec().cache_control)
    assert head["Metadata"] == {"source-etag": jpeg["s3"]["object"]["eTag"], "degraded": "false",
                                "spec": spec_digest(ThumbnailSpec(), "50x50")}
    thumb = open_image(s3.get_object(Bucket=resized, Key="photos/a_50x50.jpg")["Body"].read())
    assert (thumb.format, thumb.size) == ("JPEG", (50, 25))
    thumb = open_image(s3.get_object(Bucket=resized, Key="icons/b_50x50.PNG")["Body"].read())
    assert (thumb.format, thumb.mode, thumb.size) == ("PNG", "RGBA", (17, 50))


def test_the_thumbnail_has_the_format_its_key_names_even_when_the_bytes_are_another(lambda_module, s3, buckets):
    source, resized = buckets
    png_named_jpg = upload(s3, source, "misnamed.jpg", image_bytes("PNG", (100, 300), "RGBA"))
    jpeg_named_heic = upload(s3, source, "IMG_1.HEIC", image_bytes("JPEG", (400, 200)))
    assert lambda_module.handler(s3_event(png_named_jpg, jpeg_named_heic), None) == {"created": 2, "retry": 0}
    for key, fmt, content_type in (("misnamed_50x50.jpg", "JPEG", "image/jpeg"),
                                   ("IMG_1_50x50.HEIC.webp", "WEBP", "image/webp")):
        answer = s3.get_object(Bucket=resized, Key=key)
        assert (open_image(answer["Body"].read()).format, answer["ContentType"]) == (fmt, content_type)


def test_encoded_keys_are_read_and_written_under_their_decoded_names(lambda_module, s3, buckets):
    source, resized = buckets
    keys = ["a b.jpg", "100%.jpg", "ünï cödé/ph+oto 1.final.jpeg"]
    records = [upload(s3, source, key, image_bytes()) for key in keys]
    assert records[0]["s3"]["object"]["key"] == "a+b.jpg"  # the event really is encoded
    lambda_module.handler(s3_event(*records), None)
    listed = {o["Key"] for o in s3.list_objects_v2(Bucket=resized)["Contents"]}
    assert listed == {"a b_50x50.jpg", "100%_50x50.jpg", "ünï cödé/ph+oto 1.final_50x50.jpeg"}


def test_sqs_wrapped_events_are_processed_and_answer_with_no_failures(lambda_module, s3, buckets):
    source, resized = buckets
    record = upload(s3, source, "q.webp", image_bytes("WEBP"))
    event = s3_event(sqs_message(s3_event(record), "m1"))
    assert lambda_module.handler(event, None) == {"batchItemFailures": []}
    assert s3.head_object(Bucket=resized, Key="q_50x50.webp")["ContentType"] == "image/webp"


def test_duplicate_delivery_produces_the_same_objects_and_no_error(lambda_module, s3, buckets):
    source, resized = buckets
    event = s3_event(upload(s3, source, "dup.gif", image_bytes("GIF", mode="P")))
    lambda_module.handler(event, None)
    first = s3.get_object(Bucket=resized, Key="dup_50x50.gif")["Body"].read()
    assert lambda_module.handler(event, None) == {"created": 1, "retry": 0}
    assert s3.get_object(Bucket=resized, Key="dup_50x50.gif")["Body"].read() == first
    assert s3.list_objects_v2(Bucket=resized)["KeyCount"] == 1


def test_several_sizes_and_cover_mode_write_one_object_per_size(lambda_module, s3, buckets, monkeypatch):
    source, resized = buckets
    settings = LambdaSettings(ThumbnailSpec(sizes=("50x50", "120x80"), mode="cover"))
    monkeypatch.setattr(lambda_module, "SETTINGS", settings)
    lambda_module.handler(s3_event(upload(s3, source, "wide.jpg", image_bytes(size=(600, 200)))), None)
    sizes = {key: open_image(s3.get_object(Bucket=resized, Key=key)["Body"].read()).size
             for key in ("wide_50x50.jpg", "wide_120x80.jpg")}
    assert sizes == {"wide_50x50.jpg": (50, 50), "wide_120x80.jpg": (120, 80)}


def test_a_destination_equal_to_the_source_is_refused_and_nothing_is_written(lambda_module, s3, buckets, monkeypatch):
    source, _ = buckets
    monkeypatch.setattr(lambda_module, "SETTINGS", LambdaSettings(ThumbnailSpec(dest_bucket=source)))
    record = upload(s3, source, "self.jpg", image_bytes())
    with pytest.raises(BatchRetryError, match="equals the source"):
        lambda_module.handler(s3_event(record), None)
    answer = lambda_module.handler(s3_event(sqs_message(s3_event(record), "m9")), None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m9"}]}
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=source)["Contents"]] == ["self.jpg"]


def test_skipped_records_are_logged_and_write_nothing(lambda_module, s3, buckets, caplog):
    source, resized = buckets
    records = [s3_record(source, "dir/", size=0), s3_record(source, "notes.txt"), s3_record(source, "movie.MP4")]
    with caplog.at_level(logging.INFO, logger="thumbrouter.s3job"):
        assert lambda_module.handler(s3_event(*records), None) == {"skipped": 3, "retry": 0}
    reasons = [line["reason"] for line in json_lines(caplog)]
    assert reasons == ["folder placeholder", "extension not in the allow-list", "extension not in the allow-list"]
    assert s3.list_objects_v2(Bucket=resized)["KeyCount"] == 0


def test_upper_case_extensions_are_in_the_allow_list(lambda_module, s3, buckets):
    source, resized = buckets
    lambda_module.handler(s3_event(upload(s3, source, "IMG_0001.JPG", image_bytes())), None)
    assert s3.head_object(Bucket=resized, Key="IMG_0001_50x50.JPG")["ContentType"] == "image/jpeg"


def test_a_bad_image_is_permanent_not_raised_and_the_others_are_processed(lambda_module, s3, buckets, caplog):
    source, resized = buckets
    bad = upload(s3, source, "text.jpg", b"this is not a jpeg at all")
    gone = s3_record(source, "deleted-before-we-ran.jpg")
    good = upload(s3, source, "good.png", image_bytes("PNG"))
    with caplog.at_level(logging.INFO, logger="thumbrouter.s3job"):
        assert lambda_module.handler(s3_event(bad, gone, good), None) == {
            "failed_permanent": 2, "created": 1, "retry": 0}
    lines = json_lines(caplog)
    assert [(line["key"], line["outcome"]) for line in lines] == [
        ("text.jpg", "failed_permanent"), ("deleted-before-we-ran.jpg", "failed_permanent"), ("good.png", "created")]
    assert "NotAnImageError" in lines[0]["reason"] and "SourceMissingError" in lines[1]["reason"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=resized)["Contents"]] == ["good_50x50.png"]


def test_a_body_larger_than_max_bytes_is_refused_even_if_the_event_said_small(lambda_module, s3, buckets, monkeypatch):
    source, resized = buckets
    monkeypatch.setattr(lambda_module, "SETTINGS", LambdaSettings(max_bytes=1000))
    record = upload(s3, source, "liar.jpg", image_bytes(size=(600, 600)))
    record["s3"]["object"]["size"] = 10
    assert lambda_module.handler(s3_event(record), None) == {"failed_permanent": 1, "retry": 0}
    assert s3.list_objects_v2(Bucket=resized)["KeyCount"] == 0


def test_the_decoded_bytes_budget_of_the_settings_reaches_the_image_core(lambda_module, s3, buckets, caplog,
                                                                          monkeypatch):
    source, resized = buckets
    monkeypatch.setattr(lambda_module, "SETTINGS", LambdaSettings(max_decoded_bytes=1024**2))
    small = upload(s3, source, "small.png", image_bytes("PNG", size=(200, 200)))
    large = upload(s3, source, "large.png", image_bytes("PNG", size=(1000, 1000)))  # 6 MB decoded as RGB
    with caplog.at_level(logging.INFO, logger="thumbrouter.s3job"):
        assert lambda_module.handler(s3_event(small, large), None) == {
            "created": 1, "failed_permanent": 1, "retry": 0}
    assert "ImageTooLargeError" in json_lines(caplog)[1]["reason"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=resized)["Contents"]] == ["small_50x50.png"]


def test_each_record_logs_one_json_line_with_sizes_and_time(lambda_module, s3, buckets, caplog):
    source, _ = buckets
    record = upload(s3, source, "log me.jpg", image_bytes())
    with caplog.at_level(logging.INFO, logger="thumbrouter.s3job"):
        lambda_module.handler(s3_event(record), None)
    [line] = json_lines(caplog)
    assert line["bucket"] == source and line["key"] == "log me.jpg" and line["outcome"] == "created"
    assert line["bytes_in"] == record["s3"]["object"]["size"] and 0 < line["bytes_out"] < line["bytes_in"]
    assert line["ms"] >= 0 and line["thumbnails"] == ["log me_50x50.jpg"]


def test_a_heif_or_avif_its_decoder_refuses_is_permanent_and_never_retried(lambda_module, s3, buckets, caplog):
    from tests.support import hostile_heif

    source, resized = buckets
    grid = upload(s3, source, "grid.avif", hostile_heif.repeated_tile("AVIF"))  # libavif: RuntimeError on open
    overlay = upload(s3, source, "overlay.heic", hostile_heif.overlay_canvas("HEIF"))
    with caplog.at_level(logging.INFO, logger="thumbrouter.s3job"):
        assert lambda_module.handler(s3_event(grid, overlay), None) == {"failed_permanent": 2, "retry": 0}
    assert all("DecodeError" in line["reason"] for line in json_lines(caplog))
    assert s3.list_objects_v2(Bucket=resized)["KeyCount"] == 0
