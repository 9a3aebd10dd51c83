"""Fail fast on a sick dependency of the request path (Redis, S3): a circuit breaker and a bulkhead.

A request thread that waits on a black-holed dependency is a thread /healthz and /v1 cannot use; with
every thread waiting, the whole worker stops answering. So calls go through a `Guard`:

- the breaker opens after `threshold` consecutive failures; while open, calls fail at once (no
  network), and every `cooldown` seconds one call goes through as a probe; its success closes it;
- the bulkhead lets at most `limit` calls wait on the dependency at once per process; one more
  waits up to `wait` seconds for a place while the dependency is healthy (a burst of fast calls
  queues briefly instead of failing), and fails at once after any failure (a slow dependency
  must not hold more threads).

The caller still bounds each call with its client's own timeouts; the guard bounds how many wait.
"""

import threading
import time
from contextlib import contextmanager


class Unavailable(Exception):
    """The breaker is open or the bulkhead is full: the dependency is not called."""


class Breaker:
    """Open after `threshold` consecutive failures, half-open (one probe) after `cooldown` s, closed on success."""

    def __init__(self, cooldown: float = 1.0, clock=time.monotonic, threshold: int = 1):
        self.cooldown, self.threshold, self._clock = cooldown, threshold, clock
        self._lock = threading.Lock()
        self._failures = 0
        self._failed_at: float | None = None
        self._retry_at = 0.0

    def allow(self) -> bool:
        """True when a call may go out (closed, or the one probe of this cooldown period)."""
        with self._lock:
            if self._failed_at is None:
                return True
            now = self._clock()
            if now < self._retry_at:
                return False
            self._retry_at = now + self.cooldown  # the others keep failing fast meanwhile
            return True

    def record(self, ok: bool) -> None:
        """Close the breaker on success; count a failure and (re)open at the threshold."""
        with self._lock:
            if ok:
                self._failures, self._failed_at = 0, None
                return
            self._failures += 1
            if self._failures >= self.threshold:
                self._failed_at = self._clock()
                self._retry_at = self._failed_at + self.cooldown

    @property
    def healthy(self) -> bool:
        """True while the last call succeeded (no failure counted since)."""
        return self._failures == 0

    @property
    def is_open(self) -> bool:
        return self._failed_at is not None


class Guard:
    """A breaker and a bulkhead of `limit` concurrent calls around one dependency."""

    def __init__(self, breaker: Breaker, limit: int, wait: float = 0.0):
        self.breaker, self.limit, self.wait = breaker, limit, wait
        self._slots = threading.BoundedSemaphore(limit)

    @contextmanager
    def slot(self):
        """Hold one call's place; raises Unavailable when the breaker is open or no place is free in time.

        The caller reports the call's outcome with `self.breaker.record(ok)`.
        """
        if not self.breaker.allow():
            raise Unavailable("circuit open")
        if not self._slots.acquire(timeout=self.wait if self.breaker.healthy else 0):
            raise Unavailable(f"{self.limit} calls already waiting")
        try:
            yield
        finally:
            self._slots.release()
