"""The bounded generation pool: at most `size` threads, a fixed queue, Overloaded at once when full."""

import threading

import pytest

from thumbrouter.router.errors import Overloaded
from thumbrouter.router.ondemand.pool import GenerationPool


def test_jobs_run_and_return_their_results():
    pool = GenerationPool(2, 4)
    assert [pool.submit(pow, n, 2).result(5) for n in range(5)] == [0, 1, 4, 9, 16]


def test_exceptions_reach_the_caller():
    pool = GenerationPool(1, 1)
    with pytest.raises(ZeroDivisionError):
        pool.submit(lambda: 1 / 0).result(5)


def test_a_full_pool_refuses_at_once_and_never_starts_more_threads():
    gate = threading.Event()
    pool = GenerationPool(2, 3)
    before = threading.active_count()
    accepted = [pool.submit(gate.wait, 10) for _ in range(5)]  # 2 running + 3 queued
    for _ in range(50):
        with pytest.raises(Overloaded) as info:
            pool.submit(gate.wait, 10)
        assert info.value.retry_after >= 1
    assert threading.active_count() <= before + 2
    gate.set()
    assert all(f.result(5) for f in accepted)
    assert pool.submit(lambda: "again").result(5) == "again"  # slots are given back


def test_queue_size_zero_means_only_idle_threads_take_work():
    gate = threading.Event()
    pool = GenerationPool(1, 0)
    running = pool.submit(gate.wait, 10)
    with pytest.raises(Overloaded):
        pool.submit(gate.wait, 10)
    gate.set()
    assert running.result(5)


def test_threads_start_on_first_use_not_at_construction():
    def own_threads():  # counted by name: other tests' server threads may come and go meanwhile
        return [t for t in threading.enumerate() if t.name.startswith("firstuse")]

    pool = GenerationPool(3, 1, name="firstuse")
    assert own_threads() == []  # nothing to inherit across gunicorn's fork
    pool.submit(int).result(5)
    assert 1 <= len(own_threads()) <= 3


def test_a_cancelled_job_gives_its_place_back():
    gate = threading.Event()
    pool = GenerationPool(1, 1)
    running, waiting = pool.submit(gate.wait, 10), pool.submit(gate.wait, 10)
    with pytest.raises(Overloaded):
        pool.submit(gate.wait, 10)
    assert waiting.cancel()
    again = pool.submit(gate.wait, 10)  # the cancelled job's place
    with pytest.raises(Overloaded):
        pool.submit(gate.wait, 10)
    gate.set()
    assert running.result(5) and again.result(5)
