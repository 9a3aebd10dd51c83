"""Prometheus metrics at GET /metrics: requests by route, status and cloud, latency, URL cache, signing errors.

Each app owns its CollectorRegistry, so tests can build many apps in one process. Under gunicorn every
worker is its own process: gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR before any worker imports
prometheus_client, values then live in per-process files in that directory, and /metrics (served by
whichever worker takes the scrape) sums all workers through MultiProcessCollector. Without that
variable (tests, `thumbrouter dev`) the app's own registry is served: correct for a single process.

In multiprocess mode every increment is a locked write to the worker's file, and the three of a request
(count, latency sum, latency bucket) plus the URL cache's took about 9 us of a cached GET's 75 in one
process. So there a worker adds a request to plain per-label sums (`buffered`) and one thread per
process writes them out every FLUSH_SECONDS, at exit, and before this worker serves /metrics itself: a
scrape sees other workers' requests at most FLUSH_SECONDS late. Without the variable every request is
written at once, as the Lambda's EMF listener and the tests see it.
"""

import atexit
import bisect
import os
import threading
import time
import weakref
from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

EXTENSION = "thumbrouter.metrics"
STARTED = "thumbrouter.started"  # environ key
ROUTE = "thumbrouter.route"  # environ key: the matched URL rule, which the access log shows instead of the path
# Latency buckets sized for a signing service: most answers take well under 10 ms.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
FLUSH_SECONDS = 1.0  # how late a buffered worker's requests reach the shared files at most

bp = Blueprint("metrics", __name__)


class Metrics:
    """The router's collectors, registered in one registry."""

    def __init__(self, registry: CollectorRegistry, *, buffered: bool = False):
        self.registry, self.buffered = registry, buffered
        self.requests = Counter("thumbrouter_http_requests", "HTTP requests answered.",
                                ["route", "method", "status", "cloud"], registry=registry)
        self.latency = Histogram("thumbrouter_http_request_duration_seconds", "Time to answer, by route.",
                                 ["route"], buckets=BUCKETS, registry=registry)
        self.url_cache = Counter("thumbrouter_url_cache_lookups", "Signed-URL cache lookups by result.",
                                 ["result"], registry=registry)
        self.signing_errors = Counter("thumbrouter_signing_errors", "Failures while signing URLs or upload targets.",
                                      ["code"], registry=registry)
        self._cache_hit, self._cache_miss = self.url_cache.labels("hit"), self.url_cache.labels("miss")
        # Other sinks of the same observations (router.emf on Lambda): called after the collectors, in order.
        self.listeners: list[Callable[[str, str, int, str, float], None]] = []
        self._children: dict[tuple, tuple] = {}  # labels() validates and locks on every call; reuse children
        self._cache_seen = (0, 0)
        self._cache_lock = threading.Lock()
        # buffered: label key -> [requests, latency sum, one count per latency bucket and +Inf], and the URL
        # cache's newest (hits, misses); bounded as the label values are.
        self._pending: dict[tuple, list] = {}
        self._pending_cache: tuple[int, int] | None = None
        self._pending_lock = threading.Lock()
        if buffered:
            _FLUSHER.add(self)

    def _children_of(self, key: tuple) -> tuple:
        children = self._children.get(key)
        if children is None:  # label values are bounded (URL rules, methods, statuses, clouds)
            route, method, status, cloud = key
            children = self._children.setdefault(
                key, (self.requests.labels(route, method, str(status), cloud), self.latency.labels(route)))
        return children

    def observe(self, route: str, method: str, status: int, cloud: str, seconds: float) -> None:
        """Count one answered request and its latency."""
        key = (route, method, status, cloud)
        if self.buffered:
            with self._pending_lock:
                sums = self._pending.get(key)
                if sums is None:
                    sums = self._pending[key] = [0, 0.0, [0] * (len(BUCKETS) + 1)]
                sums[0] += 1
                sums[1] += seconds
                sums[2][bisect.bisect_left(BUCKETS, seconds)] += 1  # the first bucket with seconds <= bound
        else:
            children = self._children_of(key)
            children[0].inc()
            children[1].observe(seconds)
        for listener in self.listeners:
            listener(route, method, status, cloud, seconds)

    def flush(self) -> None:
        """Write the buffered requests and URL cache lookups to the collectors (a no-op when unbuffered)."""
        with self._pending_lock:
            pending, self._pending = self._pending, {}
            cache, self._pending_cache = self._pending_cache, None
        for key, (count, total, buckets) in pending.items():
            counter, histogram = self._children_of(key)
            counter.inc(count)
            # What Histogram.observe does for each observation, once per bucket: prometheus_client's child
            # keeps one value per bucket (cumulated on exposition) and one for the sum.
            histogram._sum.inc(total)
            for index, n in enumerate(buckets):
                if n:
                    histogram._buckets[index].inc(n)
        if cache is not None:
            self._add_url_cache(*cache)

    def sync_url_cache(self, hits: int, misses: int) -> None:
        """Add the cache's hits and misses since the last call (the cache keeps plain ints, cheap to read)."""
        if self.buffered:  # the largest snapshot seen: flush moves the counters forward to it
            with self._pending_lock:
                seen = self._pending_cache or (0, 0)
                self._pending_cache = (max(hits, seen[0]), max(misses, seen[1]))
            return
        self._add_url_cache(hits, misses)

    def _add_url_cache(self, hits: int, misses: int) -> None:
        with self._cache_lock:  # threads may pass snapshots out of order: only ever move forward
            seen_hits, seen_misses = self._cache_seen
            self._cache_seen = (max(hits, seen_hits), max(misses, seen_misses))
        if hits > seen_hits:
            self._cache_hit.inc(hits - seen_hits)
        if misses > seen_misses:
            self._cache_miss.inc(misses - seen_misses)


