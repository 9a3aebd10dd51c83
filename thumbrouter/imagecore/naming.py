"""The thumbnail naming convention: `<stem>_<W>x<H>.<ext>`, folders kept, stem cut at the last dot.

An original the core converts (HEIF, AVIF: formats.OUTPUT_FORMAT) keeps its extension and gains the
output's: `IMG_1.HEIC` -> `IMG_1_50x50.HEIC.webp`. The name depends on the key alone, so the router
links a thumbnail without reading the image. A variant that /thumb negotiates by Accept (WebP, AVIF)
is that key plus the variant's extension: `a.jpg` -> `a_50x50.jpg.webp`, `IMG_1.HEIC` -> `IMG_1_50x50.HEIC.webp.avif`.
"""

import re

from .errors import InvalidSizeError
from .formats import output_extension, output_format_for_key

MAX_EDGE = 10_000
MAX_KEY_BYTES = 1024  # S3's limit on an object key, in UTF-8 bytes
_SIZE = re.compile(r"^([1-9][0-9]{0,4})x([1-9][0-9]{0,4})$")
_THUMB_STEM = re.compile(r"_([1-9][0-9]{0,4})x([1-9][0-9]{0,4})$")  # `<stem>_WxH`: parse_thumbnail_key
_SIZE_AT = re.compile(r"([1-9][0-9]{0,4})x([1-9][0-9]{0,4})")  # a size where a thumbnail key has it
# Formats /thumb may negotiate (best first) -> the extension their variant adds to the thumbnail key.
VARIANT_EXTENSIONS = {"AVIF": ".avif", "WEBP": ".webp"}


def parse_size(size: str | tuple[int, int]) -> tuple[int, int]:
    """Parse `"50x50"` (or a (w, h) tuple) into a validated (width, height).

    Raises InvalidSizeError for anything else or an edge outside 1..MAX_EDGE.
    """
    if isinstance(size, tuple):
        width, height = size
    else:
        match = _SIZE.match(size.strip()) if isinstance(size, str) else None
        if not match:
            raise InvalidSizeError(f"size must look like 50x50, got {size!r}")
        width, height = int(match[1]), int(match[2])
    if not all(isinstance(v, int) and 1 <= v <= MAX_EDGE for v in (width, height)):
        raise InvalidSizeError(f"size edges must be integers in 1..{MAX_EDGE}, got {size!r}")
    return width, height


def format_size(size: str | tuple[int, int]) -> str:
    """Return the canonical `WxH` text of a size."""
    width, height = parse_size(size)
    return f"{width}x{height}"


def _split(key: str) -> tuple[str, str, str]:
    """Split a key into (folder with trailing slash, stem, extension with dot)."""
    folder, slash, name = key.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        return folder + slash, name, ""
    return folder + slash, stem, dot + ext


def thumbnail_key(key: str, size: str | tuple[int, int] = "50x50") -> str:
    """The thumbnail key of an original: `photos/a.b.jpg` -> `photos/a.b_50x50.jpg`, `a.heic` -> `a_50x50.heic.webp`.

    Injective: the folder and extension are kept and the stem only gains a suffix without a
    dot, so the original can be recovered from the result; a converted original's key then gains
    its output extension, after an extension that no unconverted thumbnail's stem can end with
    (those end with `_WxH`). Raises InvalidSizeError.
    """
    folder, stem, ext = _split(key)
    return f"{folder}{stem}_{format_size(size)}{ext}{output_extension(ext) or ''}"


def variant_key(key: str, size: str | tuple[int, int], output_format: str) -> str:
    """The key of `key`'s thumbnail written as `output_format`: `a.jpg` as WEBP -> `a_50x50.jpg.webp`.

    The key's own format (formats.output_format_for_key) gives its thumbnail_key. Injective with it:
    a variant strips back to a thumbnail key with an extension, and no thumbnail key ends with an
    extension a variant of another could add it after (`.HEIC` etc. gain `.webp`; stems end `_WxH`).
    Raises InvalidSizeError, and ValueError for an original of no supported extension or a format
    that is neither its own nor in VARIANT_EXTENSIONS.
    """
    own = output_format_for_key(key)
    if own is None:
        raise ValueError(f"{key!r} has no supported image extension, so no thumbnail variants")
    if output_format == own:
        return thumbnail_key(key, size)
    if output_format not in VARIANT_EXTENSIONS:
        raise ValueError(f"output format must be {own} or one of {sorted(VARIANT_EXTENSIONS)}, got {output_format!r}")
    return thumbnail_key(key, size) + VARIANT_EXTENSIONS[output_format]


