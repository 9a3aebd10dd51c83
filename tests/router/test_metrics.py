"""Prometheus metrics: requests by route, status and cloud; latency; URL cache; signing errors.

Each request test runs twice: with every request written at once, and buffered as a gunicorn worker
(multiprocess mode) buffers them, where the scrape writes its own worker's requests first.
"""

import os
import random

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.waiting import wait_until
from thumbrouter.router import BackendUnavailable, create_app, metrics
from thumbrouter.router.metrics import BUCKETS, Metrics

from .http_helpers import AUTH, router_env


def samples(client) -> dict:
    """{(sample name, sorted label items): value} from GET /metrics."""
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True)) for s in family.samples}


def value(data: dict, name: str, **labels) -> float:
    return data.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture(params=[False, True], ids=["direct", "buffered"])
def client(s3_server, request):
    app = create_app(router_env("photos"))
    if request.param:  # what init_app builds under PROMETHEUS_MULTIPROC_DIR, on an in-memory registry
        app.extensions[metrics.EXTENSION] = Metrics(CollectorRegistry(auto_describe=True), buffered=True)
    return app.test_client()


def test_requests_are_counted_by_route_status_and_cloud(client):
    for _ in range(3):
        client.get("/v1/download-urls?key=a.jpg&cloud=s3", headers=AUTH)
    client.get("/v1/download-urls?key=a.jpg&country=CN", headers=AUTH)
    client.get("/v1/download-urls?key=", headers=AUTH)
    client.get("/v1/download-urls?key=a.jpg")
    data = samples(client)
    route = "/v1/download-urls"
    assert value(data, "thumbrouter_http_requests_total", route=route, method="GET", status="200", cloud="s3") == 3
    assert value(data, "thumbrouter_http_requests_total", route=route, method="GET", status="200", cloud="qiniu") == 1
    assert value(data, "thumbrouter_http_requests_total", route=route, method="GET", status="400", cloud="none") == 1
    assert value(data, "thumbrouter_http_requests_total", route=route, method="GET", status="401", cloud="none") == 1


def test_latency_is_a_histogram_per_route(client):
    client.get("/healthz")
    client.get("/healthz")
    data = samples(client)
    assert value(data, "thumbrouter_http_request_duration_seconds_count", route="/healthz") == 2
    assert value(data, "thumbrouter_http_request_duration_seconds_bucket", route="/healthz", le="+Inf") == 2


def test_unknown_paths_share_one_route_label(client):
    client.get("/a-path-that-does-not-exist-1")
    client.get("/another/path/2")
    data = samples(client)
    assert value(data, "thumbrouter_http_requests_total",
                 route="unmatched", method="GET", status="404", cloud="none") == 2


def test_url_cache_hits_and_misses_are_counted(client):
    for _ in range(3):
        client.get("/v1/download-urls?key=cached.jpg&cloud=s3", headers=AUTH)
    client.get("/v1/download-urls?key=other.jpg&cloud=s3", headers=AUTH)
    data = samples(client)
    assert value(data, "thumbrouter_url_cache_lookups_total", result="hit") == 2
    assert value(data, "thumbrouter_url_cache_lookups_total", result="miss") == 2


def test_signing_errors_are_counted_and_answered_as_503_json(client):
    backend = client.application.extensions["thumbrouter"].backends["s3"]

    def broken(*args, **kwargs):
        raise BackendUnavailable(log_message="no credentials")

    backend.download_urls = broken
    answer = client.get("/v1/download-urls?key=never-cached.jpg&cloud=s3", headers=AUTH)
    assert answer.status_code == 503 and answer.json["error"]["code"] == "backend_unavailable"
    assert value(samples(client), "thumbrouter_signing_errors_total", code="backend_unavailable") == 1


def test_each_app_has_its_own_registry(s3_server):
    first = create_app(router_env("photos")).test_client()
    second = create_app(router_env("photos")).test_client()
    first.get("/healthz")
    assert value(samples(second), "thumbrouter_http_requests_total",
                 route="/healthz", method="GET", status="200", cloud="none") == 0


def observations(seed: int) -> list[tuple]:
    rng = random.Random(seed)
    labels = [("/v1/download-urls", "GET", 200, "s3"), ("/thumb/<preset>/<path:key>", "GET", 302, "s3"),
              ("unmatched", "other", 404, "none")]
    latencies = [*BUCKETS, 0.0, 99.0] + [rng.choice([rng.uniform(0, 0.01), rng.uniform(0, 5)]) for _ in range(500)]
    return [(*rng.choice(labels), seconds) for seconds in latencies]


def exposition(each: Metrics) -> dict:
    """The registry's samples without the `_created` times (when a child was made; multiprocess mode has none)."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(generate_latest(each.registry).decode())
            for sample in family.samples if not sample.name.endswith("_created")}


def test_buffered_requests_are_written_as_direct_ones_would_be():
    direct, buffered = Metrics(CollectorRegistry()), Metrics(CollectorRegistry(), buffered=True)
    rng = random.Random(8)
    for number, observation in enumerate(observations(7)):
        hits = number - rng.randint(0, 3)  # out of order, as request threads may pass them: only ever forward
        for each in (direct, buffered):
            each.observe(*observation)
            each.sync_url_cache(hits, number // 3)
        if number % 97 == 0:
            buffered.flush()  # some flushed early, some only at the end
    buffered.flush()
    assert exposition(buffered) == pytest.approx(exposition(direct), rel=1e-12)  # sums added in another order
    assert buffered.registry.get_sample_value("thumbrouter_http_request_duration_seconds_bucket",
                                              {"route": "unmatched", "le": "0.0005"}) is not None


def test_the_flush_thread_writes_buffered_requests_without_a_scrape():
    buffered = Metrics(CollectorRegistry(), buffered=True)
    labels = {"route": "/healthz", "method": "GET", "status": "200", "cloud": "none"}
    assert buffered.registry.get_sample_value("thumbrouter_http_requests_total", labels) is None
    buffered.observe("/healthz", "GET", 200, "none", 0.002)  # not written here: only the thread can write it
    wait_until(lambda: buffered.registry.get_sample_value("thumbrouter_http_requests_total", labels) == 1.0,
               what="the flush thread to write the request")


def test_a_forked_child_leaves_its_parents_pending_requests_to_the_parent():
    buffered = Metrics(CollectorRegistry(), buffered=True)
    labels = {"route": "/healthz", "method": "GET", "status": "200", "cloud": "none"}
    buffered.flush()
    buffered.observe("/healthz", "GET", 200, "none", 0.002)
    child = os.fork()
    if child == 0:  # the child's flush must find nothing of the parent's to write (the parent's flush thread
        # may have written it just before the fork: then the child's copy holds it already, and still no more)
        before = buffered.registry.get_sample_value("thumbrouter_http_requests_total", labels) or 0
        buffered.flush()
        after = buffered.registry.get_sample_value("thumbrouter_http_requests_total", labels) or 0
        os._exit(int(after - before))
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    buffered.flush()
    assert buffered.registry.get_sample_value("thumbrouter_http_requests_total", labels) == 1.0
