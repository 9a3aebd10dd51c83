"""Single-flight across threads and processes with a real redis-server, and without it."""

import json
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.router.conftest import FakeClock
from tests.support.waiting import Arrivals, wait_until
from thumbrouter.router.breaker import Breaker
from thumbrouter.router.ondemand.locks import RedisLocks
from thumbrouter.router.ondemand.redisguard import RedisGuard
from thumbrouter.router.ondemand.singleflight import LocalFlight, SingleFlight, WaitTimeout

ROOT = __file__.rsplit("/tests/", 1)[0]


class Counting:
    """A piece of work that counts its runs; `until()`, when given, holds it open until it returns true."""

    def __init__(self, result=None, until=None):
        self.runs, self.until, self.result = 0, until, result or {"status": "created"}
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            self.runs += 1
        if self.until is not None:
            assert self.until(), "the work was held open and its callers never all arrived"
        return self.result


def _fire(flights, name, work, per_flight=20):
    with ThreadPoolExecutor(len(flights) * per_flight) as pool:
        futures = [pool.submit(f.run, name, work) for f in flights for _ in range(per_flight)]
        return [f.result(120) for f in futures]


def _flights(redis_server, count: int, on_wait=None) -> list[SingleFlight]:
    """Flights as separate processes would have them, with bounds for a busy machine, not the production ones.

    5 s Redis timeouts (production: 0.3 s): a slow answer would make a flight degrade and run the work itself.
    A 60 s wait: these tests are about sharing one run, the waiters' deadline has its own test.
    """
    return [SingleFlight(RedisGuard.from_url(redis_server.url, timeout=5), wait=60, on_wait=on_wait)
            for _ in range(count)]


def test_concurrent_callers_in_one_process_share_one_run():
    flight, waiting = LocalFlight(), Arrivals()
    work = Counting(until=lambda: waiting.reached(39))  # the leader finishes once the 39 others wait on it
    with ThreadPoolExecutor(40) as pool:
        futures = [pool.submit(flight.run, "k", work, 60, waiting) for _ in range(40)]
        results = [f.result(120) for f in futures]
    assert work.runs == 1 and results == [work.result] * 40


def test_local_waiters_get_the_leaders_exception():
    flight, waiting = LocalFlight(), Arrivals()

    def boom():
        waiting.reached(9)
        raise KeyError("boom")

    with ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(flight.run, "k", boom, 60, waiting) for _ in range(10)]
        assert all(isinstance(f.exception(120), KeyError) for f in futures)
    assert waiting.count == 9  # nine of them waited on the leader's run rather than running boom themselves


def test_two_processes_sharing_redis_run_the_work_once(redis_server):
    waiting = Arrivals()
    flights = _flights(redis_server, 2, on_wait=waiting)
    # Held until the 39 other callers wait: 19 on each process's leader, the second leader on Redis.
    work = Counting(until=lambda: waiting.reached(39))
    results = _fire(flights, "photo.jpg", work)
    assert work.runs == 1 and results == [work.result] * 40
    assert redis.Redis.from_url(redis_server.url).keys("thumbrouter:sf:lock:*") == []  # released


