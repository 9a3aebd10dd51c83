"""Windowed, bounded cache of signed URLs: one signature per request per window.

A URL for lifetime L is signed at the start of its window and expires at window end + L, so every
request inside the window gets the same URL (browser and CDN caches hit) and still has at least L
seconds left. Windows are L/10 long (capped so the signed lifetime stays within SigV4's 7 days).
"""

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from cachetools import LRUCache

MAX_SIGNED_LIFETIME = 604_800  # SigV4's X-Amz-Expires ceiling (7 days)
MAX_WINDOW = 3600
V = TypeVar("V")


@dataclass(frozen=True)
class Window:
    """When a URL is signed (`signed_at`) and when it stops working (`expires_at`), epoch seconds."""

    signed_at: int
    expires_at: int

    @property
    def lifetime(self) -> int:
        """Seconds the signature is valid for, counted from `signed_at`."""
        return self.expires_at - self.signed_at


def window_length(lifetime: int) -> int:
    """The window for a lifetime: a tenth of it, at most an hour, never past the 7-day ceiling."""
    return max(0, min(lifetime // 10, MAX_WINDOW, MAX_SIGNED_LIFETIME - lifetime))


def window_for(lifetime: int, now: float) -> Window:
    """The window containing `now` for URLs that must stay valid `lifetime` seconds."""
    length = window_length(lifetime)
    if length == 0:
        start = int(now)
        return Window(start, start + lifetime)
    start = int(now) // length * length
    return Window(start, start + length + lifetime)


class UrlCache:
    """A thread-safe LRU of signed values keyed by request, each valid for one window.

    The LRU is `cachetools.LRUCache` behind a lock (it is not thread-safe by itself); an entry from an
    earlier window is a miss and is overwritten. `maxsize=0` disables caching (every call signs).
    Signing runs outside the lock: two threads may sign the same request at once, which is harmless
    because signing a window is deterministic.
    """

    def __init__(self, maxsize: int, clock: Callable[[], float] = time.time):
        self.maxsize = maxsize
        self.clock = clock
        self.hits = 0
        self.misses = 0
        # LRUCache refuses every insert at maxsize 0, so _store is skipped then (see get_or_sign).
        self._entries: LRUCache[Hashable, tuple[Window, object]] = LRUCache(max(maxsize, 1))
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_sign(self, key: Hashable, lifetime: int, sign: Callable[[Window], V]) -> V:
        """Return the value cached for `key` in the current window, or `sign(window)` and cache it."""
        window = window_for(lifetime, self.clock())
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == window:
                self.hits += 1
                return entry[1]
            self.misses += 1
        value = sign(window)
        if self.maxsize > 0:
            self._store(key, window, value)
        return value

    def _store(self, key: Hashable, window: Window, value: object) -> None:
        with self._lock:
            self._entries[key] = (window, value)
