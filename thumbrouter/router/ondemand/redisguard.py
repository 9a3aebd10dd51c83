"""Redis behind short timeouts and a circuit breaker, so a dead or slow Redis costs milliseconds.

Every call either answers within the socket timeout or raises RedisUnavailable. After a failure
the breaker (router.breaker, shared with S3) stays open for `cooldown` seconds (calls fail at once,
no network), then lets one call through as a probe; the first success closes it, so the router
recovers by itself.
"""

import logging

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ..breaker import Breaker  # the breaker S3 on the request path uses too
from ..config import DEFAULT_REDIS_TIMEOUT_MS

log = logging.getLogger(__name__)

SOCKET_TIMEOUT = DEFAULT_REDIS_TIMEOUT_MS / 1000  # seconds (THUMBROUTER_REDIS_TIMEOUT_MS sets the router's)


class RedisUnavailable(Exception):
    """Redis is down, slow or the breaker is open: callers fall back to per-process behaviour."""


def make_client(url: str, timeout: float = SOCKET_TIMEOUT) -> redis.Redis:
    """A Redis client with short connect/read timeouts, no retries and a bounded connection pool."""
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False, max_connections=64, health_check_interval=0,
    )


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
