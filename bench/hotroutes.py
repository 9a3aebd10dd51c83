"""The router's two hot routes against a bare Flask endpoint, wrk on loopback, in one run.

(1) a bare Flask endpoint returning a constant JSON of the /v1 answer's size (the ceiling), (2) a /thumb
hit: a thumbnail the worker already knows exists (no S3 call), so the URL cache lookup and a 302 to the
presigned thumbnail, (3) GET /v1/download-urls for S3 keys drawn from 1000 distinct keys (URL cache hits
after the warm-up). Every server runs under router/gunicorn.conf.py with the same settings (JSON access
log on, to /dev/null). A round is SLICES slices of bare, /thumb, bare, /v1, one second each, and each
route's ratio is its req/s over the round against bare's over the same round: load from other work on a
shared machine comes and goes within seconds, so fine interleaving moves numerator and denominator
together. A round ends with one more bare slice, so every /thumb and /v1 slice sits between two bare
ones; the target is judged on the median over a round's slices of each slice's req/s against the mean of
its two neighbours (a second of disturbance then moves one slice's ratio, not the round's), and the
round totals' ratios are reported beside it. S3 is the local moto server in this process; each round
asks for its own 200 thumbnails. Its warm-up repeats until a whole slice makes no HEAD at the S3 server
(every worker has seen every thumbnail and keeps it in its exists-cache, 60 s), and the S3 server's
HEADs during the round are reported beside it: a /thumb hit makes none. Writes bench/results/hotroutes.md.
"""

import json
import logging
import os
import statistics
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
ROUNDS, SLICES, SLICE, WARMUP, TARGET = 3, 9, 1, 3, 0.9
MAX_WARMUP_SLICES = 20  # a round's thumbnails must be known by then, or the bench stops
THUMB_KEYS = [[f"hits/{n}/user-{i % 31}/IMG_{i:04d}.jpg" for i in range(200)] for n in range(ROUNDS)]


