"""lambda/on_demand.py: one synchronous thumbnail per payload, written to the resized bucket."""

import pytest

from tests.lambda_handler.helpers import image_bytes, open_image


@pytest.fixture
def on_demand(s3_server, monkeypatch):
    import on_demand
    from thumbrouter.s3job import client
    from thumbrouter.s3job.settings import LambdaSettings

    client.default_s3_client.cache_clear()
    monkeypatch.setattr(on_demand, "SETTINGS", LambdaSettings())
    yield on_demand
    client.default_s3_client.cache_clear()


def test_a_missing_thumbnail_is_created_once_then_reported_as_existing(on_demand, s3, buckets):
    source, resized = buckets
    s3.put_object(Bucket=source, Key="photos/a b.jpg", Body=image_bytes("JPEG", (400, 300)))
    payload = {"bucket": source, "key": "photos/a b.jpg", "size": "64x64"}
    first = on_demand.handler(payload, None)
    assert first["status"] == "created" and first["bucket"] == resized
    assert first["thumbnail_key"] == "photos/a b_64x64.jpg"
    stored = s3.get_object(Bucket=resized, Key="photos/a b_64x64.jpg")
    assert stored["ContentType"] == "image/jpeg" and open_image(stored["Body"].read()).size == (64, 48)
    assert on_demand.handler(payload, None)["status"] == "exists"


def test_cover_mode_fills_the_box(on_demand, s3, buckets):
    source, resized = buckets
    s3.put_object(Bucket=source, Key="a.png", Body=image_bytes("PNG", (400, 300)))
    on_demand.handler({"bucket": source, "key": "a.png", "size": "50x50", "mode": "cover"}, None)
    assert open_image(s3.get_object(Bucket=resized, Key="a_50x50.png")["Body"].read()).size == (50, 50)


def test_a_missing_source_is_reported_not_raised(on_demand, buckets):
    source, _ = buckets
    assert on_demand.handler({"bucket": source, "key": "gone.jpg", "size": "50x50"}, None)["status"] == "missing"


def test_a_poison_image_is_reported_invalid_and_nothing_is_written(on_demand, s3, buckets):
    source, resized = buckets
    s3.put_object(Bucket=source, Key="poison.jpg", Body=b"this is not a jpeg at all")
    answer = on_demand.handler({"bucket": source, "key": "poison.jpg", "size": "50x50"}, None)
    assert answer["status"] == "invalid" and "reason" in answer
    assert s3.list_objects_v2(Bucket=resized).get("KeyCount") == 0


@pytest.mark.parametrize("payload", [
    None, [], {"bucket": "demo", "key": "a.jpg"},
    {"bucket": "demo", "key": "a.jpg", "size": "50"},
    {"bucket": "demo", "key": "a.jpg", "size": "50x50", "mode": "stretch"},
    {"bucket": "Demo!", "key": "a.jpg", "size": "50x50"},
    {"bucket": "demo", "key": "", "size": "50x50"},
    {"bucket": "demo", "key": "a\nb.jpg", "size": "50x50"},
    {"bucket": "demo", "key": "x" * 1025, "size": "50x50"},
    {"bucket": "demo", "key": "a.jpg", "size": "50x50", "dest_bucket": "demo"},
    {"bucket": "demo", "key": "a.jpg", "size": "50x50", "extra": 1},
])
def test_malformed_payloads_are_refused_before_any_s3_call(on_demand, payload):
    from thumbrouter.s3job.ondemand import PayloadError

    with pytest.raises(PayloadError):
        on_demand.handler(payload, None)


def test_unsupported_extensions_are_invalid_without_a_download(on_demand, buckets):
    source, _ = buckets
    for key in ("notes.txt", "noext"):
        assert on_demand.handler({"bucket": source, "key": key, "size": "50x50"}, None)["status"] == "invalid"
