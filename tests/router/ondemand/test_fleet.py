"""Two real router processes (gunicorn) sharing a real Redis, against the local S3 server."""

import logging
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import redis
import requests

from tests.support.waiting import wait_until

from .fleet import ROOT, fire, seed, start_fleet
from .helpers import app_env, jpeg

pytestmark = pytest.mark.slow
# Redis calls may wait this long (production: 300 ms): on a loaded 2-core machine a slow answer would count as
# Redis down, the routers would single-flight per process, and a thumbnail would be made twice.
SLOW_MACHINE_MS = "5000"


@pytest.fixture(autouse=True)
def quiet_s3_server_log():
    """The local S3 server logs every request; thousands of records would dominate the run time."""
    logger = logging.getLogger("werkzeug")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


@pytest.fixture
def fleet_factory():
    started = []

    def make(env, count=2, threads=32):
        routers = start_fleet(env, count, threads)
        started.extend(routers)
        return routers

    yield make
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda router: router.stop(), started))


def _versions(s3, bucket: str, key: str) -> int:
    """How many times `key` was PUT (the resized bucket is versioned): generations seen from outside."""
    return len([v for v in s3.list_object_versions(Bucket=bucket, Prefix=key).get("Versions", []) if v["Key"] == key])


def _versioned(s3, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


def test_300_concurrent_requests_for_one_missing_thumbnail_across_two_routers_all_redirect_to_one_generation(
        s3_server, s3, buckets, redis_server, fleet_factory):
    source, resized = buckets
    _versioned(s3, resized)
    s3.put_object(Bucket=source, Key="big.jpg", Body=jpeg((2400, 1600)))
    # The production bulkhead (half of the 32 threads may wait on S3) and far more requests than places:
    # only one request per router HEADs, the others take its answer or the one the other router publishes.
    routers = fleet_factory(app_env(s3_server, source, redis_server.url, redis_timeout_ms=SLOW_MACHINE_MS))
    answers = fire([f"{routers[i % 2].url}/thumb/thumb50/big.jpg" for i in range(300)], concurrency=300)
    assert _versions(s3, resized, "big_50x50.jpg") == 1
    assert [status for status, _, _ in answers] == [302] * 300
    assert len({urlsplit(location).path for _, location, _ in answers}) == 1
    # Signed at the window start, so both routers give the same URL (two only if a window ended mid-run).
    locations = {location for _, location, _ in answers}
    assert len(locations) <= 2
    assert len({requests.get(url, timeout=10).content for url in locations}) == 1
    assert sum(r.counter("thumbrouter_ondemand_rejections_total") for r in routers) == 0


def test_2000_different_misses_with_pool_4_and_queue_16_stay_bounded_and_shed_the_excess_with_503(
        s3_server, s3, buckets, fleet_factory):
    source, resized = buckets
    seed(source, (f"many/{i}.jpg" for i in range(2000)), jpeg((640, 480)))
    threads = 32
    [router] = fleet_factory(app_env(s3_server, source, generation_pool_size="4", generation_queue_size="16"),
                             count=1, threads=threads)
    worker = router.worker()
    baseline_threads, samples, done = worker.num_threads(), [], threading.Event()

    def sample():
        while not done.wait(0.05):
            samples.append((worker.num_threads(), worker.memory_info().rss))

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        answers = fire([f"{router.url}/thumb/thumb50/many/{i}.jpg" for i in range(2000)])
    finally:
        done.set()
        sampler.join()
    statuses = [status for status, _, _ in answers]
    assert set(statuses) <= {302, 503} and statuses.count(503) > 0
    assert all(retry == "1" for status, _, retry in answers if status == 503)
    # Shed at once because the pool was full, none after waiting out a deadline.
    assert router.counter("thumbrouter_ondemand_rejections_total", reason="pool_full") > 0
    assert router.counter("thumbrouter_ondemand_rejections_total", reason="wait_deadline") == 0
    stored = sum(page.get("KeyCount", 0) for page in s3.get_paginator("list_objects_v2").paginate(Bucket=resized))
    assert stored == statuses.count(302)  # every accepted request completed and wrote its thumbnail
    # Server threads + the 4 generation threads + the lock watchdog: nothing per request.
    assert max(n for n, _ in samples) <= baseline_threads + threads + 4 + 1
    rss = [r for _, r in samples]
    assert max(rss[len(rss) // 4:]) - rss[len(rss) // 4] < 64 * 1024 * 1024  # flat after warm-up


def test_redis_killed_mid_run_still_answers_and_the_shared_lock_is_used_again_after_restart(
        s3_server, s3, buckets, redis_server, fleet_factory):
    source, resized = buckets
    _versioned(s3, resized)
    body = jpeg((800, 600))
    for i in range(60):
        s3.put_object(Bucket=source, Key=f"r/{i}.jpg", Body=body)
    s3.put_object(Bucket=source, Key="after.jpg", Body=jpeg((2400, 1600)))
    routers = fleet_factory(app_env(s3_server, source, redis_server.url, generation_queue_size="64",
                                     redis_timeout_ms=SLOW_MACHINE_MS))
    urls = [f"{routers[i % 2].url}/thumb/thumb50/r/{i % 60}.jpg" for i in range(300)]
    answers = fire(urls, concurrency=32, on_index=lambda i: i == 100 and redis_server.stop())
    assert {status for status, _, _ in answers} == {302}  # the queue is large enough: no 503 at all
    for router in routers:
        check = requests.get(f"{router.url}/readyz", timeout=10)
        assert check.status_code == 200 and check.json()["checks"]["redis"]["ok"] is False
    redis_server.start()
    # A breaker closes on its first successful call, not by time: until then a burst sends one probe and
    # the rest single-flight per process. Readiness probes (a load balancer's, here ours) are that call; each
    # router reports Redis back once its breaker cooldown (1 s) and its readiness cache (3 s) have passed.
    for router in routers:
        wait_until(lambda url=router.url: requests.get(f"{url}/readyz", timeout=10).json()["checks"]["redis"]["ok"],
                   what="readiness reporting Redis back", pause=0.2)
    answers = fire([f"{routers[i % 2].url}/thumb/thumb50/after.jpg" for i in range(200)])
    assert {status for status, _, _ in answers} == {302} and _versions(s3, resized, "after_50x50.jpg") == 1
    assert redis.Redis.from_url(redis_server.url).exists("thumbrouter:sf:done:50x50/after.jpg")
    assert all(requests.get(f"{r.url}/readyz", timeout=10).json()["checks"]["redis"]["ok"] for r in routers)


HOLDER = """
import sys, threading
from thumbrouter.router.ondemand.redisguard import RedisGuard
from thumbrouter.router.ondemand.singleflight import SingleFlight
flight = SingleFlight(RedisGuard.from_url(sys.argv[1], timeout=5), lock_ttl=2.0)
flight.run(sys.argv[2], lambda: (print("holding", flush=True), threading.Event().wait()))
"""


def test_when_the_lock_holder_is_killed_one_waiter_takes_over_after_the_ttl_and_everyone_gets_it(
        s3_server, s3, buckets, redis_server, fleet_factory):
    source, resized = buckets
    _versioned(s3, resized)
    s3.put_object(Bucket=source, Key="orphan.jpg", Body=jpeg((1200, 900)))
    routers = fleet_factory(app_env(s3_server, source, redis_server.url, redis_timeout_ms=SLOW_MACHINE_MS))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, redis_server.url, "50x50/orphan.jpg"],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with ThreadPoolExecutor(1) as runner:
            burst = runner.submit(fire, [f"{routers[i % 2].url}/thumb/thumb50/orphan.jpg" for i in range(40)], 40)
            # The holder dies once all 20 requests of each router wait on its lock (19 on their router's leader,
            # the leader on Redis): the answers then come from a waiter's takeover, however slow the machine.
            wait_until(lambda: burst.done() or all(
                r.counter("thumbrouter_ondemand_lock_waits_total") == 20 for r in routers), what="20 waits per router")
            holder.send_signal(signal.SIGKILL)
            answers = burst.result(120)
    finally:
        holder.kill()
        holder.wait(10)
    assert [status for status, _, _ in answers] == [302] * 40
    assert _versions(s3, resized, "orphan_50x50.jpg") == 1

