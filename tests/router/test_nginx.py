"""router/nginx.conf in front of a real gunicorn (router/gunicorn.conf.py): Debian's nginx under a slowloris."""

import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest
import requests

from tests.support.servers import free_port, wait_for_port

from .ondemand.fleet import ROOT, RouterProcess
from .ondemand.helpers import app_env

pytestmark = pytest.mark.slow
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLOW_CLIENTS = 16  # twice the router's threads: without the proxy they take every thread and queue behind
THREADS = 8

# Everything nginx writes goes to the test's directory; the site file is router/nginx.conf with only its
# two addresses changed.
MAIN = """{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/thumbrouter.conf;
}}
"""


def site_config(listen: int, upstream: int) -> str:
    text = (ROOT / "router" / "nginx.conf").read_text()
    for old, new in (("listen 80;", f"listen 127.0.0.1:{listen};"),
                     ("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream};")):
        assert text.count(old) == 1, f"router/nginx.conf should have one {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def router(s3_server, buckets):
    process = RouterProcess(app_env(s3_server, buckets[0]), threads=THREADS).start()
    yield process
    process.stop()


@pytest.fixture
def nginx(router, tmp_path: Path):
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed (make test installs it)")
    port = free_port()
    (tmp_path / "thumbrouter.conf").write_text(site_config(port, router.port))
    # As root, nginx's workers switch to `nobody`, who cannot enter the test's private directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(MAIN.format(dir=tmp_path, user=user))
    command = [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=20)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


class Slowloris:
    """`count` connections sending a request one byte at a time (every `interval` s) and never finishing it."""

    def __init__(self, port: int, count: int = SLOW_CLIENTS, interval: float = 0.5):
        self.socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
        self.interval, self.stopped = interval, threading.Event()
        for sock in self.socks:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: slow\r\n")
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while not self.stopped.wait(self.interval):
            for sock in self.socks:
                try:
                    sock.send(b"X")  # a header line that never ends
                except OSError:
                    pass  # nginx hung up on it: that is the point

    def __enter__(self) -> "Slowloris":
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(10)
        for sock in self.socks:
            sock.close()


def test_a_slowloris_that_stops_gunicorn_leaves_healthz_answering_through_nginx(router, nginx):
    with Slowloris(router.port):
        # The attack is real: a probe straight to gunicorn queues behind the slow clients and gets no answer.
        with pytest.raises(requests.ReadTimeout):
            requests.get(f"{router.url}/healthz", timeout=3)
    # The same attack on nginx: every probe answers (each gets a fresh connection, as a load balancer's do).
    with Slowloris(int(nginx.rsplit(":", 1)[1])):
        for _ in range(20):
            with requests.Session() as session:
                answer = session.get(f"{nginx}/healthz", timeout=30)
            assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_nginx_passes_the_router_answers_and_keeps_metrics_off_the_public_side(router, nginx):
    thumb = requests.get(f"{nginx}/thumb/nosuch/a.jpg", timeout=30)
    assert thumb.status_code == 404 and thumb.json()["error"]["code"]
    assert requests.get(f"{nginx}/metrics", timeout=30).status_code == 404
    assert requests.get(f"{router.url}/metrics", timeout=30).status_code == 200  # scraped from inside
    assert "nginx/" not in requests.get(f"{nginx}/healthz", timeout=30).headers.get("Server", "")
