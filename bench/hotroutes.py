"""The router's two hot routes against a bare Flask endpoint, wrk on loopback, in one run.

(1) a bare Flask endpoint returning a constant JSON of the /v1 answer's size (the ceiling), (2) a /thumb
hit: a thumbnail the worker already knows exists (no S3 call), so the URL cache lookup and a 302 to the
presigned thumbnail, (3) GET /v1/download-urls for S3 keys drawn from 1000 distinct keys (URL cache hits
after the warm-up). Every server runs under router/gunicorn.conf.py with the same settings (JSON access
log on, to /dev/null). A round is SLICES slices of bare, /thumb, bare, /v1, one second each, and each
route's ratio is its req/s over the round against bare's over the same round: load from other work on a
shared machine comes and goes within seconds, so fine interleaving moves numerator and denominator
together. S3 is the local moto server in this process; each round asks for its own 200 thumbnails, which
its warm-up has HEADed once per worker, so all of them stay inside the worker's exists-cache (60 s) for
the round. Writes bench/results/hotroutes.md.
"""

import json
import logging
import os
from pathlib import Path

import boto3

from bench.router import (
    ENV,
    KEYS,
    free_port,
    gunicorn_settings,
    lua_get,
    sample_answer,
    start,
    stop,
    wrk_with_cpu,
)

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "results" / "hotroutes.md"
BUCKET = "bench-hotroutes"
ROUNDS, SLICES, SLICE, WARMUP, TARGET = 3, 5, 1, 3, 0.9
THUMB_KEYS = [[f"hits/{n}/user-{i % 31}/IMG_{i:04d}.jpg" for i in range(200)] for n in range(ROUNDS)]


def local_s3():
    """The local S3 server in this process, with the bucket pair and a thumbnail for every THUMB_KEYS key."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=ENV["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=ENV["AWS_SECRET_ACCESS_KEY"])
    for name in (BUCKET, BUCKET + "resized"):
        s3.create_bucket(Bucket=name)
    for key in (key for keys in THUMB_KEYS for key in keys):
        s3.put_object(Bucket=BUCKET + "resized", Key=key.replace(".jpg", "_50x50.jpg"), Body=b"\xff" * 2048)
    return server, url


def total(runs: list[dict]) -> dict:
    """One figure for a route's slices of a round: requests over seconds, worker CPU per request, errors."""
    requests_, seconds = sum(x["requests"] for x in runs), sum(x["requests"] / x["rps"] for x in runs if x["rps"])
    cpu = [x["cpu_us"] * x["requests"] for x in runs if "cpu_us" in x]
    return {"rps": requests_ / seconds if seconds else 0.0, "errors": sum(x["errors"] for x in runs),
            "cpu_us": sum(cpu) / requests_ if len(cpu) == len(runs) and requests_ else float("nan")}


def rounds(router: tuple, bare: tuple) -> list[dict[str, dict]]:
    """ROUNDS rounds of SLICES x (bare, /thumb, bare, /v1), each route's slices of a round totalled."""
    scripts = {"bare": lua_get("/bare?key=%s", KEYS), "v1": lua_get("/v1/download-urls?cloud=s3&key=%s", KEYS)}
    servers = {"bare": bare, "thumb": router, "v1": router}
    for name, script in scripts.items():
        wrk_with_cpu(*servers[name], script, seconds=WARMUP)
    out = []
    for keys in THUMB_KEYS:
        scripts["thumb"] = lua_get("/thumb/thumb50/%s", keys)
        wrk_with_cpu(*router, scripts["thumb"], seconds=WARMUP)  # this round's thumbnails: one HEAD per worker
        runs: dict[str, list[dict]] = {"bare": [], "thumb": [], "v1": []}
        for _ in range(SLICES):
            for name in ("bare", "thumb", "bare", "v1"):
                runs[name].append(wrk_with_cpu(*servers[name], scripts[name], seconds=SLICE))
        out.append({name: total(r) for name, r in runs.items()})
    return out


def run_all() -> dict:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the local S3 server's per-request log
    server, s3_url = local_s3()
    procs = []
    try:
        # The same for every server: no worker recycling (max_requests), whose re-import of the app would
        # land inside one measured run of one server and decide that round's ratio.
        env = {"THUMBROUTER_S3_BUCKET": BUCKET, "AWS_ENDPOINT_URL_S3": s3_url, "GUNICORN_CMD_ARGS": "--max-requests 0"}
        router = start("thumbrouter.router:create_app()", env)
        procs.append(router[0])
        sample = sample_answer(router[1])
        bare = start("bench.router:bare_app()", env | {"BENCH_BARE_BODY": json.dumps(sample)})
        procs.append(bare[0])
        results = {"rounds": rounds(router, bare), "body_bytes": len(json.dumps(sample))}
    finally:
        for proc in procs:
            stop(proc)
        server.stop()
    return results


def report(r: dict) -> str:
    from bench.__main__ import machine

    setup = (f"gunicorn: {gunicorn_settings()}, JSON access log on (to /dev/null), worker recycling off, the same "
             f"settings for every server. wrk on the same machine (it competes for the 2 cores), -t2 -c32, "
             f"{ROUNDS} rounds, each of {SLICES} x (bare, /thumb, bare, /v1) for {SLICE}s each after a {WARMUP}s "
             f"warm-up; ratios against bare's req/s over the same round. Bare answer ~{r['body_bytes']} bytes "
             f"of JSON; /thumb requests send no Accept header. Load average at the end: {os.getloadavg()[0]:.1f}.")
    lines = ["## hotroutes\n", f"Machine: {machine()}. {setup}\n",
             "| round | bare req/s | /thumb hit req/s | /thumb vs bare | GET /v1 req/s | /v1 vs bare "
             "| worker CPU us/req: bare, /thumb, /v1 | errors |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    ratios: dict[str, list[float]] = {"thumb": [], "v1": []}
    for number, runs in enumerate(r["rounds"], 1):
        bare, thumb, v1 = runs["bare"], runs["thumb"], runs["v1"]
        ratios["thumb"].append(thumb["rps"] / bare["rps"])
        ratios["v1"].append(v1["rps"] / bare["rps"])
        cpu = ", ".join(f"{x['cpu_us']:.0f}" for x in (bare, thumb, v1))
        errors = sum(x["errors"] for x in runs.values())
        lines.append(f"| {number} | {bare['rps']:.0f} | {thumb['rps']:.0f} | {ratios['thumb'][-1]:.2f}x "
                     f"| {v1['rps']:.0f} | {ratios['v1'][-1]:.2f}x | {cpu} | {errors} |")
    lines += ["", "Targets (every round):"]
    for name, label in (("thumb", "/thumb hit"), ("v1", "GET /v1/download-urls")):
        ok = min(ratios[name]) >= TARGET
        lines.append(f"- {'MET' if ok else 'MISSED'}: {label} >= {TARGET}x bare in each of {ROUNDS} rounds: "
                     + ", ".join(f"{x:.2f}x" for x in ratios[name]))
    return "\n".join(lines) + "\n"


def main() -> None:
    results = run_all()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(report(results))
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
