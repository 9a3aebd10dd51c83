"""Spike benchmark: many concurrent /thumb requests for one missing thumbnail, and a real overload.

Two gunicorn routers (one worker, 32 threads each, the production S3 bulkhead of half the threads)
share a real redis-server; S3 is the local moto server in this process. (1) ROUNDS spikes of SPIKE
concurrent requests for one new thumbnail, split over both routers: answers by status, generations
(versions of the thumbnail in the versioned resized bucket) and latency. (2) DISTINCT concurrent
requests for as many different missing thumbnails with pool 2 + queue 8 per router: how many are
shed with 503 and how fast. Writes bench/results/spike.md.
"""

import io
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import requests
from PIL import Image

from bench.router import ENV, TOKEN, free_port, start, stop

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "results" / "spike.md"
BUCKET = "bench-spike"
SPIKE, ROUNDS, DISTINCT = 300, 5, 600
AUTH = {"Authorization": f"Bearer {TOKEN}"}
_local = threading.local()


def photo(size=(2400, 1600)) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def redis_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--bind", "127.0.0.1",
                             "--port", str(port), "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def get(url: str) -> tuple[int, float]:
    """(status, seconds) of one GET without following the redirect, one session per thread."""
    session = getattr(_local, "session", None) or setattr(_local, "session", requests.Session()) or _local.session
    started = time.perf_counter()
    status = session.get(url, headers=AUTH, allow_redirects=False, timeout=60).status_code
    return status, time.perf_counter() - started


def fire(urls: list[str]) -> list[tuple[int, float]]:
    with ThreadPoolExecutor(len(urls)) as pool:
        return list(pool.map(get, urls))


def ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.0f}"


def run_all() -> dict:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    s3_url = f"http://127.0.0.1:{port}"
    s3 = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1", aws_access_key_id=ENV["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=ENV["AWS_SECRET_ACCESS_KEY"])
    for name in (BUCKET, BUCKET + "resized"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=BUCKET + "resized", VersioningConfiguration={"Status": "Enabled"})
    body, small = photo(), photo((1200, 900))
    for i in range(ROUNDS):
        s3.put_object(Bucket=BUCKET, Key=f"spike/{i}.jpg", Body=body)
    for i in range(DISTINCT):
        s3.put_object(Bucket=BUCKET, Key=f"many/{i}.jpg", Body=small)
    redis, redis_url = redis_server()
    procs = []
    try:
        env = ENV | {"THUMBROUTER_S3_BUCKET": BUCKET, "AWS_ENDPOINT_URL_S3": s3_url, "GUNICORN_ACCESSLOG": "",
                     "THUMBROUTER_REDIS_URL": redis_url, "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "32",
                     "THUMBROUTER_GENERATION_POOL_SIZE": "2", "THUMBROUTER_GENERATION_QUEUE_SIZE": "8"}
        routers, logs = [], [Path(tempfile.mkstemp(prefix="spike-access-", suffix=".log")[1]) for _ in range(2)]
        for log in logs:  # the JSON access log's `ms`: time inside gunicorn, without the wait for a thread
            proc, base = start("thumbrouter.router:create_app()", env | {"GUNICORN_ACCESSLOG": str(log)})
            procs.append(proc)
            routers.append(base)
        spikes = []
        for i in range(ROUNDS):
            answers = fire([f"{routers[n % 2]}/thumb/thumb50/spike/{i}.jpg" for n in range(SPIKE)])
            versions = s3.list_object_versions(Bucket=BUCKET + "resized", Prefix=f"spike/{i}_50x50.jpg")
            spikes.append({"answers": answers, "generations": len(versions.get("Versions", []))})
        mark = [len(log.read_text().splitlines()) for log in logs]
        overload = fire([f"{routers[n % 2]}/thumb/thumb50/many/{n}.jpg" for n in range(DISTINCT)])
    finally:
        for proc in procs:
            stop(proc)
        redis.kill()
        redis.wait(10)
        server.stop()
    served = [json.loads(line) for log, skip in zip(logs, mark, strict=True)
              for line in log.read_text().splitlines()[skip:] if line.startswith("{")]
    for log in logs:
        log.unlink()
    return {"spikes": spikes, "overload": overload,
            "server_ms": {status: [r["ms"] / 1000 for r in served if r["status"] == status] for status in (302, 503)}}


def report(r: dict) -> str:
    from bench.__main__ import machine

    lines = ["## spike\n", f"Machine: {machine()}. Two gunicorn routers (1 worker x 32 threads each; S3 bulkhead "
             f"16 per process), one redis-server, the local moto S3 in the bench process; pool 2 + queue 8 per "
             f"router. Load average at the end: {os.getloadavg()[0]:.1f}.\n",
             f"### {SPIKE} concurrent requests for one missing 2400x1600 thumbnail (50x50), {ROUNDS} rounds\n",
             "| round | 302 | 503 | other | generations | p50 ms | p99 ms | max ms |",
             "|---|---|---|---|---|---|---|---|"]
    for i, spike in enumerate(r["spikes"], 1):
        statuses = [s for s, _ in spike["answers"]]
        seconds = [t for _, t in spike["answers"]]
        lines.append(f"| {i} | {statuses.count(302)} | {statuses.count(503)} | "
                     f"{len(statuses) - statuses.count(302) - statuses.count(503)} | {spike['generations']} | "
                     f"{ms(seconds, 0.5)} | {ms(seconds, 0.99)} | {max(seconds) * 1000:.0f} |")
    shed = [t for s, t in r["overload"] if s == 503]
    made = [t for s, t in r["overload"] if s == 302]
    inside = r["server_ms"]
    lines += ["", f"### Overload: {DISTINCT} concurrent requests for {DISTINCT} different missing thumbnails\n",
              "Client latency includes the wait for one of the 64 server threads; server ms is the time inside "
              "gunicorn from the access log (HEAD, then the pool refuses at once or the generation runs).\n",
              "| answer | count | client p50 ms | client p99 ms | server p50 ms | server p99 ms |",
              "|---|---|---|---|---|---|",
              f"| 302 (generated) | {len(made)} | {ms(made, 0.5)} | {ms(made, 0.99)} | "
              f"{ms(inside[302], 0.5)} | {ms(inside[302], 0.99)} |",
              f"| 503 (shed, Retry-After) | {len(shed)} | {ms(shed, 0.5)} | {ms(shed, 0.99)} | "
              f"{ms(inside[503], 0.5)} | {ms(inside[503], 0.99)} |",
              f"| other | {DISTINCT - len(made) - len(shed)} | | | | |", ""]
    if inside[302] and inside[503]:
        ratio = statistics.median(inside[302]) / statistics.median(inside[503])
        lines += [f"Inside the server a shed request takes {ratio:.0f}x less than a generated one (medians).", ""]
    return "\n".join(lines)


def main() -> None:
    results = run_all()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(report(results))
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
