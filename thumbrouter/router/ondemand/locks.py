"""The shared store behind cross-process single-flight: a lease per name and a published outcome.

SingleFlight needs five operations, each bounded by a short timeout and a breaker, each raising
StoreUnavailable instead of waiting: read a published outcome, take a lease if nobody holds a live
one, extend our own lease, publish an outcome for late waiters, release our own lease. Redis
(`RedisLocks`, the gunicorn deployment's choice) and DynamoDB (`dynamolocks.DynamoLocks`, for a
router without a VPC) implement them.
"""

import json
from typing import Protocol

from .redisguard import RedisGuard, RedisUnavailable

EXTEND = """if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"""
RELEASE = """if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1]) else return 0 end"""


class StoreUnavailable(Exception):
    """The shared store is down, slow or its breaker is open: callers fall back to per-process behaviour."""


class LockStore(Protocol):
    def published(self, name: str) -> dict | None: ...
    def acquire(self, name: str, token: str, ttl_ms: int) -> bool: ...
    def extend(self, name: str, token: str, ttl_ms: int) -> bool: ...
    def publish(self, name: str, outcome: dict, ttl_ms: int) -> None: ...
    def release(self, name: str, token: str) -> None: ...
    def status(self) -> str: ...


class RedisLocks:
    """SET NX PX for the lease, compare-and-extend / compare-and-delete scripts, a JSON outcome key."""

    def __init__(self, guard: RedisGuard, prefix: str = "thumbrouter:sf:"):
        self.guard, self.prefix = guard, prefix

    def _call(self, method: str, *args, **kwargs):
        try:
            return self.guard.call(method, *args, **kwargs)
        except RedisUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc

    def published(self, name: str) -> dict | None:
        found = self._call("get", f"{self.prefix}done:{name}")
        return None if found is None else json.loads(found)

    def acquire(self, name: str, token: str, ttl_ms: int) -> bool:
        return bool(self._call("set", f"{self.prefix}lock:{name}", token, nx=True, px=ttl_ms))

    def extend(self, name: str, token: str, ttl_ms: int) -> bool:
        return bool(self._call("eval", EXTEND, 1, f"{self.prefix}lock:{name}", token, ttl_ms))

    def publish(self, name: str, outcome: dict, ttl_ms: int) -> None:
        self._call("set", f"{self.prefix}done:{name}", json.dumps(outcome), px=ttl_ms)

    def release(self, name: str, token: str) -> None:
        self._call("eval", RELEASE, 1, f"{self.prefix}lock:{name}", token)

    def status(self) -> str:
        return self.guard.status()
