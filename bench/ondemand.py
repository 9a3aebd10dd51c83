"""On-demand thumbnail benchmark, in one run on loopback:

(1) the bare Flask ceiling (a constant JSON of the redirect's size) and (2) a /thumb hit (302 to the
presigned thumbnail) under wrk against gunicorn with the production settings, interleaved rounds;
(3) time to first byte of a miss (HEAD, lock, GET original, make_thumbnail, PUT, 302) for every photo
of the real-photo corpus (/usr/share/backgrounds/mate), `local` backend, both default presets,
one request at a time, next to the core's own make_thumbnail time for the same photo.
S3 is the local server (moto) in this process. Writes bench/results/ondemand.md.
"""

import json
import logging
import os
import statistics
import threading
import time
from pathlib import Path

import boto3
import requests

from bench.router import ENV, TOKEN, gunicorn_settings, lua_get, start, stop, wrk

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "results" / "ondemand.md"
CORPUS = Path("/usr/share/backgrounds/mate")
BUCKET = "bench-ondemand"
# Few enough that every worker has seen each one (one HEAD each) during the warm-up against the slow
# local S3 server: the rounds then measure the steady state of hot thumbnails.
HIT_KEYS = [f"hits/user-{i % 31}/IMG_{i:04d}.jpg" for i in range(200)]
PRESETS = {"thumb50": "50x50", "preview": "1440x1440"}
DURATION, WARMUP, ROUNDS = 6, 8, 3
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def local_s3():
    """The local S3 server in this process, with the bucket pair, corpus photos and hit thumbnails."""
    from moto.server import ThreadedMotoServer

    from bench.router import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=ENV["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=ENV["AWS_SECRET_ACCESS_KEY"])
    for name in (BUCKET, BUCKET + "resized"):
        s3.create_bucket(Bucket=name)
    for path in corpus():
        s3.put_object(Bucket=BUCKET, Key=f"corpus/{path.name}", Body=path.read_bytes())
    for copy, path in enumerate(busy_photos()):  # fresh keys: the overload run needs real misses
        s3.put_object(Bucket=BUCKET, Key=f"busy/{copy}-{path.name}", Body=path.read_bytes())
    for key in HIT_KEYS:
        s3.put_object(Bucket=BUCKET + "resized", Key=key.replace(".jpg", "_50x50.jpg"), Body=b"\xff" * 2048)
    return server, url


def corpus() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))


def median_run(runs: list[dict]) -> dict:
    """Per-figure median over rounds, plus the spread of req/s."""
    out = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p90", "p99")}
    out["errors"] = sum(r["errors"] for r in runs)
    out["rps_range"] = (min(r["rps"] for r in runs), max(r["rps"] for r in runs))
    return out


def busy_photos() -> list[Path]:
    """The two largest photos, three times each."""
    return sorted(corpus(), key=lambda p: p.stat().st_size)[-2:] * 3


def hit_vs_bare(router: str, bare: str) -> dict:
    """wrk rounds, interleaved: bare ceiling vs /thumb hits over 1000 existing thumbnails."""
    plan = {"bare": (bare, lua_get("/bare?key=%s", HIT_KEYS)),
            "hit": (router, lua_get("/thumb/thumb50/%s", HIT_KEYS))}
    for base, script in plan.values():
        wrk(base, script, seconds=WARMUP)  # warm-up: threads spawned, thumbnails seen once per worker
    runs: dict[str, list[dict]] = {name: [] for name in plan}
    for _ in range(ROUNDS):
        for name, (base, script) in plan.items():
            runs[name].append(wrk(base, script))
    return {name: median_run(r) for name, r in runs.items()}


def ttfb(url: str) -> tuple[float, int]:
    """Milliseconds until the response headers arrive, and the status."""
    started = time.perf_counter()
    with requests.get(url, headers=AUTH, allow_redirects=False, timeout=120, stream=True) as response:
        return (time.perf_counter() - started) * 1000, response.status_code


def core_ms(data: bytes, size: str) -> float:
    from thumbrouter.imagecore import make_thumbnail

    started = time.perf_counter()
    make_thumbnail(data, size)
    return (time.perf_counter() - started) * 1000


def misses(router: str) -> list[dict]:
    """Per photo and preset: miss TTFB, then the hit TTFB of the same URL, and the core's own time."""
    rows = []
    for path in corpus():
        for preset, size in PRESETS.items():
            url = f"{router}/thumb/{preset}/corpus/{requests.utils.quote(path.name)}"
            miss, status = ttfb(url)
            hit, _ = ttfb(url)
            rows.append({"photo": f"{path.parent.name}/{path.name}", "bytes": path.stat().st_size, "preset": preset,
                         "status": status, "miss": miss, "hit": hit, "core": core_ms(path.read_bytes(), size)})
    return rows


