"""The app factory and the production server: settings, start-up refusals, JSON errors, gunicorn."""

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.servers import free_port, wait_for_port
from tests.support.waiting import wait_until
from thumbrouter.router import ConfigError, Settings, create_app, load_settings
from thumbrouter.router.app import BLUEPRINTS, check_bind

from .http_helpers import AUTH, TOKEN, router_env, serve

ROOT = Path(__file__).resolve().parents[2]


def test_create_app_reads_thumbrouter_variables_from_the_environment(s3_server, monkeypatch):
    for name, value in router_env("from-env").items():
        monkeypatch.setenv(name, value)
    app = create_app()
    assert app.extensions["thumbrouter.settings"].s3_bucket == "from-env"


def test_create_app_accepts_ready_made_settings(s3_server):
    settings = load_settings(router_env("ready-made"))
    assert create_app(settings).extensions["thumbrouter.settings"] is settings


@pytest.mark.parametrize("name, value", [("TRUSTED_PROXIES", "two"), ("S3_BUCKET", "Bad_Bucket"),
                                         ("DEFAULT_CLOUD", "azure"), ("COUNTRY_HEADER", "bad header")])
def test_a_wrong_setting_stops_start_up_naming_the_variable(s3_server, name, value):
    with pytest.raises(ConfigError, match=f"THUMBROUTER_{name}"):
        create_app(router_env(**{name: value}))


def test_short_api_tokens_are_refused_at_start_up(s3_server):
    with pytest.raises(ConfigError, match="THUMBROUTER_API_TOKENS"):
        create_app(router_env(API_TOKENS="short"))


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com", "::", "[::]", "127.0.0.1.nip.io",
                                  "127.evil.example", "localhost.evil.example", "::ffff:8.8.8.8", "fd://3", ""])
def test_an_anonymous_router_refuses_to_bind_beyond_loopback(host):
    settings = Settings(s3_bucket="demo", allow_anonymous=True)
    with pytest.raises(ConfigError, match="loopback"):
        check_bind(settings, host)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LocalHost", "::1", "[::1]", "127.0.0.2",
                                  "::ffff:127.0.0.1", "unix:/run/thumbrouter.sock"])
def test_an_anonymous_router_may_bind_loopback(host):
    check_bind(Settings(s3_bucket="demo", allow_anonymous=True), host)


def test_a_router_with_tokens_may_bind_anywhere():
    check_bind(Settings(s3_bucket="demo", api_tokens=(TOKEN,)), "0.0.0.0")


def test_an_unexpected_error_is_a_500_json_without_details(s3_server):
    app = create_app(router_env())

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    answer = app.test_client().get("/boom")
    assert answer.status_code == 500
    assert answer.json == {"error": {"code": "internal_error", "message": "internal error"}}


def test_the_api_blueprint_is_in_the_registration_list(s3_server):
    app = create_app(router_env())
    assert all(bp.name in app.blueprints for bp in BLUEPRINTS)
    assert {"api", "health", "metrics"} <= set(app.blueprints)


# --- the production server: gunicorn with router/gunicorn.conf.py over real HTTP

def gunicorn(env: dict, bind: str) -> subprocess.Popen:
    full_env = {**os.environ, **env, "GUNICORN_BIND": bind, "WEB_CONCURRENCY": "2", "GUNICORN_LOGLEVEL": "warning"}
    full_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "gunicorn", "-c", "router/gunicorn.conf.py", "thumbrouter.router:create_app()"]
    return subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until_up(proc: subprocess.Popen, base: str) -> None:
    """Return once gunicorn listens and a worker answers; fails with its stderr if it exited instead."""
    try:
        wait_for_port(int(base.rsplit(":", 1)[1]), process=proc)
    except RuntimeError:
        raise AssertionError(proc.stderr.read()) from None
    requests.get(f"{base}/healthz", timeout=60).raise_for_status()  # the workers may still be importing


