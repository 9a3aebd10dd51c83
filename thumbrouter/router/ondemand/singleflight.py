"""Single-flight: run a piece of work once for all concurrent callers, across threads and hosts.

Two layers. In a process, callers of the same name share one Future (LocalFlight), so only one
thread per process talks to the shared store. Across processes, that thread takes a lease in the
store (locks.LockStore: Redis `SET NX PX`, or a DynamoDB conditional write), kept alive by one
watchdog thread (compare-and-extend) while the work runs, released by compare-and-delete; the
result is published under a short-lived entry that the other processes poll with backoff until
their deadline. If the holder dies its lease expires after `lock_ttl`, and the next poll of a
waiter takes it and does the work. If the store is down or slow, the local layer alone still
guarantees one run per process.

An optional `check` (is the work's result already there? /thumb's HEAD) runs in the process's leader
only, after a published result and before the lock: a burst of one name costs one check per process,
and its waiters need no place of their own on whatever the check calls.
"""

import logging
import secrets
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from .locks import LockStore, RedisLocks, StoreUnavailable
from .redisguard import RedisGuard

log = logging.getLogger(__name__)


class WaitTimeout(Exception):
    """Another caller holds the work and did not finish before this caller's deadline."""


class LocalFlight:
    """Per-process single-flight: a dict of in-flight Futures, one per name."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calls: dict[str, Future] = {}

    def run(self, name: str, fn, timeout: float, on_wait=None):
        """Return fn() or the result of the concurrent call of the same name.

        Raises what fn raised (to every caller) or WaitTimeout after `timeout` seconds of waiting.
        """
        with self._lock:
            future, leader = self._calls.get(name), False
            if future is None:
                future, leader = self._calls.setdefault(name, Future()), True
        if not leader:
            if on_wait:
                on_wait()
            try:
                return future.result(timeout)
            except FutureTimeout:
                raise WaitTimeout(name) from None
        try:
            result = fn()
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._calls.pop(name, None)


class Renewer:
    """One watchdog thread per process extending every lock this process holds (every ttl/3)."""

    def __init__(self, store: LockStore, ttl_ms: int):
        self.store, self.ttl_ms = store, ttl_ms
        self._held: dict[str, str] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, key: str, token: str) -> None:
        with self._lock:
            self._held[key] = token
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="lock-watchdog", daemon=True)
                self._thread.start()

    def drop(self, key: str) -> None:
        with self._lock:
            self._held.pop(key, None)

    def _loop(self) -> None:
        while True:
            time.sleep(self.ttl_ms / 3000)
            with self._lock:
                held = list(self._held.items())
            for name, token in held:
                try:  # a lost lock (False) only means another host may also generate: writes are idempotent
                    self.store.extend(name, token, self.ttl_ms)
                except StoreUnavailable:
                    pass


class SingleFlight:
    """Run work once across every router process sharing `store` (or once per process without one).

    `store` is a LockStore, or a RedisGuard (wrapped in RedisLocks, the gunicorn deployment's store).
    """

    def __init__(self, store: LockStore | RedisGuard | None, *, lock_ttl: float = 8.0, wait: float = 10.0,
                 result_ttl: float = 15.0, on_wait=None):
        self.store: LockStore | None = RedisLocks(store) if isinstance(store, RedisGuard) else store
        self.wait, self.on_wait = wait, on_wait
        self.lock_ttl_ms, self.result_ttl_ms = int(lock_ttl * 1000), int(result_ttl * 1000)
        self.local = LocalFlight()
        self.renewer = Renewer(self.store, self.lock_ttl_ms) if self.store else None

    def run(self, name: str, fn, check=None) -> dict:
        """Return fn() (a JSON-able dict) computed once for all concurrent callers of `name`.

        `check()` returns a result that makes fn unnecessary, or None; it runs at most once per process
        and burst, before fn. Raises what fn or check raised, or WaitTimeout when the holder did not
        finish before the deadline.
        """
        deadline = time.monotonic() + self.wait
        return self.local.run(name, lambda: self._shared(name, fn, check, deadline), self.wait, self.on_wait)

    def _shared(self, name: str, fn, check, deadline: float) -> dict:
        if self.store is None:
            return _checked(check, fn)
        delay, waited = 0.01, False
        while True:
            try:
                if (published := self.store.published(name)) is not None:
                    return published
                if check is not None:  # after a published result (no call at all), before the lock (no hold)
                    if (found := check()) is not None:
                        return found
                    check = None
                token = secrets.token_hex(16)
                if self.store.acquire(name, token, self.lock_ttl_ms):
                    # A holder may have published and released between our look and our acquire.
                    if (published := self.store.published(name)) is not None:
                        self._quietly(self.store.release, name, token)
                        return published
                    return self._lead(name, token, fn)
            except StoreUnavailable:
                return _checked(check, fn)  # degraded: this process's LocalFlight is the only guard left
            if time.monotonic() + delay > deadline:
                raise WaitTimeout(name)
            if not waited and self.on_wait:
                waited = True
                self.on_wait()
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def _lead(self, name: str, token: str, fn) -> dict:
        assert self.store is not None and self.renewer is not None, "only _shared leads, and only with a store"
        self.renewer.hold(name, token)
        try:
            result = fn()
            self._quietly(self.store.publish, name, result, self.result_ttl_ms)
            return result
        finally:
            self.renewer.drop(name)
            self._quietly(self.store.release, name, token)

    @staticmethod
    def _quietly(operation, *args) -> None:
        try:
            operation(*args)
        except StoreUnavailable:
            pass  # the lease then expires by itself; waiters fall back to HEAD or their own run


def _checked(check, fn) -> dict:
    """check()'s result when it has one, else fn()."""
    found = check() if check is not None else None
    return found if found is not None else fn()
