"""Router HTTP benchmark: wrk on loopback against gunicorn (router/gunicorn.conf.py) in one run.

Scenarios: (1) a bare Flask endpoint returning a constant JSON of the router's answer size (the
ceiling), (2) a naive endpoint presigning both S3 URLs with boto3 on every request, (3) GET
/v1/download-urls for S3 keys drawn from 1000 distinct keys, (4) the same for Qiniu, (5) POST batches
of 100 keys (one connection, so the median is service time, not queueing). Every server runs with the
same gunicorn settings; signing is local, so no S3 server is needed. All servers run at once and the
scenarios are interleaved over several short rounds; each scenario's least disturbed round (highest
req/s) is reported, with the median beside it, so a noisy neighbour on a shared machine does not
decide the ratios. Writes bench/results/router.md.
"""

import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "results" / "router.md"
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "router" / "gunicorn.conf.py")]
TOKEN = "bench-token-0123456789abcdef"
KEYS = [f"photos/user-{i % 97}/IMG_{i:04d} holiday.jpg" for i in range(1000)]
DURATION, WARMUP, ROUNDS, THREADS, CONNECTIONS = 4, 5, 5, 2, 32
ENV = {
    "THUMBROUTER_S3_BUCKET": "bench-photos", "THUMBROUTER_S3_REGION": "us-east-1",
    "THUMBROUTER_QINIU_ACCESS_KEY": "bench-access-key", "THUMBROUTER_QINIU_SECRET_KEY": "bench-secret-key-0123456789",
    "THUMBROUTER_QINIU_BUCKET": "bench-kodo", "THUMBROUTER_QINIU_DOMAIN": "img.example.cn",
    "THUMBROUTER_API_TOKENS": TOKEN, "AWS_ACCESS_KEY_ID": "AKIABENCHBENCHBENCH0",
    "AWS_SECRET_ACCESS_KEY": "bench/secret/key/bench/secret/key/bench0", "AWS_REGION": "us-east-1",
    "GUNICORN_ACCESSLOG": "-",
}


# --- the two comparison apps, loaded by gunicorn as 'bench.router:bare_app()' / 'bench.router:naive_app()'

def bare_app():
    """A Flask app whose one endpoint returns the router's sample answer as a constant dict."""
    from flask import Flask, jsonify

    app = Flask("bare")
    body = json.loads(os.environ["BENCH_BARE_BODY"])
    app.add_url_rule("/bare", "bare", lambda: jsonify(body))
    return app


def naive_app():
    """The seed's approach: presign the original and the thumbnail with boto3 on every request."""
    import boto3
    from botocore.config import Config
    from flask import Flask, jsonify, request

    from thumbrouter.imagecore import thumbnail_key

    s3 = boto3.client("s3", region_name="us-east-1", config=Config(signature_version="s3v4"))
    app = Flask("naive")

    def naive():
        key = request.args["key"]
        sign = lambda bucket, k: s3.generate_presigned_url(  # noqa: E731
            "get_object", Params={"Bucket": bucket, "Key": k}, ExpiresIn=3600)
        return jsonify({"cloud": "s3", "download_url": sign("bench-photos", key),
                        "thumbnail_url": sign("bench-photosresized", thumbnail_key(key)), "expires_at": 0})

    app.add_url_rule("/naive", "naive", naive)
    return app


