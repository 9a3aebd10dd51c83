"""Prometheus collectors of the on-demand path, registered in the app's own registry (router.metrics).

Kept here rather than in router.metrics so the on-demand package stays one self-contained unit; they
appear on the same /metrics page (and are summed across gunicorn workers the same way).
"""

from prometheus_client import CollectorRegistry, Counter


class OnDemandMetrics:
    """Generations by backend and outcome, requests that waited for another's generation, 503s."""

    def __init__(self, registry: CollectorRegistry | None):
        self.generations = Counter("thumbrouter_ondemand_generations", "On-demand thumbnail generations run.",
                                   ["backend", "outcome"], registry=registry)
        self.lock_waits = Counter("thumbrouter_ondemand_lock_waits",
                                  "Requests that waited for a generation run by another request.", registry=registry)
        self.rejections = Counter("thumbrouter_ondemand_rejections",
                                  "On-demand requests answered 503 at once (pool full, wait deadline).",
                                  ["reason"], registry=registry)
