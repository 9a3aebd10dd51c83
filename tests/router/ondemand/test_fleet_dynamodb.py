"""Three real router processes (gunicorn) sharing a DynamoDB lock table on the local moto server, over HTTP."""

from urllib.parse import urlsplit

import pytest
import requests

from .dynamo import create_lock_table, item
from .fleet import fire
from .helpers import app_env, jpeg
from .test_fleet import _versioned, _versions, fleet_factory, quiet_s3_server_log  # noqa: F401 -- shared fixtures

pytestmark = pytest.mark.slow


def dynamodb_env(s3_server, source: str, table: str) -> dict:
    # 5 s per DynamoDB call: the local server shares this machine's cores with three routers and the test.
    return app_env(s3_server, source, dynamodb_table=table, dynamodb_timeout_ms="5000", s3_max_inflight="32") | {
        "AWS_ENDPOINT_URL_DYNAMODB": s3_server.url}


def test_300_requests_for_one_missing_thumbnail_across_three_routers_generate_it_once(
        s3_server, s3, buckets, fleet_factory):  # noqa: F811
    source, resized = buckets
    _versioned(s3, resized)
    s3.put_object(Bucket=source, Key="burst.jpg", Body=jpeg((2400, 1600)))
    table = create_lock_table(s3_server.url)
    routers = fleet_factory(dynamodb_env(s3_server, source, table), count=3, threads=24)
    answers = fire([f"{routers[i % 3].url}/thumb/thumb50/burst.jpg" for i in range(300)])
    assert {status for status, _, _ in answers} == {302}
    assert _versions(s3, resized, "burst_50x50.jpg") == 1
    assert len({urlsplit(location).path for _, location, _ in answers}) == 1
    assert item(s3_server.url, table, "lock#50x50/burst.jpg") is None  # released by its holder
    assert item(s3_server.url, table, "done#50x50/burst.jpg") is not None  # the outcome late waiters read
    for router in routers:
        check = requests.get(f"{router.url}/readyz", timeout=10).json()["checks"]
        assert check["dynamodb"]["ok"] and "redis" not in check


def test_without_the_table_the_routers_keep_serving_and_readiness_says_degraded(
        s3_server, s3, buckets, fleet_factory):  # noqa: F811
    source, resized = buckets
    s3.put_object(Bucket=source, Key="alone.jpg", Body=jpeg((800, 600)))
    [router] = fleet_factory(dynamodb_env(s3_server, source, "no-such-table"), count=1)
    answers = fire([f"{router.url}/thumb/thumb50/alone.jpg" for _ in range(20)], concurrency=20)
    assert {status for status, _, _ in answers} == {302}
    check = requests.get(f"{router.url}/readyz", timeout=10)
    assert check.status_code == 200 and check.json()["checks"]["dynamodb"]["ok"] is False