def overload(env: dict) -> dict:
    """503 latency while the pool is busy: pool 1, queue 0, one worker kept generating big previews."""
    proc, router = start("thumbrouter.router:create_app()", env | {
        "WEB_CONCURRENCY": "1", "THUMBROUTER_GENERATION_POOL_SIZE": "1", "THUMBROUTER_GENERATION_QUEUE_SIZE": "0"})
    stop_blocking, times, statuses = threading.Event(), [], []

    def block():
        for copy, path in enumerate(busy_photos()):
            if stop_blocking.is_set():
                return
            ttfb(f"{router}/thumb/preview/busy/{copy}-{requests.utils.quote(path.name)}")

    blocker = threading.Thread(target=block)
    try:
        blocker.start()
        time.sleep(0.3)
        for i in range(200):
            ms, status = ttfb(f"{router}/thumb/thumb50/absent/{i}.jpg")
            times.append(ms)
            statuses.append(status)
    finally:
        stop_blocking.set()
        blocker.join(timeout=120)
        stop(proc)
    rejected = sorted(t for t, s in zip(times, statuses, strict=True) if s == 503)
    return {"requests": len(times), "rejected": len(rejected), "p50": statistics.median(rejected) if rejected else 0,
            "p99": rejected[int(0.99 * (len(rejected) - 1))] if rejected else 0}


def run_all() -> dict:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the local S3 server's per-request log
    server, s3_url = local_s3()
    procs = []
    try:
        env = ENV | {"THUMBROUTER_S3_BUCKET": BUCKET, "AWS_ENDPOINT_URL_S3": s3_url, "GUNICORN_ACCESSLOG": ""}
        proc, router = start("thumbrouter.router:create_app()", env)
        procs.append(proc)
        sample = requests.get(f"{router}/thumb/thumb50/{HIT_KEYS[0]}", headers=AUTH, allow_redirects=False,
                              timeout=10)
        body = {"location": sample.headers["Location"]}
        proc, bare = start("bench.router:bare_app()", env | {"BENCH_BARE_BODY": json.dumps(body)})
        procs.append(proc)
        results = hit_vs_bare(router, bare)
        results["misses"] = misses(router)
        results["overload"] = overload(env)
        results["redirect_bytes"] = len(sample.content) + len(sample.headers["Location"])
    finally:
        for proc in procs:
            stop(proc)
        server.stop()
    return results


def report(r: dict) -> str:
    from bench.__main__ import machine

    bare, hit = r["bare"], r["hit"]
    lines = ["## ondemand\n", f"Machine: {machine()}. gunicorn: {gunicorn_settings()}; wrk on the same machine, "
             f"-t2 -c32, {ROUNDS} interleaved rounds of {DURATION}s after a {WARMUP}s warm-up; medians. "
             f"S3 = the local moto server in the bench process. Load average at the end: {os.getloadavg()[0]:.1f}.\n",
             "### Hit (302 to the presigned thumbnail) vs the bare Flask ceiling\n",
             "| scenario | req/s (median) | req/s range | p50 ms | p99 ms | errors | rps vs bare | p99 vs bare |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, x in (("bare Flask, constant JSON", bare), ("GET /thumb/thumb50/<key>, hit (302)", hit)):
        low, high = x["rps_range"]
        lines.append(f"| {label} | {x['rps']:.0f} | {low:.0f}-{high:.0f} | {x['p50']:.2f} | {x['p99']:.2f} | "
                     f"{x['errors']} | {x['rps'] / bare['rps']:.2f}x | {x['p99'] / bare['p99']:.2f}x |")
    lines += ["", f"{len(HIT_KEYS)} thumbnails, each already seen once per worker in the warm-up: a hot hit costs no "
              "S3 call (a thumbnail seen in S3 is remembered for 60 s per worker, then HEADed again); the first "
              "hit of a key in a worker adds one HEAD to S3 (tens of ms against the local server). bench/hotroutes.py "
              "measures the same hit against the ceiling in finer interleaved slices. The machine is shared "
              "with other jobs (see the load average), so ratios move between runs.", ""]
    lines += misses_report(r["misses"])
    o = r["overload"]
    lines += ["", "### Overload: the pool is busy (pool 1, queue 0, one worker generating 1440x1440 previews)\n",
              f"{o['rejected']} of {o['requests']} sequential misses answered 503 + Retry-After: median "
              f"{o['p50']:.1f} ms, p99 {o['p99']:.1f} ms (each includes the HEAD to the local S3 server that must "
              "come first, since an existing thumbnail is still served while the pool is full)."]
    return "\n".join(lines) + "\n"


def misses_report(rows: list[dict]) -> list[str]:
    lines = ["### Miss: time to first byte (`local` backend, one request at a time)\n",
             "| photo | MB | preset | status | miss TTFB ms | hit TTFB ms | make_thumbnail ms | miss / hit |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for x in rows:
        lines.append(f"| {x['photo']} | {x['bytes'] / 1e6:.1f} | {x['preset']} | {x['status']} | {x['miss']:.0f} | "
                     f"{x['hit']:.1f} | {x['core']:.0f} | {x['miss'] / x['hit']:.0f}x |")
    lines += ["", "| preset | photos | median miss ms | p90 miss ms | median make_thumbnail ms | median hit ms | "
              "miss / make_thumbnail (median) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for preset in PRESETS:
        sel = [x for x in rows if x["preset"] == preset]
        miss = sorted(x["miss"] for x in sel)
        lines.append(f"| {preset} | {len(sel)} | {statistics.median(miss):.0f} "
                     f"| {miss[int(0.9 * (len(miss) - 1))]:.0f} "
                     f"| {statistics.median(x['core'] for x in sel):.0f} "
                     f"| {statistics.median(x['hit'] for x in sel):.1f} "
                     f"| {statistics.median(x['miss'] / x['core'] for x in sel):.2f}x |")
    return lines


def main() -> None:
    results = run_all()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(report(results))
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
