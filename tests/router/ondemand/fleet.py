"""Real router processes for the fleet tests: gunicorn (the production config) on free loopback ports."""

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[3]


class RouterProcess:
    """One gunicorn master with one gthread worker serving `router:create_app()` with `env`."""

    def __init__(self, env: dict, threads: int = 32):
        self.port, self.env, self.threads = free_port(), env, threads
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "RouterProcess":
        env = os.environ | self.env | {"GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "1",
                                       "GUNICORN_THREADS": str(self.threads), "GUNICORN_ACCESSLOG": ""}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "router/gunicorn.conf.py", "thumbrouter.router:create_app()"],
            cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        wait_for_port(self.port, timeout=20)
        # The master listens before its worker has imported the app: on a loaded machine that takes seconds.
        requests.get(f"{self.url}/healthz", timeout=60).raise_for_status()
        return self

    def worker(self) -> psutil.Process:
        return psutil.Process(self.process.pid).children()[0]

    def stop(self) -> None:
        """Stop the master and make sure its workers are gone too.

        SIGTERM, gunicorn's graceful stop (these requests are short). Its quick stop (SIGINT) shuts the gthread
        pool down inside the signal handler, which deadlocks when the signal lands while the worker's main thread
        is in ThreadPoolExecutor.submit (cpython#121649); a test that then killed the master left the worker
        running after the suite.
        """
        if self.process is not None:
            try:
                workers = psutil.Process(self.process.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                workers = []
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            for worker in workers:
                with contextlib.suppress(psutil.NoSuchProcess):
                    worker.kill()
            self.process = None

    def counter(self, name: str, **labels: str) -> float:
        """The sum of the /metrics samples called `name` (with those labels) over this router's workers."""
        text = requests.get(f"{self.url}/metrics", timeout=30).text
        return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
                   if s.name == name and labels.items() <= s.labels.items())

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]


def start_fleet(env: dict, count: int = 2, threads: int = 32) -> list[RouterProcess]:
    routers = [RouterProcess(env, threads) for _ in range(count)]
    with ThreadPoolExecutor(count) as pool:
        list(pool.map(RouterProcess.start, routers))
    return routers


_local = threading.local()


def get(url: str) -> tuple[int, str | None, str | None]:
    """(status, Location, Retry-After) of one GET without following redirects (a session per thread)."""
    session = getattr(_local, "session", None) or setattr(_local, "session", requests.Session()) or _local.session
    # Generous: the bound only ends a hung request; on a machine whose cores are busy elsewhere, one of a
    # 2000-request burst has waited more than 30 s for its answer.
    response = session.get(url, allow_redirects=False, timeout=120)
    return response.status_code, response.headers.get("Location"), response.headers.get("Retry-After")


def fire(urls: list[str], concurrency: int = 64, on_index=None) -> list[tuple]:
    """GET every URL with a bounded thread pool; `on_index(i)` runs as URL i is submitted."""
    with ThreadPoolExecutor(concurrency) as pool:
        futures = []
        for index, url in enumerate(urls):
            if on_index:
                on_index(index)
            futures.append(pool.submit(get, url))
        return [future.result(timeout=300) for future in futures]


def seed(bucket: str, keys, body: bytes) -> None:
    """Put objects straight into the in-process local S3 server's store (thousands in under a second).

    Only for test data setup: every read and write of the code under test still goes over HTTP.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    for key in keys:
        backend.put_object(bucket, key, body)
