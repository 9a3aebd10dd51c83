"""A small thread-safe LRU cache keyed by a hash of its key bytes and bounded by bytes, not entries.

functools.lru_cache keyed by raw ICC profiles kept every profile alive: 64 distinct 16 MB
profiles grew one process by 1 GB for good. Here the key is a SHA-256 digest and each entry is
charged what it holds; the least recently used entries go once the total passes max_bytes.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable


class ByteBoundedCache:
    """get_or_make(data, tag, make, cost): the cached make(), keyed by (SHA-256 of data, tag), charged `cost` bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.total = 0
        self._entries: OrderedDict[bytes, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, data: bytes, tag: str, make: Callable[[], object], cost: int):
        digest = hashlib.sha256(data).digest() + tag.encode()
        with self._lock:
            if digest in self._entries:
                self._entries.move_to_end(digest)
                return self._entries[digest][0]
        value = make()  # outside the lock: two threads may both build it; the result is the same
        cost += len(digest)
        if cost <= self.max_bytes:
            with self._lock:
                if digest not in self._entries:
                    self._entries[digest] = (value, cost)
                    self.total += cost
                while self.total > self.max_bytes:
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self.total -= dropped
        return value

    def __len__(self) -> int:
        return len(self._entries)