class _Flusher:
    """One daemon thread per process flushing every buffered Metrics each FLUSH_SECONDS (weakly held)."""

    def __init__(self) -> None:
        self._metrics: weakref.WeakSet[Metrics] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._running = False

    def add(self, metrics: Metrics) -> None:
        with self._lock:
            self._metrics.add(metrics)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="thumbrouter-metrics-flush", daemon=True).start()

    def after_fork(self) -> None:
        """In a forked child: the parent's pending sums are the parent's to write; start this process's thread."""
        self._lock, self._running = threading.Lock(), False
        for metrics in list(self._metrics):
            metrics._pending_lock = threading.Lock()  # another thread of the parent may have held it
            metrics._pending, metrics._pending_cache = {}, None
            self.add(metrics)

    def _run(self) -> None:
        tick = threading.Event()
        while not tick.wait(FLUSH_SECONDS):
            self.flush_all()

    def flush_all(self) -> None:
        for metrics in list(self._metrics):
            metrics.flush()


_FLUSHER = _Flusher()
atexit.register(_FLUSHER.flush_all)  # a worker's last second of requests is not lost when it stops
os.register_at_fork(after_in_child=_FLUSHER.after_fork)


def init_app(app: Flask) -> Metrics:
    """Create the app's registry and collectors, time every request, and serve /metrics."""
    metrics = Metrics(CollectorRegistry(auto_describe=True), buffered=bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR")))
    app.extensions[EXTENSION] = metrics
    app.wsgi_app = _Timer(app.wsgi_app)  # type: ignore[method-assign]  # Flask's documented WSGI middleware hook
    app.after_request(record_response)
    app.register_blueprint(bp)
    return metrics


def get_metrics(app: Flask | None = None) -> Metrics:
    """The app's Metrics (the current app's by default), for collaborators that count their own events."""
    return (app or current_app).extensions[EXTENSION]


class _Timer:
    """WSGI wrapper stamping the start time into the environ (cheaper than a Flask before_request hook)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ[STARTED] = time.perf_counter()
        return self.wsgi_app(environ, start_response)


def record_response(response: Response) -> Response:
    """after_request hook: `record` for a response Flask made."""
    # Each flask proxy access costs a context lookup; resolve them once on this per-request path.
    # Flask types its LocalProxy globals as the objects they proxy, so mypy cannot see _get_current_object.
    req = request._get_current_object()  # type: ignore[attr-defined]
    # The URL rule, not the path, keeps label values bounded whatever clients send.
    route = req.url_rule.rule if req.url_rule is not None else "unmatched"
    record(current_app._get_current_object(), req.environ, route, response.status_code,  # type: ignore[attr-defined]
           g._get_current_object().get("cloud"))
    return response


def record(app: Flask, environ: dict, route: str, status: int, cloud: str | None) -> None:
    """Count one answered request of the app (Flask's after_request hook and router.fastpath call it).

    `route` is the matched URL rule (the access log shows it, from the environ); `cloud` is set by the
    API's views (None for other requests).
    """
    started = environ.get(STARTED)
    if started is None:
        return
    environ[ROUTE] = route
    method = environ.get("REQUEST_METHOD", "GET").upper()  # as Werkzeug's Request.method reads it
    metrics = app.extensions[EXTENSION]
    metrics.observe(route, method if method in METHODS else "other",  # clients may send any token
                    status, cloud or "none", time.perf_counter() - started)
    if cloud is not None:  # an API request: it may have used the URL cache
        cache = app.extensions["thumbrouter"].cache
        metrics.sync_url_cache(cache.hits, cache.misses)


def exposition() -> bytes:
    """The Prometheus text for this process, or for all gunicorn workers in multiprocess mode."""
    get_metrics().flush()  # this worker's own requests, up to now
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(get_metrics().registry)


@bp.get("/metrics")
def metrics_view():
    return Response(exposition(), content_type=CONTENT_TYPE_LATEST)
