"""Images generated for tests (no fixtures on disk): encoders, EXIF, ICC, bombs, broken files.

Other test packages may import these (e.g. `from tests.support.images import jpeg_bytes`).
"""

import io
import struct
import zlib

from PIL import Image

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)
ORIENTATION_TAG, GPS_IFD = 0x0112, 0x8825

# How to store a picture so that EXIF orientation N displays it upright: the inverse of the
# transpose a viewer applies for N (the rotations swap; flips and transposes are their own inverse).
_STORE_FOR_ORIENTATION = {
    1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270,
}


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    """Encode an in-memory image to bytes."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gradient(size=(200, 100), mode="RGB") -> Image.Image:
    """A smooth horizontal gradient (survives lossy encoding and resampling predictably)."""
    ramp = Image.linear_gradient("L").rotate(90).resize(size)
    if mode == "L":
        return ramp
    image = Image.merge("RGB", (ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), Image.new("L", size, 128)))
    return image.convert(mode) if mode != "RGB" else image


def half_transparent(size=(200, 100)) -> Image.Image:
    """RGBA: opaque red left half, fully transparent right half."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste((*RED, 255), (0, 0, size[0] // 2, size[1]))
    return image


def marker_picture(size=(120, 80)) -> Image.Image:
    """Upright picture: white, a red block in the top-left corner, a blue block bottom-right."""
    image = Image.new("RGB", size, WHITE)
    width, height = size
    image.paste(RED, (0, 0, width // 3, height // 3))
    image.paste(BLUE, (width - width // 3, height - height // 3, width, height))
    return image


def exif(orientation: int | None = None, gps: bool = False) -> Image.Exif:
    """An EXIF block with an orientation and/or a GPS position."""
    block = Image.Exif()
    if orientation:
        block[ORIENTATION_TAG] = orientation
    if gps:
        block[0x010F] = "TestCam"  # make
        block.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    return block


def oriented_jpeg(orientation: int, size=(120, 80)) -> bytes:
    """A JPEG whose pixels are stored so that applying `orientation` shows marker_picture upright."""
    upright = marker_picture(size)
    method = _STORE_FOR_ORIENTATION[orientation]
    stored = upright.transpose(method) if method is not None else upright
    return encode(stored, "JPEG", quality=95, exif=exif(orientation))


def gradient16_png(size=(256, 16)) -> bytes:
    """16-bit greyscale PNG ramping 0..65535 left to right."""
    image = Image.new("I;16", size)
    image.putdata([round(x * 65535 / (size[0] - 1)) for _ in range(size[1]) for x in range(size[0])])
    return encode(image, "PNG")


def palette_png_with_transparency() -> bytes:
    """Palette PNG: index 0 transparent (left half), index 1 opaque green (right half)."""
    image = Image.new("P", (100, 50), 0)
    image.putpalette([0, 0, 0, *GREEN] + [0] * 762)
    image.paste(1, (50, 0, 100, 50))
    return encode(image, "PNG", transparency=0)


def animated_gif(colours=(RED, GREEN, BLUE), size=(60, 40)) -> bytes:
    """An animated GIF whose frames are solid colours, first frame first."""
    frames = [Image.new("RGB", size, colour) for colour in colours]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def gif_frame_bomb(screen=(5000, 5000), frames=5) -> bytes:
    """A few hundred bytes declaring `frames` frames on a huge logical screen (frames x pixels bomb)."""
    data = bytearray(animated_gif(colours=[(RED, GREEN)[index % 2] for index in range(frames)], size=(2, 2)))
    data[6:10] = struct.pack("<HH", *screen)
    return bytes(data)


def mpo_bytes(size=(80, 60)) -> bytes:
    """A two-frame MPO (stereo pair as cameras write them): red left eye, blue right eye."""
    left, right = Image.new("RGB", size, RED), Image.new("RGB", size, BLUE)
    return encode(left, "MPO", save_all=True, append_images=[right])


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk: length, type, body, CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_pixel_bomb(width=50_000, height=50_000) -> bytes:
    """A tiny PNG whose header declares width x height RGB pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * (width * 3 + 1) * 4)
    return PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    """The first `keep` fraction of the bytes, as an interrupted upload leaves them."""
    return data[: int(len(data) * keep)]


def corrupt_after_header(data: bytes, header: int) -> bytes:
    """Same length, valid header, the pixel data replaced by noise."""
    noise = bytes((index * 97 + 13) % 251 for index in range(len(data) - header))
    return data[:header] + noise


EPS_BYTES = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nnewpath 0 0 moveto 10 10 lineto stroke\n%%EOF\n"
FITS_BYTES = (b"SIMPLE  =                    T" + b" " * 50 + b"BITPIX  =                    8" + b" " * 49
              + b"NAXIS   =                    2" + b" " * 49 + b"NAXIS1  =                   10" + b" " * 49
              + b"NAXIS2  =                   10" + b" " * 49 + b"END" + b" " * 77).ljust(2880, b" ") + b"\x00" * 2880


def swapped_rgb_profile() -> bytes:
    """A valid ICC v2 RGB matrix/TRC profile whose red and blue primaries are swapped.

    Pixels tagged with it that read (255, 0, 0) are blue once converted to sRGB, so a thumbnail
    that ignores the profile is visibly wrong.
    """
    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    description = b"Swapped RGB test profile\0"
    tags = [
        (b"desc", b"desc\0\0\0\0" + struct.pack(">I", len(description)) + description + b"\0" * 11 + b"\0" * 67),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.1431, 0.0606, 0.7141)),  # sRGB's blue primary (D50)
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.4360, 0.2225, 0.0139)),  # sRGB's red primary (D50)
        (b"rTRC", b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"),
        (b"cprt", b"text\0\0\0\0no copyright, test data\0"),
    ]
    tags += [(b"gTRC", tags[5][1]), (b"bTRC", tags[5][1])]
    table, body, offset = b"", b"", 128 + 4 + 12 * len(tags)
    for signature, content in tags:
        content += b"\0" * (-len(content) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(content))
        body += content
    total = offset + len(body)
    header = (struct.pack(">I", total) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 24 + struct.pack(">I", 0)
              + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + body


# ---------------------------------------------------------------- HEIF and AVIF (phones, modern browsers)

def heic_bytes(image: Image.Image, quality: int = 90, **options) -> bytes:
    """A HEIC (HEVC-coded HEIF) of `image`, as a phone writes it; `exif=`, `icc_profile=` are kept.

    pillow-heif turns an EXIF orientation into the `irot`/`imir` boxes readers apply, as iPhones do.
    """
    import pillow_heif

    buffer = io.BytesIO()
    pillow_heif.from_pillow(image).save(buffer, format="HEIF", quality=quality, **options)
    return buffer.getvalue()


def avif_bytes(image: Image.Image, quality: int = 90, **options) -> bytes:
    """An AVIF of `image` (Pillow's own encoder, libavif); an EXIF orientation becomes `irot`/`imir`."""
    return encode(image, "AVIF", quality=quality, **options)


def oriented(orientation: int, fmt: str, size=(120, 80)) -> bytes:
    """A HEIC or AVIF ("HEIF" / "AVIF") whose stored pixels show marker_picture upright once `orientation` applies."""
    upright = marker_picture(size)
    method = _STORE_FOR_ORIENTATION[orientation]
    stored = upright.transpose(method) if method is not None else upright
    writer = heic_bytes if fmt == "HEIF" else avif_bytes
    return writer(stored, exif=exif(orientation).tobytes())


def declaring(data: bytes, size: tuple[int, int]) -> bytes:
    """The same HEIF/AVIF with every `ispe` box (the sizes the container declares) set to `size`."""
    patched, start = bytearray(data), 0
    while (found := patched.find(b"ispe", start)) > 0:
        patched[found + 8:found + 16] = struct.pack(">II", *size)
        start = found + 16
    return bytes(patched)


def close_to(pixel, expected, tolerance=40) -> bool:
    """Every channel within `tolerance` (lossy codecs and resampling move pixels a little)."""
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))
