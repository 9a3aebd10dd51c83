"""The router's request metrics as CloudWatch Embedded Metric Format (EMF) lines, where nothing scrapes /metrics.

`init_app(app, stream)` subscribes to `metrics.Metrics.observe`, the one place a request is counted (it
feeds Prometheus too), and writes one JSON line per answered request to `stream`; CloudWatch Logs turns
the lines of a Lambda's stdout into metrics in the NAMESPACE namespace, as Powertools' Metrics does.
Per request: Requests, Latency (ms), ServerErrors (5xx) and ClientErrors (4xx), by service and by service
and route (route is the URL rule, so the dimension stays bounded). `cold_start(seconds)` makes the next
line carry ColdStart=1 and InitDuration (ms): the first request of a new process.
"""

import json
import threading
import time
from collections.abc import Callable
from typing import TextIO

from flask import Flask

from . import metrics

NAMESPACE = "thumbrouter"
SERVICE = "router"
EXTENSION = "thumbrouter.emf"
REQUEST_METRICS = [{"Name": "Requests", "Unit": "Count"}, {"Name": "Latency", "Unit": "Milliseconds"},
                   {"Name": "ServerErrors", "Unit": "Count"}, {"Name": "ClientErrors", "Unit": "Count"}]
COLD_START_METRICS = [{"Name": "ColdStart", "Unit": "Count"}, {"Name": "InitDuration", "Unit": "Milliseconds"}]


class EmfWriter:
    """Writes EMF lines to a text stream; `clock()` gives the epoch seconds stamped on each line."""

    def __init__(self, stream: TextIO, *, clock: Callable[[], float] = time.time, service: str = SERVICE):
        self.stream, self.clock, self.service = stream, clock, service
        self._init_ms: float | None = None
        self._lock = threading.Lock()

    def cold_start(self, init_seconds: float) -> None:
        """Mark the next request line as this process's first, with the init time it took."""
        self._init_ms = round(init_seconds * 1000, 3)

    def request(self, route: str, method: str, status: int, cloud: str, seconds: float) -> None:
        """One request's line (the signature of a metrics.Metrics listener)."""
        line = {"service": self.service, "route": route, "method": method, "status": status, "cloud": cloud,
                "Requests": 1, "Latency": round(seconds * 1000, 3),
                "ServerErrors": int(status >= 500), "ClientErrors": int(400 <= status < 500)}
        definitions = [{"Namespace": NAMESPACE, "Dimensions": [["service"], ["service", "route"]],
                        "Metrics": REQUEST_METRICS}]
        with self._lock:
            init_ms, self._init_ms = self._init_ms, None
            if init_ms is not None:
                line |= {"ColdStart": 1, "InitDuration": init_ms}
                definitions.append({"Namespace": NAMESPACE, "Dimensions": [["service"]],
                                    "Metrics": COLD_START_METRICS})
            line["_aws"] = {"Timestamp": int(self.clock() * 1000), "CloudWatchMetrics": definitions}
            self.stream.write(json.dumps(line, separators=(",", ":")) + "\n")
            self.stream.flush()


def init_app(app: Flask, stream: TextIO, *, clock: Callable[[], float] = time.time) -> EmfWriter:
    """Write an EMF line for every request the app answers; returns the writer (for cold_start)."""
    writer = app.extensions[EXTENSION] = EmfWriter(stream, clock=clock)
    metrics.get_metrics(app).listeners.append(writer.request)
    return writer
