"""The allow-list of image formats, shared by the core, the Lambda and the router."""

# Pillow format name -> the format we write (MPO is a JPEG container; its first frame is written as JPEG).
# No browser shows every HEIF and AVIF, so they become WebP: the one format every current browser shows
# that keeps alpha, and it needs no look at the pixels, so the thumbnail key follows from the key alone.
OUTPUT_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "GIF",
                 "HEIF": "WEBP", "AVIF": "WEBP"}

# Passed to Image.open(formats=...) so no other parser (EPS, FITS, PSD, PDF...) is ever reachable.
# MPO is not listed: Pillow has no MPO opener; JPEG's opener returns an MpoImageFile for MPO data.
# (Listing a name Pillow cannot open makes every Image.open() import all of Pillow's plugins.)
# AVIF and HEIF are opened alone, picked by their ftyp brands (decode.py), HEIF's opener registered then.
PILLOW_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")

# Output format -> the MIME type a thumbnail is stored with.
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
# What make_thumbnail(output_format=...) can write: the above, and AVIF for browsers that ask for it (Accept).
OUTPUT_CONTENT_TYPES = CONTENT_TYPES | {"AVIF": "image/avif"}

# Every MIME type an original may be uploaded as (canonical spelling) -> its Pillow format.
INPUT_CONTENT_TYPES = {mime: fmt for fmt, mime in CONTENT_TYPES.items()} | {
    "image/heic": "HEIF", "image/heif": "HEIF", "image/avif": "AVIF"}

# Extension (lower case) -> the Pillow format of the original.
EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF",
              ".heic": "HEIF", ".heif": "HEIF", ".avif": "AVIF"}

_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}
_EXTENSION_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
                    ".gif": "image/gif", ".heic": "image/heic", ".heif": "image/heif", ".avif": "image/avif"}


def format_for(filetype: str) -> str | None:
    """Return the input format for an extension (`.jpg`, `HEIC`) or MIME type, or None if unsupported."""
    content_type = content_type_for(filetype)
    return INPUT_CONTENT_TYPES[content_type] if content_type else None


def content_type_for(filetype: str) -> str | None:
    """Return the canonical upload MIME type of an extension or MIME type (`image/pjpeg` -> `image/jpeg`), or None."""
    value = filetype.strip().lower().split(";")[0].strip()
    if "/" in value:
        value = _ALIASES.get(value, value)
        return value if value in INPUT_CONTENT_TYPES else None
    if not value.startswith("."):
        value = "." + value
    return _EXTENSION_TYPES.get(value)


def output_format_for_key(key: str) -> str | None:
    """The format a key's thumbnail is written in (the key names it, whatever the bytes turn out to be), or None."""
    fmt = format_for_key(key)
    return OUTPUT_FORMAT[fmt] if fmt else None


def output_extension(extension: str) -> str | None:
    """The extension a thumbnail adds for an original the core converts (`.HEIC` -> `.webp`), else None."""
    fmt = EXTENSIONS.get(extension.lower())
    if fmt is None or OUTPUT_FORMAT[fmt] == fmt:
        return None
    return "." + OUTPUT_FORMAT[fmt].lower()


def format_for_key(key: str) -> str | None:
    """Return the input format implied by an object key's extension (case-insensitive), or None."""
    return EXTENSIONS.get(_extension(key))


def content_type_for_key(key: str) -> str | None:
    """Return the upload MIME type implied by an object key's extension (`a.HEIF` -> `image/heif`), or None."""
    return _EXTENSION_TYPES.get(_extension(key))


def _extension(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[1].lower() if "." in name else ""
