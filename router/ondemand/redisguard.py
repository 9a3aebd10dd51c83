"""Redis behind short timeouts and a circuit breaker, so a dead or slow Redis costs milliseconds.

Every call either answers within the socket timeout or raises RedisUnavailable. After a failure
the breaker stays open for `cooldown` seconds (calls fail at once, no network), then lets one call
through as a probe; the first success closes it, so the router recovers by itself.
"""

import logging
import threading
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

SOCKET_TIMEOUT = 0.3  # seconds; a healthy loopback or in-VPC Redis answers in well under 1 ms


class RedisUnavailable(Exception):
    """Redis is down, slow or the breaker is open: callers fall back to per-process behaviour."""


def make_client(url: str, timeout: float = SOCKET_TIMEOUT) -> redis.Redis:
    """A Redis client with short connect/read timeouts, no retries and a bounded connection pool."""
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False, max_connections=64, health_check_interval=0,
    )


class Breaker:
    """Open after a failure, half-open (one probe) after `cooldown` seconds, closed on success."""

    def __init__(self, cooldown: float = 1.0, clock=time.monotonic):
        self.cooldown, self._clock = cooldown, clock
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self._retry_at = 0.0

    def allow(self) -> bool:
        """True when a call may go to Redis (closed, or the one probe of this cooldown period)."""
        with self._lock:
            if self._failed_at is None:
                return True
            now = self._clock()
            if now < self._retry_at:
                return False
            self._retry_at = now + self.cooldown  # the others keep failing fast meanwhile
            return True

    def record(self, ok: bool) -> None:
        """Close the breaker on success; (re)open it on failure."""
        with self._lock:
            if ok:
                self._failed_at = None
            else:
                self._failed_at = self._clock()
                self._retry_at = self._failed_at + self.cooldown

    @property
    def is_open(self) -> bool:
        return self._failed_at is not None


class RedisGuard:
    """Run Redis commands through the breaker; every failure becomes RedisUnavailable."""

    def __init__(self, client: redis.Redis, breaker: Breaker | None = None):
        self.client = client
        self.breaker = breaker or Breaker()

    @classmethod
    def from_url(cls, url: str, *, timeout: float = SOCKET_TIMEOUT, cooldown: float = 1.0) -> "RedisGuard":
        return cls(make_client(url, timeout), Breaker(cooldown))

    def call(self, method: str, *args, **kwargs):
        """`client.<method>(*args, **kwargs)`; raises RedisUnavailable on error, timeout or open breaker."""
        if not self.breaker.allow():
            raise RedisUnavailable("circuit open")
        try:
            result = getattr(self.client, method)(*args, **kwargs)
        except redis.RedisError as exc:
            self._failed(exc)
            raise RedisUnavailable(type(exc).__name__) from exc
        self.breaker.record(True)
        return result

    def status(self) -> str:
        """"ok" or "degraded" for readiness; pings Redis unless the breaker is open."""
        try:
            self.call("ping")
            return "ok"
        except RedisUnavailable:
            return "degraded"

    def _failed(self, exc: Exception) -> None:
        if not self.breaker.is_open:
            log.warning("redis unavailable, degrading to per-process single-flight: %s", type(exc).__name__)
        self.breaker.record(False)
