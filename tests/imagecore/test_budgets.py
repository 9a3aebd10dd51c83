"""Image budgets: hostile files are refused with a typed error before the expensive work."""

import gc
import io
import subprocess
import sys
import textwrap
import tracemalloc
import warnings
from pathlib import Path

import pytest
from PIL import GifImagePlugin, Image, WebPImagePlugin

from tests.imagecore.helpers import close, decoded
from tests.support import hostile, hostile_heif, images
from thumbrouter.imagecore import (
    CorruptProgressionError,
    ImageTooLargeError,
    TooManyChunksError,
    TooManyFramesError,
    TooManyScansError,
    limits,
    make_thumbnail,
    steps,
)

REPO = Path(__file__).resolve().parents[2]


def test_a_progressive_jpeg_with_more_scans_than_max_scans_is_refused():
    with pytest.raises(TooManyScansError):
        make_thumbnail(hostile.many_empty_scans_jpeg(150, (64, 48)), max_scans=100)


def test_empty_scans_in_a_legal_progression_within_the_limit_still_give_a_thumbnail():
    result = make_thumbnail(hostile.many_empty_scans_jpeg(20, (128, 96)), (32, 32))
    assert (result.width, result.height) == (32, 24) and not result.degraded


@pytest.mark.parametrize("kind", ["ac_before_dc", "repeat", "refine_first"])
def test_scan_scripts_libjpeg_only_warns_about_are_refused(kind):
    with pytest.raises(CorruptProgressionError):
        make_thumbnail(hostile.bogus_progression_jpeg(kind))


def test_duplicated_ac_scans_are_a_bogus_progression():
    with pytest.raises(CorruptProgressionError):
        make_thumbnail(hostile.duplicated_ac_scans_jpeg(copies=40, size=(160, 120)))


@pytest.mark.parametrize("options", [{}, {"subsampling": 0}, {"mode": "L"}, {"mode": "CMYK"}])
def test_the_progressions_libjpeg_writes_are_accepted(options):
    mode = options.pop("mode", "RGB")
    data = images.encode(images.gradient((320, 240), mode), "JPEG", progressive=True, **options)
    assert make_thumbnail(data, (40, 40)).width == 40


def test_a_flood_of_jpeg_segments_is_refused_before_pillow_lists_them():
    with pytest.raises(TooManyScansError, match="segments"):
        make_thumbnail(hostile.app_flood_jpeg(5000))


def test_a_truncated_progressive_jpeg_is_decoded_once(monkeypatch):
    decoders = []
    original = Image._getdecoder
    monkeypatch.setattr(Image, "_getdecoder", lambda *args: decoders.append(args[1]) or original(*args))
    cut = images.truncated(images.encode(images.gradient((400, 300)), "JPEG", progressive=True), 0.7)
    assert make_thumbnail(cut, (200, 200)).degraded is True
    assert decoders == ["jpeg"]


def test_a_gif_with_more_frames_than_max_frames_is_refused_without_walking_them_all(monkeypatch):
    seeks = []
    original = GifImagePlugin.GifImageFile._seek
    monkeypatch.setattr(GifImagePlugin.GifImageFile, "_seek",
                        lambda self, *args, **kwargs: seeks.append(args) or original(self, *args, **kwargs))
    with pytest.raises(TooManyFramesError):
        make_thumbnail(hostile.gif_many_frames(5000), max_frames=1000)
    assert len(seeks) <= 1


def test_a_gif_with_millions_of_tiny_data_blocks_is_refused():
    with pytest.raises(TooManyFramesError, match="blocks"):
        make_thumbnail(hostile.gif_block_flood(300_000))


def test_a_png_flooded_with_chunks_is_refused_before_pillow_walks_them(monkeypatch):
    from PIL import PngImagePlugin

    def forbidden(*args):
        raise AssertionError("Pillow's PNG reader ran")
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "_open", forbidden)
    with pytest.raises(TooManyChunksError):
        make_thumbnail(hostile.png_of_zeros((64, 64), 8, 2, images.png_chunk(b"prVt", b"") * 70_000))
    with pytest.raises(TooManyChunksError, match="text chunks"):
        make_thumbnail(hostile.png_ztxt_flood(65))


def test_a_png_with_a_few_text_chunks_still_gives_a_thumbnail():
    texts = b"".join(images.png_chunk(b"tEXt", b"Comment\x00%d" % i) for i in range(10))
    image = images.gradient((300, 200))
    data = images.encode(image, "PNG")
    head, idat_and_end = data[:33], data[33:]  # signature + IHDR, then the rest
    result = make_thumbnail(head + texts + idat_and_end, "50x50")
    assert (result.width, result.height) == (50, 33)


