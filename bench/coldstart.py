"""Router cold start on Lambda: import plus the first /v1 request, from the unzipped router artifact in fresh
interpreters, beside a bare Flask app through the same adapter (apig-wsgi), measured in one run.

The artifact is built for this interpreter (build-lambda --function router --platform local), unzipped, and
run with `python -S` on only the zip and boto3 (what the Lambda runtime adds), configured as a deployment is:
S3 with lazy /thumb links, the lambda generation backend, API tokens, signing keys. Each child times its own
import and first Function URL event (GET /v1/download-urls, a SigV4 signature: no network); the parent times
the whole child (interpreter start included) and its CPU. Writes bench/results/coldstart.md.
"""

import compileall
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from py_compile import PycInvalidationMode

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "results" / "coldstart.md"
RUNS = 8
TOKEN = "bench-token-0123456789abcdef"
BARE_APP = '''
from apig_wsgi import make_lambda_handler
from flask import Flask

app = Flask("bare")


@app.get("/v1/download-urls")
def download_urls():
    return {"download_url": "https://example.com/a.jpg"}


handler = make_lambda_handler(app, binary_support=True)
'''
CHILD = '''
import json, sys, time
started = time.perf_counter()
import {module} as entry
imported = time.perf_counter()
answer = entry.handler(json.loads(sys.argv[1]), None)
done = time.perf_counter()
assert answer["statusCode"] == 200, answer
print(json.dumps({{"import_ms": (imported - started) * 1000, "first_ms": (done - imported) * 1000}}))
'''
ROUTER_ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "session",
    "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true", "PYTHONDONTWRITEBYTECODE": "1",
    "THUMBROUTER_S3_BUCKET": "photos", "THUMBROUTER_DOMESTIC_COUNTRIES": "", "THUMBROUTER_API_TOKENS": TOKEN,
    "THUMBROUTER_GENERATION_BACKEND": "lambda", "THUMBROUTER_GENERATION_LAMBDA": "thumbnails-on-demand",
    "THUMBROUTER_URL_SIGNING_KEYS": "signing-key-0123456789abcdef", "THUMBROUTER_S3_THUMBNAIL_MODE": "lazy",
    "THUMBROUTER_PUBLIC_BASE_URL": "https://images.example.com",
}


def prepare(where: Path) -> tuple[Path, Path, Path]:
    """(unzipped router artifact, bare app dir, runtime dir with boto3)."""
    from tests.support.function_url import lambda_runtime_dir, unzip
    from thumbrouter.cli.build_lambda import BuildRequest, ensure_artifact, local_target

    artifact = ensure_artifact(BuildRequest(target=local_target("router"), out_dir=where / "dist",
                                            cache_dir=ROOT / "dist" / ".cache" / "wheels"))
    bare = where / "bare"
    bare.mkdir()
    (bare / "bare_lambda.py").write_text(BARE_APP)
    return unzip(artifact.path, where / "task"), bare, lambda_runtime_dir(where / "runtime")


def run_child(module: str, path: str, event: dict) -> dict:
    env = {**ROUTER_ENV, "PYTHONPATH": path}
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([sys.executable, "-S", "-c", CHILD.format(module=module), json.dumps(event)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{module} failed:\n{done.stderr[-2000:]}")
    timed = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
    return {**timed, "wall_ms": wall, "cpu_ms": cpu}


def main() -> None:
    from bench.__main__ import machine
    from tests.support.function_url import function_url_event

    event = function_url_event("GET", "/v1/download-urls", "key=photos%2Fcat.jpg",
                               headers={"authorization": f"Bearer {TOKEN}"})
    with tempfile.TemporaryDirectory(prefix="bench-coldstart-") as tmp:
        task, bare, runtime = prepare(Path(tmp))
        compiled = Path(tmp) / "task-compiled"
        shutil.copytree(task, compiled)
        compileall.compile_dir(compiled, quiet=1, invalidation_mode=PycInvalidationMode.UNCHECKED_HASH)
        cases = {"bare Flask + apig-wsgi": ("bare_lambda", f"{bare}:{task}:{runtime}"),
                 "router artifact (router_lambda)": ("router_lambda", f"{task}:{runtime}"),
                 "router artifact + .pyc (not what build-lambda ships)": ("router_lambda", f"{compiled}:{runtime}")}
        runs: dict[str, list[dict]] = {name: [] for name in cases}
        for _ in range(RUNS):  # interleaved, so load changes hit both alike
            for name, (module, path) in cases.items():
                runs[name].append(run_child(module, path, event))
    medians = {name: {field: statistics.median(run[field] for run in items) for field in items[0]}
               for name, items in runs.items()}
    write_report(medians, machine())
    print(REPORT.read_text())


def write_report(medians: dict[str, dict[str, float]], machine_line: str) -> None:
    base = medians["bare Flask + apig-wsgi"]
    lines = ["## coldstart", "",
             "Router cold start: a fresh `python -S` on the unzipped router artifact and boto3 only (as on Lambda), "
             "configured like a deployment (S3, lazy /thumb links, lambda generation backend, tokens, signing keys), "
             "imports `router_lambda` and answers one Function URL event, `GET /v1/download-urls` (a SigV4 "
             "signature, no network). Beside it a bare Flask app through the same adapter answers the same route. "
             f"Median of {RUNS} runs each, interleaved. Wall includes interpreter start; CPU is user+sys of the child.",
             "", f"Machine: {machine_line}", "",
             "| function | import ms | first request ms | import + first ms | wall ms | CPU ms | CPU vs bare |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, m in medians.items():
        lines.append(f"| {name} | {m['import_ms']:.0f} | {m['first_ms']:.1f} | {m['import_ms'] + m['first_ms']:.0f} "
                     f"| {m['wall_ms']:.0f} | {m['cpu_ms']:.0f} | {m['cpu_ms'] / base['cpu_ms']:.2f}x |")
    lines += ["", "The zip ships sources only and Lambda's /var/task is read-only, so every cold start compiles every "
              "module it imports; the `.pyc` row is the same artifact with bytecode compiled beforehand for this "
              "interpreter (unchecked-hash .pyc), what shipping bytecode for the target Python would save. "
              "Where the router's import time goes (cProfile of one import): `compile` of sources is about half; "
              "redis (imported with /thumb, which imports redis.asyncio) and Flask are the largest packages.",
              "", "On Lambda the REPORT line's Init Duration is the import column plus the runtime's own start; the "
              "router's first EMF line carries its InitDuration (module import to app ready).", ""]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
