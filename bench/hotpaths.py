"""The hand-written hot paths next to the library call they replace, timed in one run.

Each row earns its module its place (STYLE: every hand-written replacement of a library earns a bench
row): (1) router/storage/sigv4.presign_get vs botocore's presigner (`generate_presigned_url`),
(2) imagecore/png.encode_png vs Pillow's PNG encoder on 1440x1440 thumbnails, (3) imagecore/
jpeg_scans.dc_scans_only + a 1/8-scale draft decode vs the plain draft decode of a progressive JPEG.
timeit, best of 5 repeats, each repeat long enough to take ~0.2 s. Writes bench/results/hotpaths.md.
"""

import io
import time
import timeit
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "results" / "hotpaths.md"
MATE = Path("/usr/share/backgrounds/mate")
PHOTO = MATE / "abstract" / "Elephants_5640x3172.jpg"
TRANSPARENT = MATE / "abstract" / "Arc-Colors-Transparent-Wallpaper.png"
REPEATS = 5


def per_call(fn) -> float:
    """Seconds per call: best of REPEATS repeats, each of enough calls to take ~0.2 s."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, number)
    return min(timer.repeat(REPEATS, number)) / number


# -- (1) SigV4 presigning ------------------------------------------------------------------------

def sigv4_rows() -> list[tuple]:
    import boto3
    from botocore.config import Config

    from thumbrouter.router.storage.sigv4 import presign_get

    region, bucket, key = "eu-west-1", "photos", "users/42/IMG 1234.jpg"
    client = boto3.client("s3", region_name=region, aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                          aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                          config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))
    credentials = client._request_signer._credentials.get_frozen_credentials()
    url = f"https://{bucket}.s3.{region}.amazonaws.com/users/42/IMG%201234.jpg"
    ours = per_call(lambda: presign_get(url, credentials, region, signed_at=int(time.time()), expires=3600))
    theirs = per_call(lambda: client.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=3600))
    return [("SigV4 presigned GET URL", "sigv4.presign_get", ours, "botocore generate_presigned_url", theirs, "")]


# -- (2) PNG writer ------------------------------------------------------------------------------

def thumbnails_1440() -> dict[str, "Image.Image"]:
    """1440x1440 RGB from a photo and RGBA from a transparent wallpaper (generated if missing)."""
    from PIL import Image

    if PHOTO.exists() and TRANSPARENT.exists():
        rgb = Image.open(PHOTO).convert("RGB")
        rgba = Image.open(TRANSPARENT).convert("RGBA")
    else:
        rgb = Image.radial_gradient("L").convert("RGB")
        rgba = rgb.convert("RGBA")
        rgba.putalpha(Image.linear_gradient("L"))
    return {"RGB": rgb.resize((1440, 1440), Image.LANCZOS), "RGBA": rgba.resize((1440, 1440), Image.LANCZOS)}


def png_rows() -> list[tuple]:
    from thumbrouter.imagecore import png

    rows = []
    for mode, image in thumbnails_1440().items():
        def pillow(level, image=image):
            out = io.BytesIO()
            image.save(out, "PNG", compress_level=level)
            return out.getvalue()

        fast = png.zlib_ng
        ours_fast = per_call(lambda image=image: png.encode_png(image)) if fast else None
        size_fast = len(png.encode_png(image)) if fast else None
        png.zlib_ng = None  # as where zlib-ng is not installed: CPython's zlib (build-lambda bundles zlib-ng)
        try:
            ours_zlib, size_zlib = per_call(lambda image=image: png.encode_png(image)), len(png.encode_png(image))
        finally:
            png.zlib_ng = fast
        for level in (1, 6):
            theirs, size = per_call(lambda level=level: pillow(level)), len(pillow(level))
            label = f"Image.save(PNG, compress_level={level})" + (" (Pillow's default)" if level == 6 else "")
            if ours_fast is not None:
                rows.append((f"PNG 1440x1440 {mode}", "png.encode_png, zlib-ng", ours_fast, label, theirs,
                             f"{size_fast / size:.2f}x the bytes"))
            rows.append((f"PNG 1440x1440 {mode}", "png.encode_png, zlib (without zlib-ng)", ours_zlib, label, theirs,
                         f"{size_zlib / size:.2f}x the bytes"))
    return rows


# -- (3) JPEG 1/8-scale decode -------------------------------------------------------------------

def progressive_photo() -> tuple[bytes, str]:
    from PIL import Image

    if PHOTO.exists():
        image, name = Image.open(PHOTO).convert("RGB"), f"{PHOTO.name} re-encoded progressive, quality 90"
    else:
        image, name = Image.radial_gradient("L").resize((4000, 3000)).convert("RGB"), "generated 4000x3000"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, progressive=True)
    return out.getvalue(), name


def jpeg_rows() -> list[tuple]:
    from PIL import Image

    from thumbrouter.imagecore.jpeg_scans import dc_scans_only

    data, name = progressive_photo()

    def draft_decode(raw: bytes):
        image = Image.open(io.BytesIO(raw), formats=("JPEG",))
        image.draft(None, (50, 50))
        image.load()
        return image

    slim = dc_scans_only(data)
    assert slim is not None and draft_decode(slim).size == draft_decode(data).size
    ours = per_call(lambda: draft_decode(dc_scans_only(data)))
    theirs = per_call(lambda: draft_decode(data))
    note = f"{name}: {len(data) / 1e6:.1f} MB, DC scans {len(slim) / 1e6:.2f} MB"
    return [("JPEG 1/8-scale decode (50x50 box)", "dc_scans_only + draft decode", ours, "draft decode", theirs, note)]


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} us" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def report(rows: list[tuple], took: float) -> str:
    from PIL import __version__ as pillow

    from bench.__main__ import machine

    lines = ["## hotpaths\n", f"Machine: {machine()}  ",
             f"Libraries: Pillow {pillow}; run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {took:.0f} s. "
             f"timeit, best of {REPEATS} repeats of ~0.2 s each, in one process; ratio = library time / ours "
             "(above 1 = ours is faster).\n",
             "| hot path | ours | ours per op | library | library per op | ratio | note |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {what} | {ours} | {fmt(t_ours)} | {lib} | {fmt(t_lib)} | {t_lib / t_ours:.2f}x | {note} |"
              for what, ours, t_ours, lib, t_lib, note in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    started = time.time()
    rows = sigv4_rows() + png_rows() + jpeg_rows()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(report(rows, time.time() - started))
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