def test_an_animated_webp_over_max_frames_is_refused_before_libwebp_indexes_it(monkeypatch):
    def forbidden(*args):
        raise AssertionError("libwebp's demuxer ran")
    monkeypatch.setattr(WebPImagePlugin._webp, "WebPAnimDecoder", forbidden)
    with pytest.raises(TooManyFramesError):
        make_thumbnail(hostile.webp_many_frames(50), max_frames=10)


def test_animations_within_max_frames_are_accepted():
    assert make_thumbnail(hostile.gif_many_frames(20), max_frames=20).format == "GIF"
    assert make_thumbnail(hostile.webp_many_frames(20), max_frames=20).format == "WEBP"


@pytest.mark.parametrize(("data", "mode"), [
    (hostile.webp_lossless_declaring((2000, 2000)), "WEBP"),  # 16 bytes a pixel: 61 MiB
    (hostile.gif_huge_canvas((3000, 3000)), "P"),
    (hostile.png_of_zeros((2500, 2500), 16, 6), "RGBA"),
])
def test_decoded_bytes_over_the_budget_are_refused_before_decoding(data, mode, monkeypatch):
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("pixels were decoded"))
    with pytest.raises(ImageTooLargeError, match="max_decoded_bytes"):
        make_thumbnail(data, max_decoded_bytes=32 * 2**20)


def test_a_progressive_jpeg_counts_its_coefficient_buffer_in_the_budget():
    data = hostile.declared_size_jpeg((4000, 4000), progressive=True, mode="CMYK")  # 8 bytes a pixel: 122 MiB
    baseline = hostile.declared_size_jpeg((4000, 4000), progressive=False, mode="CMYK")
    with pytest.raises(ImageTooLargeError, match="max_decoded_bytes"):
        make_thumbnail(data, max_decoded_bytes=100 * 2**20)
    assert make_thumbnail(baseline, max_decoded_bytes=100 * 2**20).width == 50


def test_pillows_bomb_warning_turned_into_an_error_is_still_a_typed_refusal():
    side = int(Image.MAX_IMAGE_PIXELS ** 0.5) + 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageTooLargeError):
            make_thumbnail(images.png_pixel_bomb(side, side))


def test_an_icc_profile_over_max_icc_bytes_is_dropped_and_the_picture_treated_as_srgb():
    red = images.Image.new("RGB", (64, 48), images.RED)
    small = images.encode(red, "JPEG", quality=95, icc_profile=hostile.icc_profile(64 * 1024))
    huge = images.encode(red, "JPEG", quality=95, icc_profile=hostile.icc_profile(8 * 2**20))
    assert close(decoded(make_thumbnail(small, (32, 32))).getpixel((5, 5)), images.BLUE, 30)  # the profile applies
    assert close(decoded(make_thumbnail(huge, (32, 32))).getpixel((5, 5)), images.RED, 30)  # dropped: sRGB


def test_profile_caches_are_keyed_by_a_hash_and_bounded_by_bytes():
    red = images.Image.new("RGB", (16, 16), images.RED)
    inputs = [images.encode(red, "JPEG", icc_profile=hostile.icc_profile(2**20, seed)) for seed in range(24)]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for data in inputs:
        make_thumbnail(data, (8, 8))
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert retained < 4 * 2**20  # no profile bytes kept as cache keys
    assert steps.TRANSFORMS.total <= steps.TRANSFORMS.max_bytes and len(steps.TRANSFORMS) < 24