@pytest.mark.slow
def test_gunicorn_serves_the_app_with_a_json_access_log_and_metrics_summed_over_workers(s3_server):
    port = free_port()
    proc = gunicorn(router_env(), f"127.0.0.1:{port}")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, base)
        for i in range(40):  # 40 requests on fresh connections spread over both workers
            answer = requests.get(f"{base}/v1/download-urls", params={"key": f"k{i}.jpg", "cloud": "s3"},
                                  headers=AUTH, timeout=20)
            assert answer.status_code == 200

        def counted() -> float:
            text = requests.get(f"{base}/metrics", timeout=20).text
            return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
                       if s.name == "thumbrouter_http_requests_total" and s.labels.get("status") == "200"
                       and s.labels.get("route") == "/v1/download-urls")

        # The worker that answers the scrape writes its own requests first; the other's follow within
        # metrics.FLUSH_SECONDS (and never more: a second look must not find more than 40).
        wait_until(lambda: counted() >= 40, what="both workers' requests in /metrics")
        assert counted() == 40
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    api_lines = [line for line in lines if line["route"] == "/v1/download-urls"]
    assert len(api_lines) == 40 and api_lines[0]["status"] == 200
    assert not any(TOKEN in line for line in out.splitlines()), "the access log must not contain tokens"


@pytest.mark.slow
def test_gunicorn_refuses_an_anonymous_router_on_a_public_address(s3_server):
    env = router_env(ALLOW_ANONYMOUS="1")
    del env["THUMBROUTER_API_TOKENS"]
    proc = gunicorn(env, "192.0.2.10:8080")  # TEST-NET: never bound, the check runs before any socket
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert "loopback" in err


