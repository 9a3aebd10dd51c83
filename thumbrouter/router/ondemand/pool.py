"""A bounded generation pool: a fixed number of threads and a fixed number of places, nothing that grows.

`concurrent.futures.ThreadPoolExecutor` runs the jobs; its queue is unbounded, so a semaphore of
`size + queue_size` places is the bound. When every place is taken `submit` raises Overloaded at once
(503 + Retry-After): under a spike the router sheds load in microseconds instead of stacking a thread
or a socket per request.
"""

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from ..errors import Overloaded


class GenerationPool:
    """Run callables on at most `size` threads with at most `queue_size` more jobs waiting.

    Threads start on first use (ThreadPoolExecutor starts them per submit), so a pool built before
    gunicorn forks holds none. They are not daemons: the interpreter joins them at exit, so a worker
    stopping mid-generation waits for it, at most the generation timeout.
    """

    def __init__(self, size: int, queue_size: int, *, name: str = "thumbgen", retry_after: int = 1):
        if size < 1 or queue_size < 0:
            raise ValueError("pool size must be >= 1 and queue size >= 0")
        self.size, self.retry_after = size, retry_after
        self._executor = ThreadPoolExecutor(size, thread_name_prefix=name)
        self._places = threading.BoundedSemaphore(size + queue_size)  # running + waiting jobs

    def submit(self, fn, *args) -> Future:
        """Queue fn(*args) and return its Future; raises Overloaded at once when every place is taken."""
        if not self._places.acquire(blocking=False):
            raise Overloaded(retry_after=self.retry_after, log_message="generation queue full")
        try:
            future = self._executor.submit(fn, *args)
        except BaseException:
            self._places.release()
            raise
        future.add_done_callback(self._release)
        return future

    def _release(self, _future: Future) -> None:
        self._places.release()
