"""The SIMD resampler gives Pillow's exact Lanczos-3 picture, and Pillow's path stands in where it is missing."""

import threading

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.imagecore.test_steps import on_white, scene
from thumbrouter.imagecore import resample, steps

pytest.importorskip("cykooz_resizer", reason="the SIMD resizer ships x86_64 wheels only")

REGIONS = [((560, 392), (0.0, 0.0, 1000.0, 700.0)),  # fit, ratio < 2 (a preview)
           ((300, 300), (150.0, 0.0, 850.0, 700.0)),  # cover: the centre cut, fractional edges
           ((60, 42), (0.0, 0.0, 1000.0, 700.0))]  # a big ratio


def differences(first: Image.Image, second: Image.Image) -> tuple[int, float]:
    difference = ImageChops.difference(on_white(first), on_white(second))
    return max(high for _, high in difference.getextrema()), max(ImageStat.Stat(difference).mean)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L"])
@pytest.mark.parametrize(("size", "region"), REGIONS)
def test_simd_lanczos_matches_pillows_exact_lanczos(mode, size, region):
    picture = scene(mode)
    exact = picture.resize(size, Image.Resampling.LANCZOS, box=region)
    simd = resample.lanczos(picture, size, region)
    assert simd is not None and simd.size == size and simd.mode == mode
    worst, mean = differences(simd, exact)
    assert worst <= 8 and mean < 0.6  # both 8-bit fixed point, rounded differently


def test_transparent_pixels_lend_no_colour_to_their_neighbours():
    picture = Image.new("RGBA", (400, 400), (255, 0, 0, 0))  # invisible red
    picture.paste((0, 0, 255, 255), (0, 0, 200, 400))  # opaque blue on the left half
    small = resample.lanczos(picture, (40, 40), (0.0, 0.0, 400.0, 400.0))
    assert small is not None
    red, _, blue, alpha = small.getpixel((20, 20))  # the edge: partly transparent, still pure blue
    assert 0 < alpha < 255 and red <= 2 and blue >= 250


def test_cmyk_is_resized_in_its_own_four_bands():
    picture = scene("RGB").convert("CMYK")
    simd = resample.lanczos(picture, (560, 392), (0.0, 0.0, 1000.0, 700.0))
    assert simd is not None and simd.mode == "CMYK"
    exact = picture.resize((560, 392), Image.Resampling.LANCZOS)
    assert max(high for _, high in ImageChops.difference(simd, exact).getextrema()) <= 8


def test_modes_it_does_not_take_are_left_to_pillow():
    assert resample.lanczos(scene("RGBA").convert("LA"), (100, 70), (0.0, 0.0, 1000.0, 700.0)) is None
    resized = steps.resize(scene("RGBA").convert("LA"), steps.Job((100, 100), "fit", "PNG", 1, None))
    assert resized.size == (100, 70) and resized.mode == "LA"


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_without_the_simd_resizer_the_resize_step_takes_pillows_path(monkeypatch, mode):
    picture = scene(mode)
    job = steps.Job((560, 560), "fit", "PNG", 1, None)
    with_simd = steps.resize(picture, job)
    monkeypatch.setattr(resample, "cykooz_resizer", None)
    assert resample.lanczos(picture, (560, 392), (0.0, 0.0, 1000.0, 700.0)) is None
    assert resample.describe() == "Pillow's resampler (no SIMD)"
    without = steps.resize(picture, job)
    assert without.size == with_simd.size == (560, 392)
    worst, mean = differences(without, with_simd)  # bicubic there, Lanczos-3 here: close, not equal
    assert 0 < worst <= 40 and mean < 1.5


def test_the_resize_step_uses_simd_below_a_4x_ratio_and_for_alpha(monkeypatch):
    calls = []
    real = resample.lanczos
    monkeypatch.setattr(resample, "lanczos", lambda *args: calls.append(args[0].mode) or real(*args))
    steps.resize(scene("RGB"), steps.Job((560, 560), "fit", "JPEG", 1, None))
    steps.resize(scene("RGBA"), steps.Job((50, 50), "fit", "PNG", 1, None))
    steps.resize(scene("RGB"), steps.Job((50, 50), "fit", "JPEG", 1, None))  # Image.reduce() is cheaper here
    assert calls == ["RGB", "RGBA"]


def test_threads_resizing_at_once_each_get_the_right_picture():
    pictures = {mode: scene(mode) for mode in ("RGB", "RGBA")}
    expected = {mode: resample.lanczos(picture, (300, 210), (0.0, 0.0, 1000.0, 700.0))
                for mode, picture in pictures.items()}
    start, results, errors = threading.Barrier(8), [], []

    def work(mode: str) -> None:
        start.wait()
        try:
            for _ in range(5):
                results.append((mode, resample.lanczos(pictures[mode], (300, 210), (0.0, 0.0, 1000.0, 700.0))))
        except Exception as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=("RGB" if i % 2 else "RGBA",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 40
    assert all(result is not None and result.tobytes() == expected[mode].tobytes() for mode, result in results)


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_a_big_source_resized_in_bands_gives_the_same_pixels_as_one_resize(monkeypatch, mode):
    picture = scene(mode)
    region = (150.0, 20.0, 850.0, 690.0)
    whole = resample.lanczos(picture, (420, 402), region)
    monkeypatch.setattr(resample, "WHOLE_PIXELS", 1000)
    monkeypatch.setattr(resample, "BAND", 64)
    pastes = []
    real_paste = Image.Image.paste
    monkeypatch.setattr(Image.Image, "paste", lambda self, *args: pastes.append(1) or real_paste(self, *args))
    banded = resample.lanczos(picture, (420, 402), region)
    assert len(pastes) == 7  # 402 rows in bands of 64
    assert banded is not None and whole is not None and banded.tobytes() == whole.tobytes()
