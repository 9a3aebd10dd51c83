"""Output bytes: make_thumbnail against libvips per image, for JPEG, PNG, WebP and AVIF, at 50x50 and 1440x1440.

Both take the same original bytes and shrink only (fit), strip metadata and encode with comparable
settings (listed in the report). Bytes are per image, with the ratio ours / libvips and totals per
format and size; CPU is process time of each call (one run per image and method, in this process,
libvips with one thread and no operation cache). Run: `.venv/bin/python -m bench bytes`
(writes bench/results/bytes.md).
"""

import os
import time
from pathlib import Path

CORPUS = Path("/usr/share/backgrounds/mate")
RESULTS = Path(__file__).parent / "results" / "bytes.md"
SIZES = ((50, 50), (1440, 1440))
FORMATS = ("JPEG", "PNG", "WEBP", "AVIF")
QUALITY = 85
# libvips' savers with the settings imagecore/encode.py uses: JPEG Q, WebP Q at effort 4 (libwebp method 4),
# AVIF at Q-25 and effort 1 (libavif speed 8 = 9 - effort); PNG at libvips' defaults (zlib level 6).
VIPS_SAVE = {"JPEG": (".jpg", {"Q": QUALITY}), "PNG": (".png", {}),
             "WEBP": (".webp", {"Q": QUALITY, "effort": 4}), "AVIF": (".avif", {"Q": QUALITY - 25, "effort": 1})}
# The two Elephants originals at 3840 and 5640 px repeat Elephants.jpg at 8 and 16 MB: left out to keep
# the run near 2 minutes on 2 cores (their decode cost is measured in bench/results/thumbnails.md).
SKIPPED = ("Elephants_3840x2160.jpg", "Elephants_5640x3172.jpg")


def corpus() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".jpg", ".png") and p.name not in SKIPPED)


def ours(data: bytes, size: tuple[int, int], fmt: str) -> bytes:
    from thumbrouter.imagecore import make_thumbnail

    return make_thumbnail(data, size, quality=QUALITY, output_format=fmt).data


def vips(data: bytes, size: tuple[int, int], fmt: str) -> bytes:
    import pyvips

    image = pyvips.Image.thumbnail_buffer(data, size[0], height=size[1], size="down")
    if fmt == "JPEG" and image.hasalpha():
        image = image.flatten(background=[255] * (image.bands - 1))  # as ours: alpha on white for JPEG
    suffix, options = VIPS_SAVE[fmt]
    return image.write_to_buffer(suffix, keep="none", **options)


def measure(method, data: bytes, size: tuple[int, int], fmt: str) -> tuple[int, float]:
    """(output bytes, CPU seconds of the call)."""
    started = time.process_time()
    out = method(data, size, fmt)
    return len(out), time.process_time() - started


def run(paths: list[Path]) -> dict:
    """(size, fmt) -> {"rows": [(name, ours, vips)], "cpu": [ours s, vips s]}."""
    results = {(size, fmt): {"rows": [], "cpu": [0.0, 0.0]} for size in SIZES for fmt in FORMATS}
    for path in paths:
        data = path.read_bytes()
        for size in SIZES:
            for fmt in FORMATS:
                entry = results[(size, fmt)]
                (a, cpu_a), (b, cpu_b) = measure(ours, data, size, fmt), measure(vips, data, size, fmt)
                entry["rows"].append((path.name, a, b))
                entry["cpu"][0] += cpu_a
                entry["cpu"][1] += cpu_b
    return results


def _kb(n: int) -> str:
    return f"{n / 1024:.1f}"


def report(paths: list[Path], results: dict, seconds: float) -> str:
    import pyvips

    from bench.__main__ import machine

    lines = ["## bytes\n", f"Machine: {machine()}  ",
             f"Libraries: libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)} via pyvips; "
             "ours: thumbrouter.imagecore (Pillow)  ",
             f"Corpus: {len(paths)} of the mate-backgrounds photos (every JPEG and PNG except the 8 and 16 MB "
             f"Elephants_3840x2160/5640x3172, which repeat Elephants.jpg).  ",
             f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {seconds:.0f} s, one call per image, "
             "method, size and format; CPU = process time of the call (decode + resize + encode).\n",
             "Ours: `make_thumbnail(data, size, quality=85, output_format=fmt)` (JPEG q85 4:2:0; PNG: Pillow below "
             "256x256 px, our own writer above; WebP q85 method 4; AVIF q60 speed 8). libvips: "
             "`thumbnail_buffer(data, w, height=h, size=\"down\")`, alpha flattened on white for JPEG, then "
             "`write_to_buffer` with `keep=none` and `.jpg[Q=85]`, `.png` (defaults: zlib 6, adaptive filter), "
             "`.webp[Q=85,effort=4]`, `.avif[Q=60,effort=1]`. Ratio = ours / libvips bytes (below 1: ours smaller).\n",
             "### Totals\n", "| size | format | ours KB | libvips KB | ratio | ours CPU s | libvips CPU s |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for (size, fmt), entry in results.items():
        a, b = sum(r[1] for r in entry["rows"]), sum(r[2] for r in entry["rows"])
        lines.append(f"| {size[0]}x{size[1]} | {fmt} | {_kb(a)} | {_kb(b)} | {a / b:.2f} | "
                     f"{entry['cpu'][0]:.2f} | {entry['cpu'][1]:.2f} |")
    for size in SIZES:
        lines += ["", f"### Per image at {size[0]}x{size[1]}: ours / libvips KB (ratio)\n",
                  "| image | " + " | ".join(FORMATS) + " |", "| --- |" + " ---: |" * len(FORMATS)]
        for i, path in enumerate(paths):
            cells = [results[(size, fmt)]["rows"][i] for fmt in FORMATS]
            lines.append(f"| {path.name} | " + " | ".join(f"{_kb(a)} / {_kb(b)} ({a / b:.2f})" for _, a, b in cells)
                         + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    os.environ["VIPS_CONCURRENCY"] = "1"  # before pyvips loads libvips: one image per core, as production runs
    import pyvips

    pyvips.cache_set_max(0)
    paths = corpus()
    if not paths:
        raise SystemExit(f"no photos in {CORPUS}: apt-get install mate-backgrounds")
    for fmt in FORMATS:  # warm-up: imports and codec set-up are not charged to the first image
        ours(paths[0].read_bytes(), SIZES[0], fmt), vips(paths[0].read_bytes(), SIZES[0], fmt)
    started = time.monotonic()
    results = run(paths)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report(paths, results, time.monotonic() - started))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
