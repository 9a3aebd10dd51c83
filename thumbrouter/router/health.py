"""Liveness (GET /healthz) and readiness (GET /readyz) with a pluggable list of checks.

/healthz never touches a dependency: it proves the worker answers, nothing more, so a slow S3 or Redis
never gets a healthy process restarted. /readyz runs every registered check concurrently under one
deadline, caches the answer for a few seconds (load balancers poll often; S3 should not pay for it),
and answers 503 when a critical check fails or does not finish in time.

Collaborators add checks with `add_check(app, name, fn, critical=True)`; `fn()` returns a short detail
string (or None) and raises on failure, or returns a group `{name: {"ok": bool, "detail": str}}` (the
storage backends' probes), which the report shows piece by piece.
"""

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass

from flask import Blueprint, Flask, current_app, jsonify

EXTENSION = "thumbrouter.readiness"
CACHE_SECONDS = 3.0
DEADLINE_SECONDS = 2.5  # above the S3 probe's 1 s connect + 1 s read, below a load balancer's usual 5 s

bp = Blueprint("health", __name__)


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome as shown in /readyz."""

    ok: bool
    critical: bool
    detail: str
    ms: float


@dataclass(frozen=True)
class Check:
    name: str
    fn: Callable[[], str | Mapping | None]
    critical: bool = True


class Readiness:
    """Registered checks, run concurrently under a deadline; the last report is reused for `ttl` seconds."""

    def __init__(self, ttl: float = CACHE_SECONDS, deadline: float = DEADLINE_SECONDS):
        self.ttl, self.deadline = ttl, deadline
        self.checks: list[Check] = []
        self._lock = threading.Lock()
        self._cached: tuple[float, bool, dict] | None = None
        self._pool: ThreadPoolExecutor | None = None

    def add(self, name: str, fn: Callable[[], str | None], critical: bool = True) -> None:
        """Register a check; a later check with the same name replaces the earlier one."""
        self.checks = [c for c in self.checks if c.name != name] + [Check(name, fn, critical)]

    def report(self) -> tuple[bool, dict[str, CheckResult]]:
        """(ready, results) from the cache, or from a fresh run when the cache is stale."""
        with self._lock:  # one run at a time: concurrent probes wait for it instead of piling onto S3
            now = time.monotonic()
            if self._cached is None or now - self._cached[0] >= self.ttl:
                self._cached = (time.monotonic(), *self._run())
            return self._cached[1], self._cached[2]

    def _run(self) -> tuple[bool, dict[str, CheckResult]]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readyz")
        started = time.perf_counter()
        futures = {check: self._pool.submit(_timed, check) for check in self.checks}
        wait(futures.values(), timeout=self.deadline)
        results = {}
        for check, future in futures.items():
            results.update(_results(check, future, started))
        ready = all(r.ok for r in results.values() if r.critical)
        return ready, results


def _timed(check: Check) -> dict[str, CheckResult]:
    started = time.perf_counter()
    try:
        outcome, ok = check.fn() or "ok", True
    except Exception as exc:  # noqa: BLE001 -- a check's failure (any type) is data for the report, not a crash
        outcome, ok = f"{type(exc).__name__}: {exc}"[:300], False
    ms = round((time.perf_counter() - started) * 1000, 1)
    if isinstance(outcome, Mapping):
        return {name: CheckResult(bool(piece.get("ok")), check.critical, str(piece.get("detail", "")), ms)
                for name, piece in outcome.items()}
    return {check.name: CheckResult(ok, check.critical, str(outcome), ms)}


def _results(check: Check, future, started: float) -> dict[str, CheckResult]:
    if future.done():
        return future.result()
    # The thread keeps running until its own socket timeout; the report does not wait for it.
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return {check.name: CheckResult(False, check.critical, f"no answer within {elapsed} ms", elapsed)}


def init_app(app: Flask, readiness: Readiness | None = None) -> Readiness:
    """Attach a Readiness registry and the two endpoints to the app."""
    readiness = readiness or Readiness()
    app.extensions[EXTENSION] = readiness
    app.register_blueprint(bp)
    return readiness


def add_check(app: Flask, name: str, fn: Callable[[], str | None], critical: bool = True) -> None:
    """Register a readiness check on `app` (e.g. the on-demand Redis ping)."""
    app.extensions[EXTENSION].add(name, fn, critical)


def add_router_checks(readiness: Readiness, router) -> None:
    """The Router's readiness pieces, one check per backend so slow probes run side by side."""
    settings = router.settings
    readiness.add("config", lambda: f"clouds: {', '.join(settings.clouds)}")
    readiness.add("geoip", lambda: router.geoip.warm() or f"{router.geoip.name} loaded")
    for cloud, backend in router.backends.items():
        readiness.add(cloud, backend.checks)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    ready, results = current_app.extensions[EXTENSION].report()
    body = {"status": "ready" if ready else "not_ready", "checks": {n: asdict(r) for n, r in results.items()}}
    return jsonify(body), 200 if ready else 503