class HeadCounter(logging.Handler):
    """Counts the HEAD requests the local S3 server answers, from its werkzeug request log (not printed)."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if '"HEAD ' in record.getMessage():
            self.count += 1


def count_s3_heads() -> HeadCounter:
    """Route the werkzeug request log (the local S3 server's) to a HeadCounter only."""
    counter, log = HeadCounter(), logging.getLogger("werkzeug")
    log.handlers[:] = [counter]
    log.setLevel(logging.INFO)
    log.propagate = False
    return counter


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


def warm_thumbnails(router: tuple, script: str, heads: HeadCounter) -> int:
    """Ask for a round's thumbnails until a whole slice makes no S3 HEAD; returns the slices it took."""
    wrk_with_cpu(*router, script, seconds=WARMUP)
    for slices in range(1, MAX_WARMUP_SLICES + 1):
        before = heads.count
        wrk_with_cpu(*router, script, seconds=SLICE)
        if heads.count == before:
            return slices
    raise RuntimeError(f"the router still HEADs known thumbnails after {MAX_WARMUP_SLICES} warm-up slices")


def sandwiched(order: list[tuple[str, dict]], name: str) -> float:
    """The median over `name`'s slices of its req/s against the mean of the bare slices either side."""
    return statistics.median(run["rps"] * 2 / (order[i - 1][1]["rps"] + order[i + 1][1]["rps"])
                             for i, (slice_name, run) in enumerate(order) if slice_name == name)


def rounds(router: tuple, bare: tuple, heads: HeadCounter) -> list[dict]:
    """ROUNDS rounds of SLICES x (bare, /thumb, bare, /v1) and a last bare: routes totalled, slices sandwiched."""
    scripts = {"bare": lua_get("/bare?key=%s", KEYS), "v1": lua_get("/v1/download-urls?cloud=s3&key=%s", KEYS)}
    servers = {"bare": bare, "thumb": router, "v1": router}
    for name, script in scripts.items():
        wrk_with_cpu(*servers[name], script, seconds=WARMUP)
    out = []
    for keys in THUMB_KEYS:
        scripts["thumb"] = lua_get("/thumb/thumb50/%s", keys)
        warmup = warm_thumbnails(router, scripts["thumb"], heads)  # one HEAD per worker and thumbnail
        before, order = heads.count, []
        for name in ["bare", "thumb", "bare", "v1"] * SLICES + ["bare"]:
            order.append((name, wrk_with_cpu(*servers[name], scripts[name], seconds=SLICE)))
        runs = {name: total([run for slice_name, run in order if slice_name == name]) for name in servers}
        out.append(runs | {"heads": heads.count - before, "warmup": warmup,
                           "sandwiched": {name: sandwiched(order, name) for name in ("thumb", "v1")}})
    return out


def run_all() -> dict:
    heads = count_s3_heads()
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
        results = {"rounds": rounds(router, bare, heads), "body_bytes": len(json.dumps(sample))}
    finally:
        for proc in procs:
            stop(proc)
        server.stop()
    return results


def report(r: dict) -> str:
    from bench.__main__ import machine

    setup = (f"gunicorn: {gunicorn_settings()}, JSON access log on (to /dev/null), worker recycling off, the same "
             f"settings for every server. wrk on the same machine (it competes for the 2 cores), -t2 -c32, "
             f"{ROUNDS} rounds, each of {SLICES} x (bare, /thumb, bare, /v1) and one more bare, {SLICE}s each, after a "
             f"{WARMUP}s warm-up and then {SLICE}s /thumb slices until one makes no S3 HEAD. \"vs bare\": the median "
             f"over the round's slices of the slice's req/s against the mean of the two bare slices around it; "
             f"\"totals\": the round's req/s against bare's over the same round. Bare answer ~{r['body_bytes']} bytes "
             f"of JSON; /thumb requests send no Accept header. Load average at the end: {os.getloadavg()[0]:.1f}.")
    lines = ["## hotroutes\n", f"Machine: {machine()}. {setup}\n",
             "| round | bare req/s | /thumb hit req/s | /thumb vs bare | /thumb totals | GET /v1 req/s | /v1 vs bare "
             "| /v1 totals | worker CPU us/req: bare, /thumb, /v1 | S3 HEADs in the round | /thumb warm-up slices "
             "| errors |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    ratios: dict[str, list[float]] = {"thumb": [], "v1": []}
    totals: dict[str, list[float]] = {"thumb": [], "v1": []}
    for number, runs in enumerate(r["rounds"], 1):
        bare, thumb, v1 = runs["bare"], runs["thumb"], runs["v1"]
        for name in ("thumb", "v1"):
            ratios[name].append(runs["sandwiched"][name])
            totals[name].append(runs[name]["rps"] / bare["rps"])
        cpu = ", ".join(f"{x['cpu_us']:.0f}" for x in (bare, thumb, v1))
        errors = sum(runs[name]["errors"] for name in ("bare", "thumb", "v1"))
        lines.append(f"| {number} | {bare['rps']:.0f} | {thumb['rps']:.0f} | {ratios['thumb'][-1]:.2f}x "
                     f"| {totals['thumb'][-1]:.2f}x | {v1['rps']:.0f} | {ratios['v1'][-1]:.2f}x "
                     f"| {totals['v1'][-1]:.2f}x | {cpu} | {runs['heads']} | {runs['warmup']} | {errors} |")
    lines += ["", "Targets (every round, on \"vs bare\"; the totals beside them):"]
    for name, label in (("thumb", "/thumb hit"), ("v1", "GET /v1/download-urls")):
        ok = min(ratios[name]) >= TARGET
        lines.append(f"- {'MET' if ok else 'MISSED'}: {label} >= {TARGET}x bare in each of {ROUNDS} rounds: "
                     + ", ".join(f"{x:.2f}x" for x in ratios[name]) + " (totals: "
                     + ", ".join(f"{x:.2f}x" for x in totals[name]) + ")")
    return "\n".join(lines) + "\n"


def main() -> None:
    results = run_all()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(report(results))
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