def test_release_never_deletes_a_lock_someone_else_now_holds(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    flight = SingleFlight(RedisGuard.from_url(redis_server.url), lock_ttl=5)

    def lose_the_lock():  # as if our lock had expired and another host had taken it
        client.set("thumbrouter:sf:lock:k", "someone-else", px=5000)
        return {"status": "created"}

    flight.run("k", lose_the_lock)
    assert client.get("thumbrouter:sf:lock:k") == b"someone-else"


def test_a_waiter_past_its_deadline_stops_and_a_later_caller_takes_the_expired_lock(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    client.set("thumbrouter:sf:lock:k", "dead-holder")  # a holder that will never finish, its lease still running
    work = Counting()
    with pytest.raises(WaitTimeout):
        SingleFlight(RedisGuard.from_url(redis_server.url, timeout=5), wait=0.3).run("k", work)
    assert work.runs == 0
    client.pexpire("thumbrouter:sf:lock:k", 1)  # its lease runs out
    assert SingleFlight(RedisGuard.from_url(redis_server.url, timeout=5), wait=60).run("k", work) == work.result
    assert work.runs == 1


def test_a_burst_checks_once_per_process_and_the_work_runs_once_for_all(redis_server):
    flights = _flights(redis_server, 2)
    checks, lock, both_checked = [], threading.Lock(), threading.Event()
    work = Counting()

    def check():  # "not there yet"; the work waits for both processes' checks, so each must make one
        with lock:
            checks.append(1)
            if len(checks) == 2:
                both_checked.set()

    with ThreadPoolExecutor(40) as pool:
        futures = [pool.submit(f.run, "k", lambda: both_checked.wait(10) and work(), check)
                   for f in flights for _ in range(20)]
        results = [f.result(30) for f in futures]
    assert len(checks) == 2 and work.runs == 1 and results == [work.result] * 40


def test_the_checks_answer_goes_to_every_caller_in_the_process_and_the_work_never_runs(redis_server):
    waiting, found, work = Arrivals(), [], Counting()
    [flight] = _flights(redis_server, 1, on_wait=waiting)

    def check():  # answers once the 19 other callers wait on this process's leader
        assert waiting.reached(19)
        found.append(1)
        return {"status": "exists"}

    with ThreadPoolExecutor(20) as pool:
        futures = [pool.submit(flight.run, "k", work, check) for _ in range(20)]
        results = [f.result(120) for f in futures]
    assert found == [1] and work.runs == 0 and results == [{"status": "exists"}] * 20


def test_a_published_result_answers_without_the_check_or_the_work(redis_server):
    redis.Redis.from_url(redis_server.url).set("thumbrouter:sf:done:k", json.dumps({"status": "created"}))
    checks, work = [], Counting()
    result = SingleFlight(RedisGuard.from_url(redis_server.url)).run("k", work, lambda: checks.append(1))
    assert result == {"status": "created"} and checks == [] and work.runs == 0


def test_without_redis_the_check_still_comes_first():
    work = Counting()
    assert SingleFlight(None).run("k", work, lambda: {"status": "exists"}) == {"status": "exists"}
    assert SingleFlight(None).run("k", work, lambda: None) == work.result and work.runs == 1


HOLDER = """
import sys, threading
from thumbrouter.router.ondemand.redisguard import RedisGuard
from thumbrouter.router.ondemand.singleflight import SingleFlight
flight = SingleFlight(RedisGuard.from_url(sys.argv[1]), lock_ttl=1.0)
flight.run("k", lambda: (print("holding", flush=True), threading.Event().wait()))
"""


def _wait_for_renewals(client: redis.Redis, key: str, count: int) -> None:
    """Return once the lease on `key` has been extended `count` times (its remaining time went up)."""
    last, rises = client.pttl(key), 0

    def renewed() -> bool:
        nonlocal last, rises
        now = client.pttl(key)
        assert now > 0, "the lease ran out: nobody renewed it"
        rises, last = rises + (now > last), now
        return rises >= count

    wait_until(renewed, what=f"{count} renewals of {key}", pause=0.02)


def test_a_killed_lock_holder_is_replaced_by_exactly_one_waiter_after_the_ttl(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, redis_server.url], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        token = client.get("thumbrouter:sf:lock:k")
        _wait_for_renewals(client, "thumbrouter:sf:lock:k", 3)  # a 1 s lease outlives itself by renewals only
        assert token is not None and client.get("thumbrouter:sf:lock:k") == token
        waiting = Arrivals()
        flights, work = _flights(redis_server, 2, on_wait=waiting), Counting()
        with ThreadPoolExecutor(1) as runner:
            burst = runner.submit(_fire, flights, "k", work, 10)
            # Killed once all 20 callers wait (9 on each process's leader, both leaders on the holder's lease),
            # so the answers can only come from one waiter's takeover, however slow the machine.
            assert waiting.reached(20)
            holder.send_signal(signal.SIGKILL)
            results = burst.result(120)
    finally:
        holder.kill()
        holder.wait(10)
    assert work.runs == 1 and results == [work.result] * 20


def test_with_redis_down_work_still_runs_once_per_process_and_recovers_when_redis_returns(redis_server):
    clock, waiting = FakeClock(0.0), Arrivals()
    guard = RedisGuard.from_url(redis_server.url, timeout=5)
    guard.breaker = Breaker(cooldown=1.0, clock=clock)
    flight = SingleFlight(guard, wait=60, on_wait=waiting)
    redis_server.stop()
    work = Counting(until=lambda: waiting.reached(19))  # the other 19 callers wait on this process's run
    assert _fire([flight], "k", work) == [work.result] * 20
    assert work.runs == 1 and guard.status() == "degraded"
    redis_server.start()
    assert guard.status() == "degraded"  # inside the cooldown: no probe yet
    clock.advance(1.0)  # one breaker cooldown: the next call is the probe
    seen = []

    def look_at_the_lock():
        seen.append(redis.Redis.from_url(redis_server.url).keys("thumbrouter:sf:lock:*"))
        return {"status": "created"}

    flight.run("again", look_at_the_lock)
    assert guard.status() == "ok" and seen == [[b"thumbrouter:sf:lock:again"]]


def test_an_open_breaker_fails_fast_without_touching_the_network(redis_server):
    guard = RedisGuard.from_url(redis_server.url)
    guard.breaker.cooldown = 60
    redis_server.stop()
    assert guard.status() == "degraded"
    redis_server.start()
    assert guard.status() == "degraded"  # still inside the cooldown: no probe yet


class FinishesFirst(RedisLocks):
    """A store on which another host's whole run (publish, release) lands between our look and our acquire."""

    def __init__(self, guard, other_host):
        super().__init__(guard)
        self.other_host = other_host

    def acquire(self, name, token, ttl_ms):
        if self.other_host is not None:
            self.other_host(), setattr(self, "other_host", None)
        return super().acquire(name, token, ttl_ms)


def test_a_run_that_finishes_between_the_look_and_the_lock_is_not_repeated(redis_server):
    work = Counting()
    other = SingleFlight(RedisGuard.from_url(redis_server.url, timeout=5))
    late = SingleFlight(FinishesFirst(RedisGuard.from_url(redis_server.url, timeout=5),
                                      lambda: other.run("k", work)))
    assert late.run("k", work) == work.result and work.runs == 1
    assert redis.Redis.from_url(redis_server.url).keys("thumbrouter:sf:lock:*") == []  # ours released too