# --- harness

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(app_spec: str, extra_env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start gunicorn on a free loopback port and wait for it to answer."""
    port = free_port()
    env = {**os.environ, **ENV, **(extra_env or {}), "GUNICORN_BIND": f"127.0.0.1:{port}"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen([*GUNICORN, app_spec], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn {app_spec} exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            requests.get(base + "/", timeout=2)
            return proc, base
        except requests.RequestException:  # not bound yet, or workers still importing
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"gunicorn {app_spec} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCHJSON {"requests":%d,"duration_us":%d,"p50":%d,"p90":%d,"p99":%d,'
    .. '"errors":%d,"non2xx":%d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def lua_get(path_format: str, keys: list[str]) -> str:
    """A wrk script sending GET requests for keys picked at random."""
    quoted = ",".join(json.dumps(requests.utils.quote(k, safe="")) for k in keys)
    return f"""
local keys = {{{quoted}}}
local headers = {{["Authorization"] = "Bearer {TOKEN}"}}
request = function()
  local k = keys[math.random(#keys)]
  return wrk.format("GET", string.format({json.dumps(path_format)}, k), headers)
end
""" + LUA_DONE


def lua_batch(keys: list[str], size: int = 100) -> str:
    """A wrk script POSTing batches of `size` S3 keys, rotating through all keys."""
    bodies = [json.dumps({"items": [{"key": k, "cloud": "s3"} for k in keys[i:i + size]]})
              for i in range(0, len(keys), size)]
    quoted = ",".join("[==[" + b + "]==]" for b in bodies)
    return f"""
local bodies = {{{quoted}}}
local headers = {{["Authorization"] = "Bearer {TOKEN}", ["Content-Type"] = "application/json"}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/v1/download-urls", headers, bodies[(n % #bodies) + 1])
end
""" + LUA_DONE


def lua_cold_batch(size: int = 100) -> str:
    """A wrk script POSTing batches of `size` keys never asked for before: every item is a cache miss."""
    return f"""
local headers = {{["Authorization"] = "Bearer {TOKEN}", ["Content-Type"] = "application/json"}}
local n = 0
request = function()
  n = n + 1
  local items = {{}}
  for i = 1, {size} do items[i] = string.format('{{"key":"cold/%d/%d.jpg","cloud":"s3"}}', n, i) end
  return wrk.format("POST", "/v1/download-urls", headers, '{{"items":[' .. table.concat(items, ",") .. ']}}')
end
""" + LUA_DONE


def wrk(base: str, script: str, threads: int = THREADS, connections: int = CONNECTIONS,
        seconds: int = DURATION) -> dict:
    """Run wrk with a Lua script; returns rps and latency percentiles in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run([shutil.which("wrk") or "/usr/bin/wrk", f"-t{threads}", f"-c{connections}",
                              f"-d{seconds}s", "--timeout", "5s", "-s", handle.name, base],
                             capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    finally:
        os.unlink(handle.name)
    data = json.loads(re.search(r"BENCHJSON (\{.*\})", out).group(1))
    return {"rps": data["requests"] / (data["duration_us"] / 1e6), "p50": data["p50"] / 1000,
            "p90": data["p90"] / 1000, "p99": data["p99"] / 1000, "errors": data["errors"] + data["non2xx"],
            "requests": data["requests"]}


def worker_cpu(proc: subprocess.Popen) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each gunicorn worker of `proc`."""
    seconds = {}
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        seconds[child.pid] = times.user + times.system
    return seconds


def wrk_with_cpu(proc: subprocess.Popen, base: str, script: str, **options) -> dict:
    """wrk, plus the workers' CPU time per request: a cost figure that other load on the machine barely moves."""
    before = worker_cpu(proc)
    result = wrk(base, script, **options)
    after = worker_cpu(proc)
    if set(before) == set(after) and result["requests"]:  # no worker recycled (max_requests) during the run
        result["cpu_us"] = sum(after[pid] - before[pid] for pid in after) / result["requests"] * 1e6
    return result


def best_run(runs: list[dict]) -> dict:
    """The round with the highest req/s (least disturbed by other work), plus medians and errors of all."""
    out = dict(max(runs, key=lambda r: r["rps"]))
    out["median_rps"] = statistics.median(r["rps"] for r in runs)
    cpu = [r["cpu_us"] for r in runs if "cpu_us" in r]
    out["cpu_us"] = statistics.median(cpu) if cpu else float("nan")
    out["errors"] = sum(r["errors"] for r in runs)
    return out


def sample_answer(base: str) -> dict:
    answer = requests.get(base + "/v1/download-urls", params={"key": KEYS[0], "cloud": "s3"},
                          headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    answer.raise_for_status()
    return answer.json()


def scenarios(router, bare, naive) -> dict[str, tuple]:
    """name -> ((gunicorn process, base URL), wrk script, wrk options)."""
    keys = KEYS[:]
    random.Random(7).shuffle(keys)
    return {
        "bare": (bare, lua_get("/bare?key=%s", keys), {}),
        "naive": (naive, lua_get("/naive?key=%s", keys), {}),
        "s3": (router, lua_get("/v1/download-urls?cloud=s3&key=%s", keys), {}),
        "qiniu": (router, lua_get("/v1/download-urls?cloud=qiniu&key=%s", keys), {}),
        "batch": (router, lua_batch(keys), {"threads": 1, "connections": 1}),
    }


def run_all() -> dict:
    servers = []
    try:
        servers.append(router := start("thumbrouter.router:create_app()"))
        sample = sample_answer(router[1])
        servers.append(bare := start("bench.router:bare_app()", {"BENCH_BARE_BODY": json.dumps(sample)}))
        servers.append(naive := start("bench.router:naive_app()"))
        plan = scenarios(router, bare, naive)
        for (_, base), script, options in plan.values():  # warm-up: caches filled, threads spawned
            wrk(base, script, seconds=WARMUP, **options)
        runs: dict[str, list[dict]] = {name: [] for name in plan}
        for _ in range(ROUNDS):
            for name, ((proc, base), script, options) in plan.items():
                runs[name].append(wrk_with_cpu(proc, base, script, **options))
        # Last, because it floods the URL cache with keys nobody asks for again.
        runs["cold"] = [wrk_with_cpu(*router, lua_cold_batch(), threads=1, connections=1)]
    finally:
        for proc, _ in servers:
            stop(proc)
    results = {name: best_run(r) for name, r in runs.items()}
    results["body_bytes"] = len(json.dumps(sample))
    return results


def gunicorn_settings() -> str:
    namespace: dict = {}
    exec(compile((ROOT / "router" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    if namespace.get("_OWN_METRICS_DIR"):
        shutil.rmtree(namespace["os"].environ.pop("PROMETHEUS_MULTIPROC_DIR"), ignore_errors=True)
    return f"{namespace['workers']} workers x {namespace['threads']} threads ({namespace['worker_class']})"


def report(r: dict) -> str:
    from bench.__main__ import machine

    bare = r["bare"]
    rows = [("(1) bare Flask, constant JSON (ceiling)", "bare"),
            ("(2) naive: boto3 presign x2 per request", "naive"),
            ("(3) GET /v1/download-urls, S3, 1000 keys", "s3"),
            ("(4) GET /v1/download-urls, Qiniu, 1000 keys", "qiniu"),
            ("(5) POST batch of 100 S3 keys, 1 connection", "batch"),
            ("(5b) the same with 100 never-seen keys (all cache misses), one run", "cold")]
    lines = ["## router\n", f"Machine: {machine()}. gunicorn: {gunicorn_settings()}, JSON access log on "
             f"(to /dev/null). wrk on the same machine (it competes for the 2 cores), -t{THREADS} -c{CONNECTIONS}, "
             f"{ROUNDS} interleaved rounds of {DURATION}s per scenario after a {WARMUP}s warm-up each; figures "
             f"from each scenario's best round (batch: -t1 -c1). Answer body ~{r['body_bytes']} bytes. "
             f"Load average at the end: {os.getloadavg()[0]:.1f}.\n",
             "| scenario | req/s (best round) | req/s (median) | p50 ms | p90 ms | p99 ms | errors | rps vs (1) "
             "| p99 vs (1) | worker CPU us/req |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, name in rows:
        x = r[name]
        lines.append(f"| {label} | {x['rps']:.0f} | {x['median_rps']:.0f} | {x['p50']:.2f} | {x['p90']:.2f} "
                     f"| {x['p99']:.2f} | {x['errors']} | {x['rps'] / bare['rps']:.2f}x "
                     f"| {x['p99'] / bare['p99']:.2f}x | {x['cpu_us']:.0f} |")
    s3, batch = r["s3"], r["batch"]
    by_median = s3["median_rps"] / bare["median_rps"]
    checks = [(f"(3) >= 0.8x the req/s of (1): {s3['rps'] / bare['rps']:.2f}x best round "
               f"({by_median:.2f}x by median)", s3["rps"] >= 0.8 * bare["rps"]),
              (f"(3) p99 <= 1.5x (1)'s: {s3['p99'] / bare['p99']:.2f}x", s3["p99"] <= 1.5 * bare["p99"]),
              (f"batch of 100 median < 10 ms: {batch['p50']:.2f} ms", batch["p50"] < 10)]
    lines += ["", f"Worker CPU per request (gunicorn included), (3) vs (1): {s3['cpu_us'] / bare['cpu_us']:.2f}x, "
              "median over rounds. Unlike req/s it barely moves when other work shares the machine; at most "
              "1.25x means at least 0.8x the req/s wherever the workers are the bottleneck. On a shared machine "
              "single rounds swing by a third or more, so read the ratios of one run, not absolute numbers."]
    lines += ["", "Targets:"] + [f"- {'MET' if ok else 'MISSED'}: {text}" for text, ok in checks]
    return "\n".join(lines) + "\n"


def main() -> None:
    results = run_all()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(report(results))
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
