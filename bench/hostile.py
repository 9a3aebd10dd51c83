"""Hostile-input benchmark: what make_thumbnail costs on files built to hurt it, beside real photos.

Every (case, size) runs in a fresh subprocess: it reads the file(s), warms up on a tiny image
(imports, plugins), takes its RSS as the baseline, resets the kernel's peak (/proc/self/clear_refs),
then calls make_thumbnail once per file and reports CPU seconds (process_time), wall seconds, peak
RSS above the baseline (VmHWM - baseline) and the outcome: a thumbnail, or the error type.
Targets: peak <= 400 MB above the interpreter; CPU <= 2 s at 50x50 and <= 5 s at
1440x1440, or a typed refusal within 0.2 s.

`HOSTILE_BEFORE=/path/to/old/lambda` adds a "before" column: the same workers importing the core from
that copy of a commit before the move to `thumbrouter/` (where the core was the package `thumbnails` in
lambda/), e.g. `git archive 555c843 lambda | tar -x -C /tmp/old` for the core before the budgets existed.
Run: `.venv/bin/python -m bench hostile` (writes bench/results/hostile.md).
"""

import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "hostile.md"
PHOTOS = Path("/usr/share/backgrounds/mate")
REAL = ("abstract/Elephants_5640x3172.jpg", "nature/GreenMeadow.jpg", "nature/Wood.jpg",
        "abstract/Arc-Colors-Transparent-Wallpaper.png", "desktop/MATE-Stripes-Dark.png")
SIZES = ((50, 50), (1440, 1440))
CPU_TARGET = {(50, 50): 2.0, (1440, 1440): 5.0}
RSS_TARGET_MB = 400
REFUSAL_TARGET_S = 0.2
TIMEOUT = 120
ICC_FILES = 16


def cases() -> dict:
    """name -> callable giving the bytes of one file, or a list of files made in one process."""
    from tests.support import hostile

    made = dict(hostile.CASES)
    made[f"jpeg-16mb-icc-x{ICC_FILES}-distinct"] = lambda: [hostile.huge_icc_jpeg(seed=s) for s in range(ICC_FILES)]
    for name in REAL:
        made[f"photo {name}"] = lambda path=PHOTOS / name: path.read_bytes()
    return made


# ---------------------------------------------------------------- worker (a fresh subprocess)

def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def worker(size_text: str, *paths: str) -> None:
    import io

    from PIL import Image

    # The core under test: this tree's, or (a "before" run) the old `thumbnails` package first on sys.path.
    imagecore = importlib.import_module(os.environ.get("HOSTILE_CORE", "thumbrouter.imagecore"))

    from thumbrouter.imagecore.allocator import reuse_freed_memory

    reuse_freed_memory()  # malloc as the Lambda functions set it (for every core measured)
    size = tuple(int(v) for v in size_text.split("x"))
    datas = [Path(p).read_bytes() for p in paths]
    for fmt in ("JPEG", "PNG", "WEBP", "GIF"):  # warm up: imports, plugins, encoders
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buffer, fmt)
        imagecore.make_thumbnail(buffer.getvalue(), size)
    baseline = _status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    outcomes = []
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    for data in datas:
        try:
            result = imagecore.make_thumbnail(data, size)
            degraded = " degraded" if result.degraded else ""
            outcomes.append(f"{result.width}x{result.height} {result.format}{degraded}")
        except imagecore.ThumbnailError as exc:
            outcomes.append(type(exc).__name__)
    cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
    print(json.dumps({"cpu": cpu, "wall": wall, "rss": _status("VmHWM") - baseline, "baseline": baseline,
                      "outcome": ", ".join(sorted(set(outcomes)))}))


# ---------------------------------------------------------------- the run

