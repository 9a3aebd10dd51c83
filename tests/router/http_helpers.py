"""Helpers for the router's HTTP tests: settings for the local S3 server, and a real HTTP server thread."""

import os
import threading
from contextlib import contextmanager

from werkzeug.serving import make_server

TOKEN = "test-token-0123456789abcdef"
OTHER_TOKEN = "other-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QINIU = {
    "THUMBROUTER_QINIU_ACCESS_KEY": "demo-access-key", "THUMBROUTER_QINIU_SECRET_KEY": "demo-secret-key-0123456789",
    "THUMBROUTER_QINIU_BUCKET": "demo-kodo", "THUMBROUTER_QINIU_DOMAIN": "img.example.cn",
}
CN_IP, US_IP = "114.114.114.114", "8.8.8.8"


def router_env(bucket: str = "photos", *, qiniu: bool = True, endpoint: str | None = None, **extra) -> dict:
    """THUMBROUTER_* settings for one test: S3 on the local server (and demo Qiniu for CN by default)."""
    env = {"THUMBROUTER_S3_BUCKET": bucket, "THUMBROUTER_API_TOKENS": f"{TOKEN},{OTHER_TOKEN}",
           "AWS_ENDPOINT_URL_S3": endpoint or os.environ.get("AWS_ENDPOINT_URL_S3", "")}
    env.update(QINIU if qiniu else {"THUMBROUTER_DOMESTIC_COUNTRIES": ""})
    env.update({f"THUMBROUTER_{name}": str(value) for name, value in extra.items()})
    return env


@contextmanager
def serve(app):
    """Serve `app` over real HTTP on 127.0.0.1 (a thread per request) and yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
