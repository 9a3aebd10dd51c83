"""A bounded generation pool: a fixed number of threads and a fixed-size queue, nothing that grows.

When the queue is full, `submit` raises Overloaded at once (503 + Retry-After): under a spike the
router sheds load in microseconds instead of stacking a thread or a socket per request.
"""

import os
import queue
import threading
from concurrent.futures import Future

from ..errors import Overloaded

_STOP = object()


def default_pool_size() -> int:
    """One generation thread per CPU available to this process (image work is CPU-bound)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not every platform has sched_getaffinity
        return max(1, os.cpu_count() or 1)


class GenerationPool:
    """Run callables on `size` daemon threads fed by a queue of at most `queue_size` waiting jobs."""

    def __init__(self, size: int, queue_size: int, *, name: str = "thumbgen", retry_after: int = 1):
        if size < 1 or queue_size < 0:
            raise ValueError("pool size must be >= 1 and queue size >= 0")
        self.size, self.retry_after = size, retry_after
        # Slots = running + waiting jobs. The semaphore is the bound (queue_size 0 = only idle threads).
        self._slots = threading.BoundedSemaphore(size + queue_size)
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
                         for i in range(size)]
        self._start_lock = threading.Lock()  # threads start on first use: safe across gunicorn's fork

    def _start(self) -> None:
        with self._start_lock:
            for thread in self._threads:
                if not thread.is_alive() and thread.ident is None:
                    thread.start()

    def submit(self, fn, *args) -> Future:
        """Queue fn(*args) and return its Future; raises Overloaded at once when the queue is full."""
        if not self._slots.acquire(blocking=False):
            raise Overloaded(retry_after=self.retry_after, log_message="generation queue full")
        if self._threads[0].ident is None:
            self._start()
        future: Future = Future()
        self._jobs.put((future, fn, args))
        return future

    def _work(self) -> None:
        while (job := self._jobs.get()) is not _STOP:
            future, fn, args = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # handed to the waiting request, which maps it
                    future.set_exception(exc)
            self._slots.release()

    def shutdown(self) -> None:
        """Stop the threads after the jobs already queued."""
        for _ in self._threads:
            self._jobs.put(_STOP)
        for thread in self._threads:
            if thread.ident is not None:
                thread.join(timeout=30)
