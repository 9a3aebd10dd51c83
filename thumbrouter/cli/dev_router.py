"""The router half of `thumbrouter dev`: serve the API on 127.0.0.1:8080 against the local S3, anonymously.

Anonymous access is what makes the demo a one-command affair, so it is refused on anything but
loopback (router.app.check_bind). The Qiniu settings are demo values: the router signs Qiniu URLs
for domestic users, but those URLs point at a made-up domain and cannot be fetched offline.
"""

import argparse
import json
import os
import shlex
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from werkzeug.serving import BaseWSGIServer, make_server

from thumbrouter.router import check_bind, create_app, load_settings
from thumbrouter.s3job import ThumbnailSpec

DEMO_QINIU = {
    "THUMBROUTER_QINIU_ACCESS_KEY": "demo-access-key", "THUMBROUTER_QINIU_SECRET_KEY": "demo-secret-key-not-real",
    "THUMBROUTER_QINIU_BUCKET": "demo-kodo", "THUMBROUTER_QINIU_DOMAIN": "demo-kodo.example.cn",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--router-host", default="127.0.0.1",
                        help="router address (default 127.0.0.1; anonymous access refuses anything but loopback)")
    parser.add_argument("--router-port", type=int, default=8080, help="router port (default 8080; a free one if taken)")
    parser.add_argument("--no-router", action="store_true", help="only the local S3 and the thumbnail handler")


@dataclass
class DevRouter:
    """The router's WSGI server running in a thread."""

    server: BaseWSGIServer
    thread: threading.Thread
    base: str

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


def dev_environ(bucket: str) -> dict[str, str]:
    """THUMBROUTER_* for the demo: the local S3 bucket, demo Qiniu for CN users, anonymous access, and the
    dev Lambda's ThumbnailSpec (THUMBNAILER_THN_BUCKET, _THUMBNAIL_SIZES, ... of this shell), so both agree."""
    spec = ThumbnailSpec.from_env(os.environ)
    return {"THUMBROUTER_S3_BUCKET": bucket, "THUMBROUTER_ALLOW_ANONYMOUS": "1", **spec.to_env("THUMBROUTER_"),
            "AWS_ENDPOINT_URL_S3": os.environ["AWS_ENDPOINT_URL_S3"], "AWS_REGION": "us-east-1", **DEMO_QINIU}


def start_router(bucket: str, host: str = "127.0.0.1", port: int = 8080) -> DevRouter:
    """Build the app for the demo and serve it; raises ConfigError for a non-loopback host."""
    settings = load_settings(dev_environ(bucket))
    check_bind(settings, host)
    port = port if port and _port_free(host, port) else 0
    server = make_server(host, port, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="dev-router", daemon=True)
    thread.start()
    return DevRouter(server, thread, f"http://{host}:{server.server_port}")


def report(router: DevRouter, example_key: str | None) -> None:
    """Prove the demo works end to end (API -> signed URL -> local S3) and print curl commands to repeat it."""
    print(f"router: {router.base}  (a development server for this machine's loopback only: anonymous, and "
          f"nothing in front of it; deploy with gunicorn behind router/nginx.conf; health {router.base}/healthz, "
          f"readiness {router.base}/readyz, metrics {router.base}/metrics)")
    if example_key is None:
        return
    query = urlencode({"key": example_key, "cloud": "s3"})
    answer = requests.get(f"{router.base}/v1/download-urls?{query}", timeout=10).json()
    fetched = requests.get(answer["download_url"], timeout=10)
    thumb = requests.get(answer["thumbnail_url"], timeout=10) if answer.get("thumbnail_url") else None
    print(f"checked: {example_key!r} -> download {fetched.status_code} ({len(fetched.content)} bytes), "
          f"thumbnail {thumb.status_code if thumb else '-'} ({len(thumb.content) if thumb else 0} bytes)")
    api = shlex.quote(f"{router.base}/v1/download-urls?{query}")
    pick = "python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])'"
    print("try it:")
    print(f"  curl -s {api}")
    print(f"  curl -s -o original.jpg \"$(curl -s {api} | {pick} download_url)\"")
    print(f"  curl -s -o thumbnail.jpg \"$(curl -s {api} | {pick} thumbnail_url)\"   # then open the two files")
    cn = shlex.quote(f"{router.base}/v1/download-urls?{urlencode({'key': example_key, 'country': 'CN'})}")
    print(f"  curl -s {cn}   # a Chinese user gets Qiniu URLs: demo settings, they cannot be fetched offline")
    batch = json.dumps({"items": [{"key": example_key}, {"key": ""}]})
    print(f"  curl -s -X POST -H 'Content-Type: application/json' -d {shlex.quote(batch)} "
          f"{router.base}/v1/download-urls")


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) != 0
