"""HEIC benchmark: a small preset from the embedded thumbnail vs the full decode vs libvips, in one run.

Phone-like HEICs (12 MP and 48 MP, a 320x240 embedded thumbnail as iPhones write) are made from a
mate photo with pillow-heif. Each (file, size, method) runs in a fresh subprocess (peak RSS is that
image's alone), warms up once, then reports the best CPU time of REPEATS:
- embedded: `make_thumbnail(data, size)`, which decodes the embedded thumbnail;
- full: `make_thumbnail` of the same file with the embedded thumbnail turned down (the primary is decoded),
  max_decoded_bytes raised so the 48 MP picture is decoded instead of refused (as it is by default);
- vips: `pyvips.Image.thumbnail_buffer` (which also takes a big enough embedded thumbnail), WebP q85,
  on Debian's libvips42 (APT_BENCH): pyvips-binary's own libheif is built without an HEVC decoder.
Run: `.venv/bin/python -m bench heic` (writes bench/results/heic.md).
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.thumbnails import QUALITY, _peak_rss_mb, decoded, psnr

SOURCE = Path("/usr/share/backgrounds/mate/nature/Garden.jpg")
RESULTS = Path(__file__).parent / "results" / "heic.md"
# name: (picture size, boxes); 160x160 is the biggest box a 320x240 thumbnail serves
FILES = {"12 MP": ((4032, 3024), ((50, 50), (160, 160))), "48 MP": ((8000, 6000), ((50, 50),))}
THUMBNAIL = 320  # long side of an iPhone's embedded thumbnail
METHODS = ("embedded", "full", "vips")
REPEATS = 3
WORKER_TIMEOUT = 300
FULL_BUDGET = 1024 * 1024 * 1024  # room for the 48 MP full decode, which the default budget refuses


def _embedded(data: bytes, size: tuple[int, int]) -> bytes:
    from thumbrouter.imagecore import make_thumbnail

    return make_thumbnail(data, size, quality=QUALITY).data


def _full(data: bytes, size: tuple[int, int]) -> bytes:
    from thumbrouter.imagecore import decode, make_thumbnail

    decode.load_embedded_thumbnail = lambda image, box: False  # the primary, as for a box too big for the thumbnail
    return make_thumbnail(data, size, quality=QUALITY, max_decoded_bytes=FULL_BUDGET).data


def _vips(data: bytes, size: tuple[int, int]) -> bytes:
    import pyvips

    image = pyvips.Image.thumbnail_buffer(data, size[0], height=size[1], size="down")
    strip = {"keep": "none"} if pyvips.at_least_libvips(8, 15) else {"strip": True}
    return image.write_to_buffer(".webp", Q=QUALITY, **strip)


def _system_libvips() -> None:
    """Make pyvips load the system's libvips (ABI mode): pyvips-binary's libheif cannot decode HEVC."""
    sys.modules["_libvips"] = None  # type: ignore[assignment]  # pyvips tries this module first


def worker(method: str, size_text: str, path_text: str) -> None:
    """Time one method on one file and print JSON: best CPU and wall ms, output bytes, peak RSS."""
    if method == "vips":
        _system_libvips()
        import pyvips

        pyvips.cache_set_max(0)
    size = tuple(int(v) for v in size_text.split("x"))
    data = Path(path_text).read_bytes()
    make = {"embedded": _embedded, "full": _full, "vips": _vips}[method]
    output = make(data, size)
    cpu, wall = [], []
    for _ in range(REPEATS):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        make(data, size)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start_wall) * 1000)
    print(json.dumps({"ms": min(cpu), "wall_ms": min(wall), "rss_mb": _peak_rss_mb(), "output": output.hex()}))


def measure(method: str, size: tuple[int, int], path: Path) -> dict:
    env = dict(os.environ, VIPS_CONCURRENCY="1")
    done = subprocess.run([sys.executable, "-m", "bench.heic", "worker", method, f"{size[0]}x{size[1]}", str(path)],
                          capture_output=True, text=True, timeout=WORKER_TIMEOUT, env=env,
                          cwd=Path(__file__).resolve().parents[1])
    if done.returncode:
        raise RuntimeError(f"{method} {size} {path}: {done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    result["output"] = bytes.fromhex(result["output"])
    return result


def make_files(folder: Path) -> dict[str, Path]:
    """Phone-like HEICs of SOURCE at each FILES size, each with a THUMBNAIL-pixel embedded thumbnail."""
    import pillow_heif
    from PIL import Image

    with Image.open(SOURCE) as source:
        picture = source.convert("RGB")
    paths = {}
    for name, (size, _) in FILES.items():
        buffer = io.BytesIO()
        pillow_heif.from_pillow(picture.resize(size, Image.Resampling.BICUBIC)).save(
            buffer, format="HEIF", quality=80, thumbnails=[THUMBNAIL])
        paths[name] = folder / f"{name.replace(' ', '')}.heic"
        paths[name].write_bytes(buffer.getvalue())
    return paths


def default_budget_verdict(path: Path) -> str:
    """What the default budgets do with the file at 1440x1440, where its thumbnail is too small."""
    from thumbrouter.imagecore import ThumbnailError, make_thumbnail

    try:
        made = make_thumbnail(path.read_bytes(), (1440, 1440))
        return f"thumbnailed at {made.width}x{made.height} (full decode)"
    except ThumbnailError as exc:
        return f"refused: {type(exc).__name__}"


def run(paths: dict[str, Path]) -> list[str]:
    lines = ["| file | size | embedded ms | full ms | vips ms | full/embedded | vips/embedded | embedded RSS MB "
             "| full RSS MB | vips RSS MB | PSNR embedded~full dB | PSNR vips~full dB |", "|" + "---|" * 12]
    for name, path in paths.items():
        for size in FILES[name][1]:
            row = {m: measure(m, size, path) for m in METHODS}
            pictures = {m: decoded(row[m]["output"]) for m in METHODS}
            ms = {m: row[m]["ms"] for m in METHODS}
            print(f"  {name} {size[0]}x{size[1]}: " + " ".join(f"{m}={ms[m]:.1f}ms" for m in METHODS), flush=True)
            quality = [psnr(pictures[m], pictures["full"]) for m in ("embedded", "vips")]
            lines.append(f"| {name} {FILES[name][0][0]}x{FILES[name][0][1]} | {size[0]}x{size[1]} | "
                         + " | ".join(f"{ms[m]:.1f}" for m in METHODS)
                         + f" | **{ms['full'] / ms['embedded']:.1f}x** | **{ms['vips'] / ms['embedded']:.2f}x** | "
                         + " | ".join(f"{row[m]['rss_mb']:.1f}" for m in METHODS) + " | "
                         + " | ".join(f"{v:.1f}" if v is not None else "size differs" for v in quality) + " |")
    return lines


def main() -> None:
    import pillow_heif

    from bench.__main__ import machine

    started = time.time()
    with tempfile.TemporaryDirectory() as folder:
        paths = make_files(Path(folder))
        table = run(paths)
        verdicts = [f"- {name} at 1440x1440 with the default budgets: {default_budget_verdict(path)}"
                    for name, path in paths.items()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join([
        "## heic\n", f"Machine: {machine()}  ",
        f"Libraries: pillow-heif {pillow_heif.__version__} (libheif {pillow_heif.libheif_version()}), "
        f"libvips {_vips_version()} (Debian's libvips42) via pyvips  ",
        f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {time.time() - started:.0f} s. "
        f"Files: {SOURCE.name} resized to each size and encoded by pillow-heif (quality 80) with a {THUMBNAIL}-pixel "
        f"embedded thumbnail. Time = CPU ms (process_time, all threads), best of {REPEATS} after one warm-up, fresh "
        "subprocess per file, size and method, `VIPS_CONCURRENCY=1`, libvips' operation cache off. RSS = that "
        "subprocess's peak (VmHWM: interpreter and libraries included). Ratios: the other method's time over "
        "embedded's (above 1 = the embedded path is faster).\n",
        "Methods: embedded = `make_thumbnail(data, size)` (decodes the embedded thumbnail: it is at least twice "
        "the output); full = the same call with the thumbnail turned down (the primary decoded), max_decoded_bytes "
        f"{FULL_BUDGET // 2**20} MiB so the 48 MP picture decodes; vips = `thumbnail_buffer`, WebP q{QUALITY}, "
        "metadata stripped. PSNR compares each output with full's (same size; 99 = identical).\n",
        *table, "", *verdicts, ""]))
    print(f"wrote {RESULTS}")


def _vips_version() -> str:
    done = subprocess.run([sys.executable, "-c", "import sys; sys.modules['_libvips'] = None; import pyvips; "
                           "print('.'.join(str(pyvips.version(i)) for i in range(3)))"],
                          capture_output=True, text=True, timeout=60)
    return done.stdout.strip()


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        worker(*sys.argv[2:5])
    else:
        main()
