"""Deleted originals leave the edge too: the handler invalidates exactly their CDN paths (CloudFront stubbed).

S3 runs on the local server; CloudFront has no emulator here, so its client is a real botocore client
whose calls are checked by a Stubber against the API's own request shapes.
"""

import types

import boto3
import pytest
from botocore.stub import ANY, Stubber

from tests.lambda_handler.helpers import image_bytes, s3_event, s3_record
from thumbrouter.imagecore import thumbnail_keys
from thumbrouter.s3job import ConfigError, Invalidator, Outcome, TransientError, cdn_path, invalidation_paths
from thumbrouter.s3job.settings import LambdaSettings
from thumbrouter.s3job.spec import ThumbnailSpec

from .test_deletes import removed

DISTRIBUTION = "EDFDVBD6EXAMPLE"
SIZES = ("50x50", "120x80")
CONTEXT = types.SimpleNamespace(aws_request_id="c6af9ac6-7b61-11e6-9a41-93e812345678")


def answer(paths: list[str]) -> dict:
    return {"Location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{DISTRIBUTION}/invalidation/I1",
            "Invalidation": {"Id": "I2J0I21PCUYOIK", "Status": "InProgress", "CreateTime": "2026-12-07T00:00:00Z",
                             "InvalidationBatch": {"Paths": {"Quantity": len(paths), "Items": paths},
                                                   "CallerReference": "x"}}}


@pytest.fixture
def cloudfront():
    client = boto3.client("cloudfront", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def handler(lambda_module, monkeypatch, cloudfront):
    monkeypatch.setattr(lambda_module, "SETTINGS", LambdaSettings(ThumbnailSpec(sizes=SIZES)))
    monkeypatch.setattr(lambda_module, "CDN", Invalidator(cloudfront[0], DISTRIBUTION))
    return lambda_module.handler


def expect(stubber, paths: list[str]) -> None:
    stubber.add_response("create_invalidation", answer(paths), {
        "DistributionId": DISTRIBUTION,
        "InvalidationBatch": {"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": ANY}})


def test_deleting_an_original_invalidates_each_of_its_thumbnails_and_its_own_path(handler, cloudfront, s3, buckets):
    source, resized = buckets
    original = "photos/a b+ü.jpg"
    for key in thumbnail_keys(original, SIZES):
        s3.put_object(Bucket=resized, Key=key, Body=image_bytes())
    expect(cloudfront[1], sorted(cdn_path(k) for k in thumbnail_keys(original, SIZES)) + [
        "/originals/photos/a%20b%2B%C3%BC.jpg"])
    handler(s3_event(removed(source, original)), CONTEXT)
    assert s3.list_objects_v2(Bucket=resized).get("KeyCount", 0) == 0


def test_created_objects_and_stale_deletes_invalidate_nothing(handler, cloudfront, s3, buckets):
    source, _ = buckets
    s3.put_object(Bucket=source, Key="here.jpg", Body=image_bytes())
    data = image_bytes()
    s3.put_object(Bucket=source, Key="new.jpg", Body=data)
    handler(s3_event(removed(source, "here.jpg"), s3_record(source, "new.jpg", size=len(data))), CONTEXT)
    # no create_invalidation was queued: the Stubber fails on any call


def test_a_refused_invalidation_is_transient_so_the_batch_is_retried(handler, cloudfront, buckets):
    cloudfront[1].add_client_error("create_invalidation", "TooManyInvalidationsInProgress", http_status_code=400)
    with pytest.raises(TransientError, match="TooManyInvalidationsInProgress"):
        handler(s3_event(removed(buckets[0], "gone.jpg")), CONTEXT)


def test_paths_are_batched_within_cloudfronts_limit_and_retries_reuse_their_reference(cloudfront):
    client, stubber = cloudfront
    outcomes = [Outcome("deleted", "b", f"k{i}.jpg", thumbnail_keys=(f"k{i}_50x50.jpg",)) for i in range(700)]
    paths = invalidation_paths(outcomes)
    assert len(paths) == 1400
    references = []
    client.meta.events.register("before-parameter-build.cloudfront.CreateInvalidation",
                                lambda params, **_: references.append(params["InvalidationBatch"]["CallerReference"]))
    for _ in range(2):  # the same invocation twice (Lambda's retry keeps its request id)
        for chunk in (paths[:1000], paths[1000:]):
            expect(stubber, chunk)
        assert Invalidator(client, DISTRIBUTION).invalidate(outcomes, CONTEXT.aws_request_id) == ["I2J0I21PCUYOIK"] * 2
    assert references[:2] == references[2:4] and references[0] != references[1]


def test_only_deletions_leave_paths_and_each_path_once():
    outcomes = [Outcome("deleted", "b", "a.jpg", thumbnail_keys=("a_50x50.jpg", "a_50x50.jpg.webp")),
                Outcome("created", "b", "n.jpg", thumbnail_keys=("n_50x50.jpg",)),
                Outcome("skipped", "b", "s.jpg"), Outcome("deleted", "b", "a.jpg", thumbnail_keys=("a_50x50.jpg",))]
    assert invalidation_paths(outcomes) == ["/a_50x50.jpg", "/a_50x50.jpg.webp", "/originals/a.jpg"]


def test_the_distribution_id_is_validated_at_cold_start():
    assert LambdaSettings.from_env({"CDN_DISTRIBUTION_ID": DISTRIBUTION}).cdn_distribution_id == DISTRIBUTION
    assert LambdaSettings.from_env({}).cdn_distribution_id is None
    with pytest.raises(ConfigError, match="CDN_DISTRIBUTION_ID"):
        LambdaSettings.from_env({"CDN_DISTRIBUTION_ID": "d111111abcdef8.cloudfront.net"})
