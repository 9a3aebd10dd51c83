"""The single-flight store contract, held by both stores: Redis (real redis-server) and DynamoDB (moto over HTTP)."""

import pytest

from thumbrouter.router.ondemand.dynamolocks import DynamoLocks
from thumbrouter.router.ondemand.locks import RedisLocks
from thumbrouter.router.ondemand.redisguard import RedisGuard

from .dynamo import create_lock_table


@pytest.fixture(params=["redis", "dynamodb"])
def store(request):
    if request.param == "redis":
        server = request.getfixturevalue("redis_server")
        return RedisLocks(RedisGuard.from_url(server.url))
    url = request.getfixturevalue("s3_server").url
    return DynamoLocks.connect(create_lock_table(url), "us-east-1", url, timeout=5.0)  # a loaded machine's local server


def test_a_held_lease_cannot_be_taken_again(store):
    assert store.acquire("k", "first", 5000)
    assert not store.acquire("k", "second", 5000)


def test_only_the_holder_extends_and_releases(store):
    assert store.acquire("k", "mine", 5000)
    assert not store.extend("k", "theirs", 5000)
    store.release("k", "theirs")
    assert not store.acquire("k", "theirs", 5000)  # still mine
    assert store.extend("k", "mine", 5000)
    store.release("k", "mine")
    assert store.acquire("k", "theirs", 5000)


def test_a_published_outcome_is_read_back_as_written(store):
    assert store.published("k") is None
    store.publish("k", {"status": "created", "thumbnail_key": "a_50x50.jpg"}, 5000)
    assert store.published("k") == {"status": "created", "thumbnail_key": "a_50x50.jpg"}
    assert store.published("other") is None


def test_names_are_independent(store):
    assert store.acquire("50x50/a.jpg", "t", 5000)
    assert store.acquire("50x50.webp/a.jpg", "t", 5000)


def test_a_reachable_store_is_ready(store):
    assert store.status() == "ok"
