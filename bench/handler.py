"""Lambda handler benchmark: end-to-end images/second against a local S3 server, and cold import time.

(1) Every mate-backgrounds photo (or generated photos if the package is missing) is uploaded to
moto's S3 server running in its own process; the handler then processes one S3 event per
image (GET, make_thumbnail, PUT), sequentially like one Lambda instance. Reported per size
configuration, next to make_thumbnail alone on the same bytes (the S3 round-trip overhead).
(2) Cold import: fresh `python -c "import create_thumbnail"` processes against `python -c pass`
and `python -c "import boto3"`. Writes bench/results/handler.md.
"""

import io
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
LAMBDA_DIR = ROOT / "lambda"
REPORT = ROOT / "bench" / "results" / "handler.md"
MATE = Path("/usr/share/backgrounds/mate")
ROUNDS, IMPORT_RUNS = 2, 15
CONFIGS = [("50x50",), ("1440x1440",)]
ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
       "AWS_DEFAULT_REGION": "us-east-1"}


def corpus() -> dict[str, bytes]:
    """The mate-backgrounds photos, else 12 generated 2400x1600 JPEG/PNG photos."""
    files = sorted(p for p in MATE.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if files:
        return {f"mate/{p.parent.name}/{p.name}": p.read_bytes() for p in files}
    from PIL import Image, ImageDraw
    photos = {}
    for i in range(12):
        image = Image.radial_gradient("L").resize((2400, 1600)).convert("RGB")
        ImageDraw.Draw(image).ellipse((200 * i % 1600, 300, 800 + 100 * i, 1300), fill=(20 * i, 120, 200))
        out = io.BytesIO()
        image.save(out, "JPEG" if i % 2 else "PNG", quality=90)
        photos[f"generated/photo {i}.{'jpg' if i % 2 else 'png'}"] = out.getvalue()
    return photos


def start_s3_server() -> tuple[subprocess.Popen, str]:
    from tests.support.servers import free_port, wait_for_port

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, timeout=30)
    return process, f"http://127.0.0.1:{port}"


def event_for(bucket: str, key: str, size: int) -> dict:
    s3 = {"bucket": {"name": bucket}, "object": {"key": quote_plus(key, safe="/"), "size": size}}
    return {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "awsRegion": "us-east-1",
                         "s3": s3}]}


def time_handler(module, photos: dict[str, bytes], sizes: tuple[str, ...]) -> tuple[float, float]:
    """Best of ROUNDS: (wall, this process's CPU) seconds for the handler to process every photo once."""
    from thumbrouter.s3job import LambdaSettings, ThumbnailSpec

    module.SETTINGS = LambdaSettings(ThumbnailSpec(sizes=sizes))
    totals = []
    for _ in range(ROUNDS):
        started, cpu = time.perf_counter(), time.process_time()
        for key, data in photos.items():
            answer = module.handler(event_for("bench", key, len(data)), None)
            assert answer.get("created") == 1, (key, answer)
        totals.append((time.perf_counter() - started, time.process_time() - cpu))
    return min(totals)


def time_core(photos: dict[str, bytes], sizes: tuple[str, ...]) -> tuple[float, float]:
    """Best of ROUNDS: (wall, CPU) seconds for make_thumbnail alone over the same bytes and sizes."""
    from thumbrouter.imagecore import make_thumbnail

    totals = []
    for _ in range(ROUNDS):
        started, cpu = time.perf_counter(), time.process_time()
        for data in photos.values():
            for size in sizes:
                make_thumbnail(data, size)
        totals.append((time.perf_counter() - started, time.process_time() - cpu))
    return min(totals)


IMPORTS = [("pass", "python -c pass", "pass"), ("boto3", "python -c 'import boto3'", "import boto3"),
           ("handler", "python -c 'import create_thumbnail'", "import create_thumbnail")]


def cold_imports() -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of fresh interpreters per IMPORTS entry, with lambda/ on the path.

    The commands are interleaved so background load hits all of them alike; CPU time (user+sys
    of the child) is the steadier number on a busy machine.
    """
    env = {**os.environ, "PYTHONPATH": str(LAMBDA_DIR)}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in IMPORTS}
    for _ in range(IMPORT_RUNS):
        for name, _, code in IMPORTS:
            before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            samples[name].append((time.perf_counter() - started, cpu))
    return {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
            for name, runs in samples.items()}


def main() -> None:
    photos = corpus()
    megabytes = sum(map(len, photos.values())) / 1e6
    server, endpoint = start_s3_server()
    try:
        os.environ.update(ENV, AWS_ENDPOINT_URL_S3=endpoint)
        sys.path.insert(0, str(LAMBDA_DIR))
        import create_thumbnail
        from thumbrouter.s3job.client import default_s3_client

        s3 = default_s3_client()
        for bucket in ("bench", "benchresized"):
            s3.create_bucket(Bucket=bucket)
        for key, data in photos.items():
            s3.put_object(Bucket="bench", Key=key, Body=data)
        rows = []
        for sizes in CONFIGS:
            handler_s, core_s = time_handler(create_thumbnail, photos, sizes), time_core(photos, sizes)
            rows.append((",".join(sizes), handler_s, core_s))
    finally:
        server.terminate()
        server.wait(timeout=10)
    imports = cold_imports()
    write_report(len(photos), megabytes, rows, imports)


def write_report(count: int, megabytes: float, rows, imports: dict[str, tuple[float, float]]) -> None:
    source = "mate-backgrounds photos" if MATE.exists() else "generated photos"
    lines = ["## handler\n",
             f"Lambda handler end to end against moto's S3 server (separate process, loopback): {count} {source}, "
             f"{megabytes:.1f} MB, one S3 event per image, sequential (one Lambda instance). "
             f"Best of {ROUNDS} rounds.\n",
             "Wall time includes waiting for the S3 server (moto, pure Python, much slower than S3 for large "
             "bodies); CPU is this process only (boto3 + make_thumbnail), the steadier number on a busy machine.\n",
             "| THUMBNAIL_SIZES | images/s | wall ms/image | handler CPU ms/image | make_thumbnail CPU ms/image "
             "| handler CPU / make_thumbnail CPU |", "|---|---:|---:|---:|---:|---:|"]
    for sizes, (handler_s, handler_cpu), (_, core_cpu) in rows:
        lines.append(f"| {sizes} | {count / handler_s:.1f} | {1000 * handler_s / count:.1f} | "
                     f"{1000 * handler_cpu / count:.1f} | {1000 * core_cpu / count:.1f} | "
                     f"{handler_cpu / core_cpu:.2f}x |")
    lines += ["", f"Cold import (median of {IMPORT_RUNS} fresh interpreters each, interleaved; wall time includes "
              "interpreter start; CPU = user+sys of the child):\n",
              "| command | wall ms | CPU ms | CPU vs `python -c pass` | CPU vs `import boto3` |",
              "|---|---:|---:|---:|---:|"]
    for name, label, _ in IMPORTS:
        wall, cpu = imports[name]
        lines.append(f"| `{label}` | {1000 * wall:.0f} | {1000 * cpu:.0f} | {cpu / imports['pass'][1]:.2f}x | "
                     f"{cpu / imports['boto3'][1]:.2f}x |")
    lines.append("\nThe S3 client is created lazily on the first event, so it is not part of the import time.\n")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
