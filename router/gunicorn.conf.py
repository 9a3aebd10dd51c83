"""Production gunicorn settings: `gunicorn -c router/gunicorn.conf.py 'thumbrouter.router:create_app()'`.

Server knobs use gunicorn's own conventions (the app's settings stay THUMBROUTER_* in router.config):
GUNICORN_BIND (default 127.0.0.1:8080; put a reverse proxy or load balancer in front), WEB_CONCURRENCY
(workers, default = CPU cores), GUNICORN_THREADS (default 4), GUNICORN_TIMEOUT (default 30 s),
GUNICORN_ACCESSLOG ("-" = stdout, the default; "" turns it off), GUNICORN_CONTROL_SOCKET (off by default; a
path per instance turns on gunicorn's control socket). GUNICORN_CMD_ARGS still overrides.

gunicorn never faces clients: a slow client holds a gthread thread for as long as it trickles its request
(`timeout` watches workers, not connections), so a buffering reverse proxy goes in front (router/nginx.conf).

Why workers = cores and not 2*cores+1: the hot path (cache lookup, HMAC signing, JSON) is pure CPU with
no network I/O, so processes beyond the core count only add context switches and memory (each worker
holds its own URL cache and GeoIP table). Threads exist for the few waits there are (the /readyz
probe of S3, /thumb's HEAD, on-demand generation waiting on its bounded pool), so one slow request never
blocks /healthz in the same worker. S3 waits are capped at half the threads (THUMBROUTER_S3_MAX_INFLIGHT);
where many /thumb misses wait for generation at once, raise GUNICORN_THREADS above
GENERATION_POOL_SIZE + GENERATION_QUEUE_SIZE.
"""

import json
import os
import shutil
import tempfile
import time

from gunicorn.glogging import Logger

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8080")]
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# At most half of a worker's threads may wait on S3 (router.breaker's bulkhead); the rest keep /healthz
# and /v1 answering while S3 hangs. Workers read it through router.config like any other setting.
os.environ.setdefault("THUMBROUTER_S3_MAX_INFLIGHT", str(max(1, threads // 2)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a worker silent this long is killed and replaced
graceful_timeout = 20  # SIGTERM: finish in-flight requests (all sub-second) before the load balancer gives up
# Longer than a load balancer's idle timeout (ALB: 60 s), so the balancer closes idle connections, never
# gunicorn mid-reuse (that race shows up as sporadic 502s); gthread parks idle connections in its poller,
# not in a thread, and worker_connections bounds them.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
worker_connections = 1000
max_requests = 50_000  # recycle workers now and then (bounds any slow leak) ...
max_requests_jitter = 5_000  # ... but not all at once
backlog = 1024
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "thumbrouter"
# gunicorn's control socket (reload, shutdown, worker count) has one default path per user, so a second router
# on the host took it over and the first to stop deleted it. Off unless this instance is given its own path.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# prometheus_client picks its multiprocess value class at import time, so the directory must be in the
# environment before any worker imports the app; each run starts from an empty directory.
_OWN_METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="thumbrouter-metrics-")
else:
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    for _stale in os.listdir(os.environ["PROMETHEUS_MULTIPROC_DIR"]):
        if _stale.endswith(".db"):
            os.remove(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], _stale))


class JsonAccessLogger(Logger):
    """One JSON object per request, without the path or query: keys and file names are user data.

    `route` is the URL rule the app matched (`/thumb/<preset>/<path:key>`, set by router.metrics),
    or "unmatched" (a 404 path may be anything a client typed, a key included).
    """

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        record = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "remote": environ.get("REMOTE_ADDR"),
            "method": environ.get("REQUEST_METHOD"), "route": environ.get("thumbrouter.route", "unmatched"),
            "status": int(status), "bytes": getattr(resp, "sent", None),
            "ms": round(request_time.total_seconds() * 1000, 2), "pid": os.getpid(),
            "ua": environ.get("HTTP_USER_AGENT"),
        }
        self.access_log.info(json.dumps(record, separators=(",", ":")))


logger_class = JsonAccessLogger


def on_starting(server):
    """Fail before forking when the settings are wrong or an anonymous API would leave loopback.

    create_app checks the same settings in each worker and an anonymous app answers loopback peers only;
    this check only makes the refusal happen at once, with the address in the message.
    """
    from gunicorn.util import parse_address

    from thumbrouter.router import check_access_policy, check_bind, load_settings

    settings = load_settings()
    check_access_policy(settings)
    for address in server.cfg.bind:
        parsed = parse_address(address)  # ("::1", 8080) for "[::1]:8080"; a path for unix:; an int for fd://
        check_bind(settings, parsed[0] if isinstance(parsed, tuple) else address)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def post_worker_init(worker):
    """Move everything the app loaded at start-up out of the garbage collector's reach (`gc.freeze`).

    The app, boto3, Pillow and the URL map are hundreds of thousands of long-lived objects that every full
    collection would walk again, a pause of milliseconds every few thousand requests; after the freeze a
    collection walks only what requests allocated since.
    """
    import gc

    gc.freeze()