def measure(size: tuple[int, int], files: list[Path], core: Path | None) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(core) if core else "", str(ROOT)])))
    if core:
        env["HOSTILE_CORE"] = "thumbnails"
    command = [sys.executable, "-m", "bench.hostile", "worker", f"{size[0]}x{size[1]}", *map(str, files)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"cpu": float("nan"), "wall": TIMEOUT, "rss": float("nan"), "outcome": f"killed after {TIMEOUT} s"}
    if done.returncode:
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return {"cpu": float("nan"), "wall": float("nan"), "rss": float("nan"), "outcome": f"crashed: {tail[0][:80]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(before: Path | None) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in cases().items():
            made = make()
            datas = made if isinstance(made, list) else [made]
            files = []
            for index, data in enumerate(datas):
                files.append(Path(tmp) / f"{len(rows)}-{index}")
                files[-1].write_bytes(data)
            for size in SIZES:
                row = {"case": name, "bytes": sum(map(len, datas)), "size": size,
                       "after": measure(size, files, None)}
                if before:
                    row["before"] = measure(size, files, before)
                rows.append(row)
                print(f"  {size[0]}x{size[1]} {name}: " + _cell(row["after"]) +
                      (f"  (before: {_cell(row['before'])})" if before else ""), flush=True)
            for file in files:
                file.unlink()
    return rows


def _cell(m: dict) -> str:
    return f"{m['outcome']}, {m['cpu']:.2f} s CPU, {m['rss']:+.0f} MB"


def meets(row: dict) -> bool:
    m = row["after"]
    if m["outcome"].endswith("Error") and "," not in m["outcome"] and not m["outcome"].startswith("photo"):
        return m["cpu"] <= REFUSAL_TARGET_S and m["rss"] <= RSS_TARGET_MB
    return m["cpu"] <= CPU_TARGET[row["size"]] and m["rss"] <= RSS_TARGET_MB


def report(rows: list[dict], before: Path | None, seconds: float) -> str:
    import PIL
    from PIL import features

    from bench.__main__ import machine

    head = "| case | input bytes | box | outcome | CPU s | wall s | peak MB above baseline | target |"
    if before:
        head += " before: outcome | before: CPU s | before: peak MB |"
    lines = ["## hostile\n", f"Machine: {machine()}  ",
             f"Libraries: Pillow {PIL.__version__} (libjpeg-turbo {features.version('libjpeg_turbo')}, "
             f"libwebp {features.version('webp')}, libavif {features.version('avif')}), "
             f"pillow-heif {_heif_versions()}, resize: {_resize_path()}  ",
             f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {seconds:.0f} s. One fresh subprocess per "
             "case and box; CPU = process_time of the make_thumbnail call(s) only; peak = VmHWM after the call minus "
             "VmRSS before it (interpreter, Pillow, the input bytes and a warm-up excluded). Targets: a thumbnail "
             f"within {CPU_TARGET[(50, 50)]:.0f} s CPU at 50x50 / {CPU_TARGET[(1440, 1440)]:.0f} s at 1440x1440, "
             f"or a typed refusal within {REFUSAL_TARGET_S} s; peak <= {RSS_TARGET_MB} MB either way."
             + (f" \"before\" = the core from {before} (e.g. a git archive of an older commit), same run."
                if before else "") + "\n",
             head, "|" + "---|" * (head.count("|") - 1)]
    for row in rows:
        m = row["after"]
        line = (f"| {row['case']} | {row['bytes']} | {row['size'][0]}x{row['size'][1]} | {m['outcome']} | "
                f"{m['cpu']:.3f} | {m['wall']:.3f} | {m['rss']:.0f} | {'met' if meets(row) else 'MISSED'} |")
        if before:
            b = row["before"]
            line += f" {b['outcome']} | {b['cpu']:.2f} | {b['rss']:.0f} |"
        lines.append(line)
    lines += ["", summary(rows, before), ""]
    return "\n".join(lines)


def _heif_versions() -> str:
    import pillow_heif

    return f"{pillow_heif.__version__} (libheif {pillow_heif.libheif_version()})"


def _resize_path() -> str:
    """The resampler this tree's core runs here (the workers import the same one)."""
    from thumbrouter.imagecore import resample

    return resample.describe()


def summary(rows: list[dict], before: Path | None) -> str:
    out = []
    for size in SIZES:
        mine = [r for r in rows if r["size"] == size]
        worst_cpu = max(mine, key=lambda r: r["after"]["cpu"])
        worst_rss = max(mine, key=lambda r: r["after"]["rss"])
        refusals = [r["after"]["cpu"] for r in mine if r["after"]["outcome"].endswith("Error")]
        missed = [r["case"] for r in mine if not meets(r)]
        out.append(f"- {size[0]}x{size[1]}: worst CPU **{worst_cpu['after']['cpu']:.2f} s** ({worst_cpu['case']}; "
                   f"target {CPU_TARGET[size]:.0f} s), worst peak **{worst_rss['after']['rss']:.0f} MB** "
                   f"({worst_rss['case']}; target {RSS_TARGET_MB} MB), slowest refusal "
                   f"**{max(refusals, default=0):.3f} s** (target {REFUSAL_TARGET_S} s): "
                   + ("all targets MET" if not missed else f"MISSED on {', '.join(missed)}"))
        if before:
            worst = max((r["before"]["cpu"] for r in mine if r["before"]["cpu"] == r["before"]["cpu"]), default=0)
            peak = max((r["before"]["rss"] for r in mine if r["before"]["rss"] == r["before"]["rss"]), default=0)
            killed = [r["case"] for r in mine if "killed" in r["before"]["outcome"]]
            out.append(f"  - before: worst CPU {worst:.1f} s, worst peak {peak:.0f} MB"
                       + (f", killed after {TIMEOUT} s: {', '.join(killed)}" if killed else ""))
    photos = [r for r in rows if r["case"].startswith("photo") and before]
    if photos:
        new, old = sum(r["after"]["cpu"] for r in photos), sum(r["before"]["cpu"] for r in photos)
        out.append(f"- real photos, total CPU now / before: {new:.3f} s / {old:.3f} s = {new / old:.2f}x "
                   "(single runs; the checks walk the file once)")
    return "\n".join(out)


def main() -> None:
    before = Path(os.environ["HOSTILE_BEFORE"]) if os.environ.get("HOSTILE_BEFORE") else None
    started = time.time()
    rows = run(before)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report(rows, before, time.time() - started))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        worker(*sys.argv[2:])
    else:
        main()
