"""The allow-list of image formats, shared by the core, the Lambda and the router."""

# Pillow format name -> the format we write (MPO is a JPEG container; its first frame is written as JPEG).
OUTPUT_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "GIF"}

# Passed to Image.open(formats=...) so no other parser (EPS, FITS, PSD, PDF...) is ever reachable.
# MPO is not listed: Pillow has no MPO opener; JPEG's opener returns an MpoImageFile for MPO data.
# (Listing a name Pillow cannot open makes every Image.open() import all of Pillow's plugins.)
PILLOW_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}

EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}

_MIME_TO_FORMAT = {mime: fmt for fmt, mime in CONTENT_TYPES.items()} | {"image/jpg": "JPEG", "image/pjpeg": "JPEG"}


def format_for(filetype: str) -> str | None:
    """Return the output format for an extension (`.jpg`, `JPG`) or MIME type, or None if unsupported."""
    value = filetype.strip().lower().split(";")[0].strip()
    if "/" in value:
        return _MIME_TO_FORMAT.get(value)
    if not value.startswith("."):
        value = "." + value
    return EXTENSIONS.get(value)


def format_for_key(key: str) -> str | None:
    """Return the output format implied by an object key's extension (case-insensitive), or None."""
    name = key.rsplit("/", 1)[-1]
    if "." not in name:
        return None
    return EXTENSIONS.get("." + name.rsplit(".", 1)[1].lower())
