"""Single-flight across threads and processes with a real redis-server, and without it."""

import json
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from thumbrouter.router.ondemand.redisguard import RedisGuard
from thumbrouter.router.ondemand.singleflight import LocalFlight, SingleFlight, WaitTimeout

ROOT = __file__.rsplit("/tests/", 1)[0]


class Counting:
    """A piece of work that counts its runs and can be held open by a gate."""

    def __init__(self, result=None, hold: float = 0.2):
        self.runs, self.hold, self.result = 0, hold, result or {"status": "created"}
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            self.runs += 1
        time.sleep(self.hold)
        return self.result


def _fire(flights, name, work, per_flight=20):
    with ThreadPoolExecutor(len(flights) * per_flight) as pool:
        futures = [pool.submit(f.run, name, work) for f in flights for _ in range(per_flight)]
        return [f.result(30) for f in futures]


def test_concurrent_callers_in_one_process_share_one_run():
    flight, arrived, everyone = LocalFlight(), threading.Semaphore(0), threading.Event()
    work = Counting(hold=0.1)
    gated = lambda: everyone.wait(10) and work()  # noqa: E731 -- the leader runs only once all 40 have called

    def call(_):
        arrived.release()
        return flight.run("k", gated, timeout=10)

    with ThreadPoolExecutor(40) as pool:
        futures = [pool.submit(call, i) for i in range(40)]
        for _ in range(40):  # a slow machine starts threads late; the work waits for the last caller
            arrived.acquire(timeout=10)
        everyone.set()
        results = [f.result(10) for f in futures]
    assert work.runs == 1 and results == [work.result] * 40


def test_local_waiters_get_the_leaders_exception():
    flight = LocalFlight()

    def boom():
        time.sleep(0.2)
        raise KeyError("boom")

    with ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(flight.run, "k", boom, 10) for _ in range(10)]
        assert all(isinstance(f.exception(10), KeyError) for f in futures)


def test_two_processes_sharing_redis_run_the_work_once(redis_server):
    flights = [SingleFlight(RedisGuard.from_url(redis_server.url)) for _ in range(2)]
    work = Counting(hold=0.5)
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
    client.set("thumbrouter:sf:lock:k", "dead-holder", px=1500)  # a holder that will never finish
    work = Counting(hold=0)
    with pytest.raises(WaitTimeout):
        SingleFlight(RedisGuard.from_url(redis_server.url), wait=0.3).run("k", work)
    assert work.runs == 0
    assert SingleFlight(RedisGuard.from_url(redis_server.url), wait=5).run("k", work) == work.result
    assert work.runs == 1


def test_a_burst_checks_once_per_process_and_the_work_runs_once_for_all(redis_server):
    # 5 s Redis timeouts: under CPU load a 0.3 s one would make a flight degrade and run the work itself.
    flights = [SingleFlight(RedisGuard.from_url(redis_server.url, timeout=5)) for _ in range(2)]
    checks, lock, both_checked = [], threading.Lock(), threading.Event()
    work = Counting(hold=0)

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
    flight, arrived, found = SingleFlight(RedisGuard.from_url(redis_server.url)), threading.Semaphore(0), []
    work, everyone = Counting(hold=0), threading.Event()

    def check():
        everyone.wait(10)
        found.append(1)
        return {"status": "exists"}

    def call():
        arrived.release()
        return flight.run("k", work, check)

    with ThreadPoolExecutor(20) as pool:
        futures = [pool.submit(call) for _ in range(20)]
        for _ in range(20):
            arrived.acquire(timeout=10)
        everyone.set()
        results = [f.result(30) for f in futures]
    assert found == [1] and work.runs == 0 and results == [{"status": "exists"}] * 20


def test_a_published_result_answers_without_the_check_or_the_work(redis_server):
    redis.Redis.from_url(redis_server.url).set("thumbrouter:sf:done:k", json.dumps({"status": "created"}))
    checks, work = [], Counting(hold=0)
    result = SingleFlight(RedisGuard.from_url(redis_server.url)).run("k", work, lambda: checks.append(1))
    assert result == {"status": "created"} and checks == [] and work.runs == 0


def test_without_redis_the_check_still_comes_first():
    work = Counting(hold=0)
    assert SingleFlight(None).run("k", work, lambda: {"status": "exists"}) == {"status": "exists"}
    assert SingleFlight(None).run("k", work, lambda: None) == work.result and work.runs == 1


HOLDER = """
import sys, time
from thumbrouter.router.ondemand.redisguard import RedisGuard
from thumbrouter.router.ondemand.singleflight import SingleFlight
flight = SingleFlight(RedisGuard.from_url(sys.argv[1]), lock_ttl=1.0)
flight.run("k", lambda: (print("holding", flush=True), time.sleep(120)))
"""


def test_a_killed_lock_holder_is_replaced_by_exactly_one_waiter_after_the_ttl(redis_server):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, redis_server.url], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        time.sleep(2.0)  # twice the TTL: only the watchdog's renewals keep the lock alive
        assert redis.Redis.from_url(redis_server.url).get("thumbrouter:sf:lock:k") is not None
        # Redis calls get 5 s, not the production 0.3 s: on a loaded machine a slow answer would make a flight
        # degrade to running the work itself, and this test is about the takeover, not about a slow Redis.
        flights = [SingleFlight(RedisGuard.from_url(redis_server.url, timeout=5), wait=8) for _ in range(2)]
        work = Counting(hold=0.2)
        threading.Timer(0.5, holder.send_signal, (signal.SIGKILL,)).start()
        results = _fire(flights, "k", work, per_flight=10)
    finally:
        holder.kill()
        holder.wait(10)
    assert work.runs == 1 and results == [work.result] * 20


def test_with_redis_down_work_still_runs_once_per_process_and_recovers_when_redis_returns(redis_server):
    guard = RedisGuard.from_url(redis_server.url)
    guard.breaker.cooldown = 0.2
    flight = SingleFlight(guard)
    redis_server.stop()
    work = Counting(hold=0.3)
    assert _fire([flight], "k", work) == [work.result] * 20
    assert work.runs == 1 and guard.status() == "degraded"
    redis_server.start()
    time.sleep(0.3)  # one breaker cooldown: the next call is the probe
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
