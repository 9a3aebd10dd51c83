"""S3 on the request path fails fast: breaker and bulkhead units, then a real router against a black hole."""

import queue
import socket
import threading
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


class WatchedSlots:
    """The bulkhead's semaphore, noting how long each call was allowed to wait for a place."""

    def __init__(self, limit: int):
        self.inner, self.waits = threading.BoundedSemaphore(limit), queue.Queue()

    def acquire(self, timeout: float) -> bool:
        self.waits.put(timeout)
        return self.inner.acquire(timeout=timeout)

    def release(self) -> None:
        self.inner.release()


def watched(guard: Guard) -> WatchedSlots:
    guard._slots = slots = WatchedSlots(guard.limit)  # type: ignore[assignment]
    return slots


def test_while_healthy_a_call_over_the_limit_queues_for_a_place_and_after_a_failure_it_does_not():
    guard = Guard(Breaker(threshold=3), limit=1, wait=60.0)
    slots = watched(guard)
    with ThreadPoolExecutor(1) as pool:
        with guard.slot():
            assert slots.waits.get_nowait() == 60.0
            waiting = pool.submit(lambda: guard.slot().__enter__())
            assert slots.waits.get(timeout=60) == 60.0  # queued for the place, not refused ...
            assert not waiting.done()  # ... and blocked on it: the only place is held here
        waiting.result(timeout=60)  # got it once the first call gave it back
    guard = Guard(Breaker(threshold=3), limit=1, wait=60.0)
    slots = watched(guard)
    guard.breaker.record(False)
    with guard.slot():
        with pytest.raises(Unavailable):
            with guard.slot():
                pass
    assert [slots.waits.get_nowait() for _ in range(2)] == [0, 0]  # after a failure nobody waits for a place


def accepted(sock: socket.socket) -> int:
    """How many connections reached the black hole since the last call (taken from its backlog)."""
    count = 0
    sock.setblocking(False)
    while True:
        try:
            sock.accept()[0].close()
        except BlockingIOError:
            return count
        count += 1


def test_a_black_holed_head_costs_one_bounded_attempt_then_none_once_the_breaker_opens(counting_black_hole):
    url, sock = counting_black_hole
    storage = S3Storage("photos", region="us-east-1", endpoint_url=url)
    for _ in range(3):  # the breaker opens after three consecutive failures
        with pytest.raises(BackendUnavailable) as raised:
            storage.head("photosresized", "secret-key_50x50.jpg")
        assert raised.value.retry_after == 1 and "secret-key" not in raised.value.log_message
        assert accepted(sock) == 1  # one attempt, no retry: it ended at the client's own read timeout
    with pytest.raises(BackendUnavailable, match="storage backend unavailable"):
        storage.head("photosresized", "other_50x50.jpg")
    assert accepted(sock) == 0  # open: no network at all


@pytest.mark.slow
def test_while_s3_hangs_healthz_and_v1_keep_answering_and_thumb_fails_fast(counting_black_hole):
    url, sock = counting_black_hole
    env = {"THUMBROUTER_S3_BUCKET": "photos", "THUMBROUTER_DOMESTIC_COUNTRIES": "",
           "THUMBROUTER_ALLOW_ANONYMOUS": "1", "AWS_ENDPOINT_URL_S3": url, "AWS_REGION": "us-east-1",
           "THUMBROUTER_GENERATION_POOL_SIZE": "2"}
    router = RouterProcess(env, threads=4).start()
    try:
        with ThreadPoolExecutor(24) as pool:
            thumbs = [pool.submit(timed_get, f"{router.url}/thumb/thumb50/k{i}.jpg") for i in range(24)]
            sock.settimeout(60)
            held = sock.accept()[0]  # a /thumb waits on S3 now (the bulkhead lets 2 of 4 threads wait) ...
            pending = sum(not future.done() for future in thumbs)
            health = [timed_get(f"{router.url}/healthz") for _ in range(5)]
            api = timed_get(f"{router.url}/v1/download-urls?key=a.jpg&cloud=s3")
            held.close()  # ... until its read timeout, or this
            answers = [future.result() for future in thumbs]
        accepted(sock)
        late = [timed_get(f"{router.url}/thumb/thumb50/late{i}.jpg") for i in range(4)]
        reached_s3 = accepted(sock)
    finally:
        router.stop()
    assert pending, "every /thumb had answered before /healthz was asked: nothing was in flight"
    assert all(status == 200 for status, _ in health), health
    assert api[0] == 200, api
    assert all(status == 503 and retry == "1" for status, retry in answers), answers
    assert all(status == 503 for status, _ in late), late
    assert reached_s3 <= 1, reached_s3  # open after 3 failures: at most one probe reaches S3


def timed_get(url: str) -> tuple[int, str | None]:
    """(status, Retry-After) of one GET; the client's timeout bounds a hanging router."""
    answer = requests.get(url, allow_redirects=False, timeout=30)
    return answer.status_code, answer.headers.get("Retry-After")
