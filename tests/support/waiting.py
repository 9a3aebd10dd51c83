"""Waiting in tests on a condition or a count of events, never on a fixed sleep.

`wait_until` is the one polling loop the suite has (start-up of a server a test launched, a file that
appears, a metric that is reached); its bounds are generous because they only cut off a hung test,
they are not what the test asserts. `Arrivals` counts calls of a hook (SingleFlight's `on_wait`) and
lets a test hold work open until every caller it started is waiting.
"""

import threading
import time
from collections.abc import Callable

GENEROUS = 60.0  # seconds; a busy machine may be slow, a hung test must still end


def wait_until(condition: Callable[[], object], timeout: float = GENEROUS, what: str = "condition",
               pause: float = 0.05) -> None:
    """Return once condition() is truthy (checked every `pause` s); TimeoutError after `timeout` seconds."""
    deadline, waiter = time.monotonic() + timeout, threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} still false after {timeout}s")
        waiter.wait(pause)


class Arrivals:
    """A callable that counts its calls; `reached(n)` blocks until n calls have happened."""

    def __init__(self) -> None:
        self.count = 0
        self._changed = threading.Condition()

    def __call__(self) -> None:
        with self._changed:
            self.count += 1
            self._changed.notify_all()

    def reached(self, n: int, timeout: float = GENEROUS) -> bool:
        """True once `n` calls have happened, False if `timeout` seconds pass first."""
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= n, timeout)