def test_the_worst_cases_are_refused_in_a_process_with_limited_address_space():
    script = textwrap.dedent("""
        import resource
        from thumbrouter import imagecore
        from tests.support import hostile
        cases = {name: hostile.CASES[name]() for name in (
            "webp-lossless-40b-9400x9400", "webp-animated-canvas-9400x9400", "gif-43b-8944x8944-canvas",
            "png-rgba16-8944x8944", "png-grey16-8944x8944", "png-palette-8944x8944",
            "jpeg-cmyk-progressive-8944x8944", "jpeg-declares-8944x8944-progressive")}
        imagecore.make_thumbnail(hostile.progressive_jpeg((64, 64)))  # warm up: plugins, encoders
        used = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (used + 450 * 2**20, resource.getrlimit(resource.RLIMIT_AS)[1]))
        for name, data in cases.items():
            for size in ((50, 50), (1440, 1440)):
                try:
                    imagecore.make_thumbnail(data, size)
                    print(f"{name}@{size[0]}=thumbnail")
                except (imagecore.ThumbnailError, MemoryError) as exc:
                    print(f"{name}@{size[0]}={type(exc).__name__}")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    outcomes = dict(line.split("=") for line in done.stdout.splitlines())
    assert len(outcomes) == 16, done.stderr[-2000:]
    expected = {case: "ImageTooLargeError" for case in outcomes}
    expected["jpeg-declares-8944x8944-progressive@50"] = "thumbnail"  # ~233 MB at 1/8 scale: within the budget
    assert outcomes == expected


@pytest.mark.parametrize(("data", "mode"), [
    (hostile_heif.keyed_png(0, (2200, 2200)), "L"),
    (hostile_heif.keyed_png(0, (2200, 2200), 1), "1"),
    (hostile_heif.keyed_png(3, (2200, 2200)), "P"),
    (hostile_heif.keyed_png(2, (2200, 2200)), "RGB"),
    (hostile_heif.keyed_gif((2200, 2200)), "P"),
])
def test_a_colour_key_is_charged_as_the_rgba_image_it_becomes(data, mode):
    # 2200x2200 x 8 bytes (RGBA) = 37 MiB: over a 32 MiB budget, which the decoded mode alone fits.
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == mode and "transparency" in image.info
        assert image.width * image.height * limits.FULL_SIZE_BYTES[mode] < 32 * 2**20
    with pytest.raises(ImageTooLargeError, match="max_decoded_bytes"):
        make_thumbnail(data, max_decoded_bytes=32 * 2**20)
    assert make_thumbnail(data, (16, 16), max_decoded_bytes=38 * 2**20).width == 16


def test_the_worst_heif_avif_and_colour_key_cases_stay_typed_in_a_process_with_limited_address_space():
    script = textwrap.dedent("""
        import resource
        from thumbrouter import imagecore
        from tests.support import hostile_heif, images
        cases = {name: hostile_heif.CASES[name]() for name in (
            "heic-iovl-32768x32768-canvas-ispe-64", "avif-grid-32x32-tiles-of-512-ispe-64",
            "avif-grid-16x16-tiles-of-512-ispe-64", "avif-av1-16384x16384-ispe-64", "avif-grid-65280-cells-one-tile",
            "avif-grid-cells-repeat-one-tile", "avif-sequence-2592000-samples", "png-grey-trns-8944x8944",
            "gif-transparency-8944x8944", "heic-10bit-444-37mp-grid", "heic-8192x8192-grid-clap-64",
            "heic-64px-alpha-8192x8192", "heic-900-exif-items-one-10mb-extent", "heic-40mb-extent-listed-32-times",
            "heic-iovl-of-64-grids-sharing-900-tiles")}
        for data in (images.heic_bytes(images.gradient((64, 64))), images.avif_bytes(images.gradient((64, 64)))):
            imagecore.make_thumbnail(data)  # warm up: plugins, encoders
        used = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (used + 450 * 2**20, resource.getrlimit(resource.RLIMIT_AS)[1]))
        for name, data in cases.items():
            for size in ((50, 50), (1440, 1440)):
                try:
                    imagecore.make_thumbnail(data, size)
                    print(f"{name}@{size[0]}=thumbnail")
                except (imagecore.ThumbnailError, MemoryError) as exc:
                    print(f"{name}@{size[0]}={type(exc).__name__}")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    outcomes = dict(line.split("=") for line in done.stdout.splitlines())
    assert len(outcomes) == 30, done.stderr[-2000:]
    refusals = {"heic-iovl-32768x32768-canvas-ispe-64": "DecodeError",
                "avif-grid-32x32-tiles-of-512-ispe-64": "ImageTooLargeError",
                "avif-grid-16x16-tiles-of-512-ispe-64": "DecodeError", "avif-av1-16384x16384-ispe-64": "DecodeError",
                "avif-grid-65280-cells-one-tile": "ImageTooLargeError",
                "avif-grid-cells-repeat-one-tile": "DecodeError",
                "avif-sequence-2592000-samples": "TooManyFramesError", "png-grey-trns-8944x8944": "ImageTooLargeError",
                "gif-transparency-8944x8944": "ImageTooLargeError", "heic-10bit-444-37mp-grid": "ImageTooLargeError",
                "heic-8192x8192-grid-clap-64": "ImageTooLargeError", "heic-64px-alpha-8192x8192": "thumbnail",
                "heic-900-exif-items-one-10mb-extent": "ImageTooLargeError",
                "heic-40mb-extent-listed-32-times": "DecodeError",
                "heic-iovl-of-64-grids-sharing-900-tiles": "ImageTooLargeError"}
    assert outcomes == {f"{name}@{size}": outcome for name, outcome in refusals.items() for size in (50, 1440)}