def parse_thumbnail_key(name: str) -> tuple[str, str, str | None] | None:
    """(original, `WxH`, variant format or None) whose thumbnail_key or variant_key is `name`, else None.

    The inverse of both (they are injective): the CDN's failover asks the router for a thumbnail key, and
    this recovers what to make. None for every name our naming never produces (`a_050x50.jpg`, `a.jpg`).
    A variant in the original's own format is its thumbnail_key, so it comes back with format None.
    """
    for fmt, extension in ((None, ""), *VARIANT_EXTENSIONS.items()):
        if not name.endswith(extension):
            continue
        base = name[: len(name) - len(extension)]
        for candidate in _originals_of(base):
            original, size = candidate
            own = output_format_for_key(original)
            made = variant_key(original, size, fmt) if fmt and own else None if fmt else thumbnail_key(original, size)
            if made == name:
                return original, size, None if fmt == own else fmt
    return None


def _originals_of(base: str) -> list[tuple[str, str]]:
    """(original, size) pairs whose thumbnail_key could be `base`, a converted original's extension stripped or not."""
    folder, stem, ext = _split(base)
    _, inner_stem, inner_ext = _split(stem)
    splits = [(stem, ext)]
    if inner_ext and output_extension(inner_ext) == ext:
        splits.append((inner_stem, inner_ext))
    found = []
    for thumb_stem, original_ext in splits:
        match = _THUMB_STEM.search(thumb_stem)
        if match and int(match[1]) <= MAX_EDGE and int(match[2]) <= MAX_EDGE:
            found.append((f"{folder}{thumb_stem[: match.start()]}{original_ext}", f"{match[1]}x{match[2]}"))
    return found


def thumbnail_keys(key: str, sizes: "tuple[str, ...]",
                   formats: "tuple[str, ...]" = tuple(VARIANT_EXTENSIONS)) -> tuple[str, ...]:
    """Every key a thumbnail of `key` can have under `sizes` (sizes it cannot have are left out).

    The one answer to "what belongs to this original": the delete path removes exactly these, the
    default thumbnail of each size and its variants in `formats` (negotiated by /thumb).
    Raises InvalidSizeError.
    """
    formats = formats if output_format_for_key(key) else ()
    keys = [variant_key(key, size, fmt) if fmt else thumbnail_key(key, size)
            for size in sizes for fmt in (None, *formats) if no_thumbnail_reason(key, size, fmt) is None]
    return tuple(dict.fromkeys(keys))


def thumbnail_prefix(key: str) -> str:
    """The prefix every thumbnail key of `key` (any size, any variant) starts with: `photos/a.jpg` -> `photos/a_`.

    Not only its own: `photos/a_b.jpg`'s thumbnails share it too, so a listing under it is filtered
    with is_thumbnail_of.
    """
    folder, stem, _ = _split(key)
    return f"{folder}{stem}_"


def is_thumbnail_of(original: str, candidate: str) -> bool:
    """True when `candidate` is a thumbnail of `original` at some size, or a variant of one.

    Exactly the keys of thumbnail_keys(original, sizes) for any sizes: never another original's
    (`a_b_50x50.jpg` is `a_b.jpg`'s), never a size naming refuses (`a_0x5.jpg`, `a_050x50.jpg`).
    """
    prefix = thumbnail_prefix(original)
    match = _SIZE_AT.match(candidate, len(prefix)) if candidate.startswith(prefix) else None
    if match is None or int(match[1]) > MAX_EDGE or int(match[2]) > MAX_EDGE:
        return False
    return candidate in thumbnail_keys(original, (match[0],))


def no_thumbnail_reason(key: str, size: str | tuple[int, int] = "50x50",
                        output_format: str | None = None) -> str | None:
    """Why `key` can have no thumbnail of `size` (as `output_format`, a variant) under our naming, or None when it can.

    The one answer to "does this original get a thumbnail", asked by every part that writes or links
    one: the Lambda and backfill (skip), `/v1` (no `thumbnail_url`), `/thumb` and the on-demand function
    (a 400, or no variant). A key whose name looks like a thumbnail (`user42_50x50.jpg`) is an original
    like any other: thumbnails live in another bucket (THN_BUCKET must differ from the source), so no
    key of the source bucket is our own output. Raises InvalidSizeError, ValueError (variant_key).
    """
    if key.startswith("/"):
        # Refused everywhere: proxies and clients merge the `//` in `/thumb/<preset>//a.jpg` or `<base>//a.jpg`.
        return "key starts with /"
    name = variant_key(key, size, output_format) if output_format else thumbnail_key(key, size)
    if len(name.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        return f"its thumbnail key would be over S3's {MAX_KEY_BYTES}-byte limit"
    return None
