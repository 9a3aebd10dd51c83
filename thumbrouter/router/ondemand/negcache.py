"""Negative cache: remember for a short time that an image cannot be thumbnailed (a poison image).

Without it every request for a corrupt upload would download and decode it again. Entries live in
Redis (shared by all routers) and in a bounded per-process dict (used alone while Redis is down).
"""

import threading
import time

from cachetools import TTLCache

from .redisguard import RedisGuard, RedisUnavailable


class LocalTtl:
    """A bounded, thread-safe per-process map whose entries expire `ttl` seconds after they are put.

    `cachetools.TTLCache` behind a lock (cachetools is not thread-safe); when full it drops the least
    recently used entry. `maxsize <= 0` keeps nothing (TTLCache would refuse every insert).
    """

    def __init__(self, ttl: float, maxsize: int = 10_000, clock=time.monotonic):
        self.ttl, self.maxsize = ttl, maxsize
        self._entries: TTLCache = TTLCache(max(maxsize, 1), ttl, timer=clock)
        self._lock = threading.Lock()

    def get(self, name: str) -> str | None:
        with self._lock:
            return self._entries.get(name)

    def put(self, name: str, value: str) -> None:
        if self.maxsize <= 0:
            return
        with self._lock:
            self._entries[name] = value


class NegativeCache:
    """name -> reason for `ttl` seconds; at most `max_local` entries per process (oldest dropped)."""

    def __init__(self, guard: RedisGuard | None, *, ttl: float = 60.0, max_local: int = 10_000,
                 prefix: str = "thumbrouter:neg:", clock=time.monotonic):
        self.guard, self.ttl, self.prefix = guard, ttl, prefix
        self._local = LocalTtl(ttl, max_local, clock)

    def get(self, name: str) -> str | None:
        """The remembered reason, or None; a Redis failure counts as a miss (never an error)."""
        if (reason := self._local.get(name)) is not None:
            return reason
        try:
            found = self.guard.call("get", self.prefix + name) if self.guard else None
        except RedisUnavailable:
            return None
        return found.decode() if found is not None else None

    def put(self, name: str, reason: str) -> None:
        """Remember name as failing for `ttl` seconds, here and (when reachable) in Redis."""
        self._local.put(name, reason)
        if self.guard:
            try:
                self.guard.call("set", self.prefix + name, reason, px=int(self.ttl * 1000))
            except RedisUnavailable:
                pass