def load_gunicorn_config(monkeypatch, **env) -> dict:
    for name in ("GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "PROMETHEUS_MULTIPROC_DIR",
                 "THUMBROUTER_S3_MAX_INFLIGHT"):
        monkeypatch.setenv(name, "")  # recorded, so the config's own os.environ writes are undone after the test
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace: dict = {}
    exec(compile((ROOT / "router" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    namespace["on_exit"](None)  # remove the metrics directory it made
    return namespace


def test_the_gunicorn_config_binds_loopback_and_sizes_workers_from_cpus(monkeypatch):
    config = load_gunicorn_config(monkeypatch)
    assert config["bind"] == ["127.0.0.1:8080"]
    assert config["workers"] == os.cpu_count()
    assert config["graceful_timeout"] < config["timeout"] and config["max_requests_jitter"] > 0
    assert load_gunicorn_config(monkeypatch, GUNICORN_BIND="127.0.0.1:9000", WEB_CONCURRENCY="3")["workers"] == 3


def test_the_access_log_is_one_json_object_per_request_without_the_query(monkeypatch, tmp_path):
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    logger = load_gunicorn_config(monkeypatch)["JsonAccessLogger"](cfg)
    environ = {"REMOTE_ADDR": "127.0.0.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/v1/download-urls",
               "QUERY_STRING": "key=secret-user-file.jpg", "HTTP_USER_AGENT": 'agent "quoted" \\ back',
               "thumbrouter.route": "/v1/download-urls"}
    logger.access(SimpleNamespace(status="200 OK", sent=512), None, environ, timedelta(milliseconds=3))
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/thumb//secret-user-file.jpg"}  # the app matched nothing
    logger.access(SimpleNamespace(status="404 NOT FOUND", sent=0), None, environ, timedelta(milliseconds=1))
    line, unmatched = (tmp_path / "access.log").read_text().strip().splitlines()
    record = json.loads(line)
    assert record["route"] == "/v1/download-urls" and record["status"] == 200 and record["ms"] == 3.0
    assert json.loads(unmatched)["route"] == "unmatched" and "secret-user-file" not in unmatched
    assert record["ua"] == 'agent "quoted" \\ back'
    assert "secret-user-file" not in line


def anonymous_env() -> dict:
    env = router_env(ALLOW_ANONYMOUS="1")
    del env["THUMBROUTER_API_TOKENS"]
    return env


@pytest.mark.parametrize("peer", ["192.0.2.7", "10.0.0.1", "::ffff:192.0.2.7", "2001:db8::1"])
def test_an_anonymous_app_refuses_peers_beyond_loopback_whatever_server_runs_it(s3_server, peer):
    client = create_app(anonymous_env()).test_client()
    for path in ("/v1/download-urls?key=a.jpg&cloud=s3", "/healthz", "/metrics"):
        answer = client.get(path, environ_base={"REMOTE_ADDR": peer})
        assert answer.status_code == 403 and answer.json["error"]["code"] == "forbidden"
    for local in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        answer = client.get("/v1/download-urls?key=a.jpg&cloud=s3", environ_base={"REMOTE_ADDR": local})
        assert answer.status_code == 200


def test_a_router_with_tokens_answers_any_peer(s3_server):
    client = create_app(router_env()).test_client()
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200


@pytest.mark.parametrize("bind", ["127.0.0.1.nip.io:8080", "0.0.0.0:8080", "[::]:8080", "fd://3"])
def test_the_gunicorn_config_refuses_an_anonymous_router_on_a_non_loopback_bind(monkeypatch, bind, s3_server):
    from types import SimpleNamespace

    config = load_gunicorn_config(monkeypatch)
    for name, value in anonymous_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("THUMBROUTER_API_TOKENS", raising=False)
    with pytest.raises(ConfigError, match="loopback"):
        config["on_starting"](SimpleNamespace(cfg=SimpleNamespace(bind=[bind])))
    config["on_starting"](SimpleNamespace(cfg=SimpleNamespace(bind=["[::1]:8080", "localhost:80", "unix:/tmp/r.sock"])))


# --- no redirect is ever built from the Host header

ODD_PATHS = ["/v1//download-urls?key=a.jpg", "//v1/download-urls?key=a.jpg", "/v1/download-urls/?key=a.jpg",
             "/healthz/", "//healthz", "/readyz//", "/metrics/", "/thumb//thumb50/a.jpg", "/thumb/thumb50//a.jpg",
             "/thumb/thumb50/a.jpg/", "/v1/upload-targets/", "/v1/", "/v1"]


def test_no_path_answers_a_redirect_built_from_the_host_header(s3_server):
    client = create_app(router_env()).test_client()
    for path in ODD_PATHS:
        answer = client.get(path, headers={**AUTH, "Host": "evil.example"})
        assert not 300 <= answer.status_code < 400 or "evil.example" not in answer.headers.get("Location", ""), path
        assert answer.status_code not in (301, 302, 303, 307, 308), (path, answer.status_code)


def raw_get(base: str, path: str, host: str) -> bytes:
    """One HTTP/1.1 GET with a chosen Host header, as an attacker would send it; the head of the answer."""
    address = base.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((address[0], int(address[1])), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {AUTH['Authorization']}\r\n"
                     f"Connection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer.split(b"\r\n\r\n", 1)[0]


def test_over_real_http_a_foreign_host_header_never_comes_back_as_a_location(s3_server):
    with serve(create_app(router_env())) as base:
        for path in ODD_PATHS:
            head = raw_get(base, path, "evil.example")
            assert b"evil.example" not in head and not head.startswith((b"HTTP/1.1 3", b"HTTP/1.0 3")), (path, head)


def test_the_gunicorn_config_lets_at_most_half_the_threads_wait_on_s3(monkeypatch):
    load_gunicorn_config(monkeypatch, GUNICORN_THREADS="8")
    assert os.environ["THUMBROUTER_S3_MAX_INFLIGHT"] == "4"
    assert load_settings({**router_env(), "THUMBROUTER_S3_MAX_INFLIGHT": "4"}).s3_max_inflight == 4


@pytest.mark.slow
def test_object_keys_never_reach_the_gunicorn_logs(s3_server, s3, buckets):
    secret = f"secret-{uuid.uuid4().hex}"
    s3.put_object(Bucket=buckets[0], Key=f"{secret}/poison.jpg", Body=b"not an image at all")
    port = free_port()
    env = router_env(buckets[0], GENERATION_POOL_SIZE="1") | {"GUNICORN_LOGLEVEL": "debug"}
    proc = gunicorn(env, f"127.0.0.1:{port}")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, base)
        answers = [
            requests.get(f"{base}/v1/download-urls", params={"key": f"{secret}/a.jpg", "filename": secret},
                         headers=AUTH, timeout=20).status_code,
            requests.post(f"{base}/v1/download-urls", json={"items": [{"key": f"{secret}/b.jpg"}]},
                          headers=AUTH, timeout=20).status_code,
            requests.get(f"{base}/thumb/thumb50/{secret}/missing.jpg", headers=AUTH, timeout=20).status_code,
            requests.get(f"{base}/thumb/thumb50/{secret}/poison.jpg", headers=AUTH, timeout=20).status_code,
            requests.get(f"{base}/thumb/thumb50/{secret}/c.jpg", timeout=20).status_code,
            requests.get(f"{base}/v1//{secret}.jpg", headers=AUTH, timeout=20).status_code,
        ]
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert answers == [200, 200, 404, 422, 401, 404]
    assert secret not in out + err
    routes = [json.loads(line)["route"] for line in out.splitlines() if line.startswith("{")]
    assert routes.count("/thumb/<preset>/<path:key>") == 3 and "unmatched" in routes
