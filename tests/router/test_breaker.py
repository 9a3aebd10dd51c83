"""S3 on the request path fails fast: breaker and bulkhead units, then a real router against a black hole."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from thumbrouter.router.breaker import Breaker, Guard, Unavailable
from thumbrouter.router.errors import BackendUnavailable
from thumbrouter.router.storage.s3 import S3Storage

from .conftest import FakeClock
from .ondemand.fleet import RouterProcess


def test_the_breaker_opens_at_the_threshold_then_lets_one_probe_through_per_cooldown():
    clock = FakeClock(100.0)
    breaker = Breaker(cooldown=1.0, clock=clock, threshold=3)
    breaker.record(False), breaker.record(False)
    assert breaker.allow() and not breaker.is_open
    breaker.record(False)
    assert breaker.is_open and not breaker.allow()
    clock.advance(1.0)
    assert breaker.allow() and not breaker.allow()  # one probe, the others still fail fast
    breaker.record(True)
    assert not breaker.is_open and breaker.allow()


def test_a_success_resets_the_count_of_consecutive_failures():
    breaker = Breaker(threshold=2)
    for ok in (False, True, False, True, False):
        breaker.record(ok)
    assert not breaker.is_open


def test_the_bulkhead_refuses_one_call_more_than_its_limit_at_once():
    guard = Guard(Breaker(), limit=2)
    with guard.slot(), guard.slot():
        with pytest.raises(Unavailable, match="2 calls"):
            with guard.slot():
                pass
    with guard.slot():  # places are given back
        pass


def test_while_healthy_a_call_over_the_limit_waits_briefly_for_a_place_and_after_a_failure_it_does_not():
    guard = Guard(Breaker(threshold=3), limit=1, wait=5.0)
    with ThreadPoolExecutor(1) as pool:
        with guard.slot():
            waiting = pool.submit(lambda: guard.slot().__enter__())
            time.sleep(0.2)
            assert not waiting.done()  # queued for the place, not refused
        waiting.result(timeout=5)  # got it once the first call gave it back
    guard = Guard(Breaker(threshold=3), limit=1, wait=5.0)
    guard.breaker.record(False)
    started = time.monotonic()
    with guard.slot():
        with pytest.raises(Unavailable):
            with guard.slot():
                pass
    assert time.monotonic() - started < 1




def test_a_black_holed_head_fails_within_about_a_second_then_at_once(black_hole):
    storage = S3Storage("photos", region="us-east-1", endpoint_url=black_hole)
    for _ in range(3):  # the breaker opens after three consecutive failures
        started = time.monotonic()
        with pytest.raises(BackendUnavailable) as raised:
            storage.head("photosresized", "secret-key_50x50.jpg")
        assert time.monotonic() - started < 3 and raised.value.retry_after == 1
        assert "secret-key" not in raised.value.log_message
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="storage backend unavailable"):
        storage.head("photosresized", "other_50x50.jpg")
    assert time.monotonic() - started < 0.1


@pytest.mark.slow
def test_while_s3_hangs_healthz_and_v1_keep_answering_and_thumb_fails_fast(black_hole):
    env = {"THUMBROUTER_S3_BUCKET": "photos", "THUMBROUTER_DOMESTIC_COUNTRIES": "",
           "THUMBROUTER_ALLOW_ANONYMOUS": "1", "AWS_ENDPOINT_URL_S3": black_hole, "AWS_REGION": "us-east-1",
           "THUMBROUTER_GENERATION_POOL_SIZE": "2"}
    router = RouterProcess(env, threads=4).start()
    try:
        with ThreadPoolExecutor(24) as pool:
            thumbs = [pool.submit(timed_get, f"{router.url}/thumb/thumb50/k{i}.jpg") for i in range(24)]
            time.sleep(0.3)  # every /thumb is in flight: with the old 5 s x 3 attempts all 4 threads hang
            health = [timed_get(f"{router.url}/healthz") for _ in range(5)]
            api = timed_get(f"{router.url}/v1/download-urls?key=a.jpg&cloud=s3")
            answers = [future.result() for future in thumbs]
        late = [timed_get(f"{router.url}/thumb/thumb50/late{i}.jpg") for i in range(4)]
    finally:
        router.stop()
    assert all(status == 200 and seconds < 1 for status, seconds, _ in health), health
    assert api[0] == 200 and api[1] < 2, api
    assert all(status == 503 and retry == "1" and seconds < 3 for status, seconds, retry in answers), answers
    assert all(status == 503 for status, _, _ in late), late
    assert all(seconds < 0.5 for _, seconds, _ in late[1:]), late  # open after 3 failures: no S3 call at all


def timed_get(url: str) -> tuple[int, float, str | None]:
    started = time.monotonic()
    answer = requests.get(url, allow_redirects=False, timeout=8)
    return answer.status_code, round(time.monotonic() - started, 3), answer.headers.get("Retry-After")
