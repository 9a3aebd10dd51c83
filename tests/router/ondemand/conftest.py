"""Fixtures shared by the /thumb tests."""

import queue
import threading

import pytest

from thumbrouter import imagecore


@pytest.fixture
def decodes(monkeypatch):
    """Record the output format of every thumbnail the generation job makes; each call is held at `gate`
    while it is clear. `entered` gets one item per call as it starts, for tests to wait on."""
    calls, gate, real = [], threading.Event(), imagecore.make_thumbnail  # the job calls it through the package
    entered: queue.Queue = queue.Queue()
    gate.set()

    def counting(*args, **kwargs):
        calls.append(kwargs.get("output_format"))
        entered.put(kwargs.get("output_format"))
        gate.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(imagecore, "make_thumbnail", counting)
    counting.calls, counting.gate, counting.entered = calls, gate, entered
    return counting
