"""Liveness and readiness: /healthz never touches a dependency, /readyz probes S3 and GeoIP under a deadline."""

import threading

import boto3
import pytest
import requests

from tests.support.servers import S3Server
from thumbrouter.router import create_app
from thumbrouter.router.health import EXTENSION, Readiness

from .http_helpers import router_env, serve


def readiness(app) -> Readiness:
    return app.extensions[EXTENSION]


def patient_app(env: dict):
    """An app whose readiness waits long enough for a busy test machine; the deadline has its own test."""
    app = create_app(env)
    readiness(app).deadline = 10
    return app


@pytest.fixture
def own_s3():
    """A separate local S3 server with demo buckets, which this test may stop."""
    server = S3Server().start()
    client = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1")
    for bucket in ("ready", "readyresized"):
        client.create_bucket(Bucket=bucket)
    yield server
    server.stop()


def test_readiness_reports_each_check_and_is_200_when_all_pass(s3_server, buckets):
    answer = patient_app(router_env(buckets[0])).test_client().get("/readyz")
    assert answer.status_code == 200 and answer.json["status"] == "ready"
    checks = answer.json["checks"]
    assert {"config", "geoip", "s3", "s3_resized", "qiniu"} <= set(checks)
    assert all(check["ok"] for check in checks.values())


def test_a_missing_resized_bucket_makes_the_router_not_ready(s3_server, s3):
    s3.create_bucket(Bucket="lonely")
    answer = patient_app(router_env("lonely")).test_client().get("/readyz")
    assert answer.status_code == 503 and answer.json["status"] == "not_ready"
    checks = answer.json["checks"]
    assert checks["s3"]["ok"] and not checks["s3_resized"]["ok"], checks


def test_with_the_s3_server_stopped_readiness_is_503_and_liveness_stays_200(own_s3):
    app = patient_app(router_env("ready", endpoint=own_s3.url))
    readiness(app).ttl = 0  # no cached report: every probe asks S3 again
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    own_s3.stop()
    answer = client.get("/readyz")
    assert answer.status_code == 503 and not answer.json["checks"]["s3"]["ok"]
    # refused at once and reported as such, not left for the deadline to cut off
    assert "no answer within" not in answer.json["checks"]["s3"]["detail"], answer.json
    assert client.get("/healthz").status_code == 200




def test_an_s3_that_never_answers_fails_readiness_at_the_deadline_while_liveness_answers(counting_black_hole):
    url, sock = counting_black_hole
    app = create_app(router_env("ready", endpoint=url))
    readiness(app).deadline = 1.5
    with serve(app) as base:
        result = {}
        probe = threading.Thread(target=lambda: result.update(answer=requests.get(f"{base}/readyz", timeout=30)))
        probe.start()
        sock.settimeout(30)
        held = sock.accept()[0]  # the readiness probe is waiting on S3 now
        assert requests.get(f"{base}/healthz", timeout=30).json() == {"status": "ok"}
        assert probe.is_alive(), "liveness answered after readiness, not while it was waiting for S3"
        probe.join(timeout=30)
        held.close()
    assert result["answer"].status_code == 503
    # "no answer within" is written only by the deadline: S3's own read timeouts (2 s per bucket) came later.
    assert "no answer within" in result["answer"].json()["checks"]["s3"]["detail"]


def test_the_report_is_cached_for_a_few_seconds(s3_server):
    app = create_app(router_env("photos"))
    calls = []
    readiness(app).checks = []
    readiness(app).add("counted", lambda: calls.append(1))
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert len(calls) == 1
    readiness(app).ttl = 0
    client.get("/readyz")
    assert len(calls) == 2


def test_a_failing_non_critical_check_is_reported_but_keeps_the_router_ready(s3_server):
    app = create_app(router_env("photos"))
    ready = readiness(app)
    ready.checks = []

    def redis_down():
        raise ConnectionError("redis at 127.0.0.1:1 refused")

    ready.add("redis", redis_down, critical=False)
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200
    redis = answer.json["checks"]["redis"]
    assert redis == {"ok": False, "critical": False, "ms": redis["ms"],
                     "detail": "ConnectionError: redis at 127.0.0.1:1 refused"}


def test_a_failing_critical_check_added_by_a_collaborator_makes_the_router_not_ready(s3_server):
    from thumbrouter.router.health import add_check

    app = create_app(router_env("photos"))
    readiness(app).checks = []
    add_check(app, "redis", lambda: 1 / 0)
    assert app.test_client().get("/readyz").status_code == 503


def test_liveness_does_not_run_any_check(s3_server):
    app = create_app(router_env("photos"))
    calls = []
    readiness(app).add("counted", lambda: calls.append(1))
    assert app.test_client().get("/healthz").json == {"status": "ok"}
    assert calls == []
