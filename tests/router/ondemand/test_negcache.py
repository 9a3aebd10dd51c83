"""The negative cache and its bounded per-process map."""

from thumbrouter.router.ondemand.negcache import LocalTtl, NegativeCache
from thumbrouter.router.ondemand.redisguard import RedisGuard


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def test_entries_expire_after_their_ttl():
    clock = Clock()
    cache = LocalTtl(10, clock=clock)
    cache.put("a", "bad")
    clock.now = 9.9
    assert cache.get("a") == "bad"
    clock.now = 10.0
    assert cache.get("a") is None


def test_the_local_map_is_bounded_and_drops_the_oldest():
    cache = LocalTtl(60, maxsize=100)
    for i in range(1000):
        cache.put(str(i), "x")
    assert len(cache._entries) == 100 and cache.get("0") is None and cache.get("999") == "x"


def test_a_local_map_of_size_zero_keeps_nothing():
    cache = LocalTtl(60, maxsize=0)
    cache.put("a", "bad")
    assert cache.get("a") is None


def test_a_poison_remembered_by_one_router_is_seen_by_another_through_redis(redis_server):
    first, second = (NegativeCache(RedisGuard.from_url(redis_server.url), ttl=30) for _ in range(2))
    first.put("50x50/poison.jpg", "DecodeError")
    assert second.get("50x50/poison.jpg") == "DecodeError" and second.get("50x50/fine.jpg") is None


def test_without_redis_the_cache_still_works_in_process(redis_server):
    cache = NegativeCache(RedisGuard.from_url(redis_server.url), ttl=30)
    redis_server.stop()
    cache.put("k", "bad")
    assert cache.get("k") == "bad" and cache.get("other") is None
