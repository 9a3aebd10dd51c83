"""Prometheus metrics: requests by route, status and cloud; latency; URL cache; signing errors."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from thumbrouter.router import BackendUnavailable, create_app

from .http_helpers import AUTH, router_env


def samples(client) -> dict:
    """{(sample name, sorted label items): value} from GET /metrics."""
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True)) for s in family.samples}


def value(data: dict, name: str, **labels) -> float:
    return data.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def client(s3_server):
    return create_app(router_env("photos")).test_client()


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
