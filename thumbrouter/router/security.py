"""Input validation that runs first, in a fixed order: key, cloud, the key for that cloud, country, expires,
filetype, filename (downloads); key, country, the key for the chosen cloud, content_type, max_bytes, size (uploads).

Every failure is a BadRequest whose message names the field. Nothing here touches a network.
"""

import re

from thumbrouter.imagecore import (
    INPUT_CONTENT_TYPES,
    MAX_KEY_BYTES,
    content_type_for,
    content_type_for_key,
    format_for,
    format_for_key,
)

from .config import CLOUDS
from .errors import BadRequest
from .storage.qiniu_style import STYLE_SEPARATORS

# Object key limits per cloud, in UTF-8 bytes: S3 takes 1024, Qiniu Kodo 750.
KEY_LIMITS = {"s3": MAX_KEY_BYTES, "qiniu": 750}
MIN_EXPIRES, MAX_EXPIRES, DEFAULT_EXPIRES = 60, 604_800, 3600
MAX_FILENAME_BYTES = 255
MAX_DIGITS = 12  # request integers: above any expiry, size or epoch we accept, far below int()'s limit
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_FILETYPE = re.compile(r"^[A-Za-z0-9.+/_-]{1,100}$")
# Bidirectional controls (embeddings, overrides, isolates, marks) let `gpj.exe` display as `exe.jpg`;
# line and paragraph separators break a name into lines. Neither belongs in a download name.
_INVISIBLE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# Exactly the types the image core thumbnails (inputs: HEIC/HEIF/AVIF too, which it converts): SVG (scripts
# served from the bucket's domain), HTML and anything a later format does not add are refused for uploads.
UPLOAD_CONTENT_TYPES = tuple(INPUT_CONTENT_TYPES)


def _utf8_length(value: str, field: str) -> int:
    try:
        return len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise BadRequest(f"{field} must be valid UTF-8") from None


def validate_key(key) -> str:
    """An object key: non-empty text, at most 1024 UTF-8 bytes, no control characters or dot segments."""
    if not isinstance(key, str) or not key:
        raise BadRequest("key is missing or empty")
    if _utf8_length(key, "key") > MAX_KEY_BYTES:
        raise BadRequest(f"key is longer than {MAX_KEY_BYTES} UTF-8 bytes")
    if _CONTROL.search(key):
        raise BadRequest("key contains control characters")
    if key.startswith("/"):
        # `//` in a URL path is merged by proxies and clients, so such a key would not round-trip.
        raise BadRequest("key must not start with /")
    if any(segment in (".", "..") for segment in key.split("/")):
        # Browsers and HTTP clients rewrite dot segments, so such a URL would fetch another object.
        raise BadRequest("key must not contain . or .. path segments")
    return key


def validate_key_for(key: str, cloud: str, qiniu_style: str = "") -> str:
    """A valid key (validate_key) that `cloud` can also store: within its KEY_LIMITS, and for Qiniu not
    ending with a style separator and the style's name.

    Kodo serves `<key><separator><style name>` as the style applied to `<key>`, so the download URL of
    `photos/victim.jpg-thumb50` IS the thumbnail URL of `photos/victim.jpg`: whoever may name that key would
    read (or, uploading it, shadow) another object's styled picture. Raises BadRequest naming the key.
    """
    limit = KEY_LIMITS[cloud]
    if _utf8_length(key, "key") > limit:
        raise BadRequest(f"key is longer than {limit} UTF-8 bytes ({cloud}'s limit)")
    name = qiniu_style[1:] if qiniu_style[:1] in tuple(STYLE_SEPARATORS) else ""
    if cloud == "qiniu" and name and any(key.endswith(sep + name) for sep in STYLE_SEPARATORS):
        raise BadRequest(f"key must not end with a style separator and the style name {name!r} on Qiniu: "
                         "its URL would be another object's styled picture")
    return key


def validate_cloud(cloud, configured: tuple[str, ...]) -> str | None:
    """None, or one of the clouds this router is configured for."""
    if cloud is None or cloud == "":
        return None
    value = cloud.strip().lower() if isinstance(cloud, str) else cloud
    if value not in CLOUDS:
        raise BadRequest(f"cloud must be one of {', '.join(CLOUDS)}")
    if value not in configured:
        raise BadRequest(f"cloud {value!r} is not configured on this router")
    return value


def validate_country(country) -> str | None:
    """None, or an ISO 3166-1 alpha-2 code (two letters), upper-cased."""
    if country is None or country == "":
        return None
    if not isinstance(country, str) or not _COUNTRY.match(country):
        raise BadRequest("country must be two letters (ISO 3166-1 alpha-2)")
    return country.upper()


def whole_number(value, field: str) -> int:
    """An int as is, or a string of 1..MAX_DIGITS ASCII digits as an int; raises BadRequest naming `field`.

    The one parser of request integers: str.isdigit() alone admits '²' (which int() refuses) and int()
    refuses more than 4300 digits, and both used to escape as 500s. Ranges are checked by the caller.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS):
        raise BadRequest(f"{field} must be a whole number of at most {MAX_DIGITS} digits")
    return int(text)


def validate_expires(expires) -> int:
    """Seconds of validity: default 3600, an integer (or its digits) in 60..604800."""
    if expires is None or expires == "":
        return DEFAULT_EXPIRES
    if isinstance(expires, str):
        expires = whole_number(expires, "expires")
    if isinstance(expires, bool) or not isinstance(expires, int) or not MIN_EXPIRES <= expires <= MAX_EXPIRES:
        raise BadRequest(f"expires must be an integer number of seconds in {MIN_EXPIRES}..{MAX_EXPIRES}")
    return expires


def thumbnail_format(filetype, key: str, cloud: str) -> str | None:
    """The thumbnail format of `key` in `cloud`: `filetype`'s (extension or MIME), else the key extension's.

    On S3 a key needs an image extension as well: the S3 job makes thumbnails by extension alone
    (s3job.skip_reason, the notification's suffix filters, /thumb), so a filetype cannot give one to
    `uploads/abc123` there. Qiniu's style reads the content, so there the filetype alone decides.
    Raises BadRequest for a filetype that is neither.
    """
    if filetype is None or filetype == "":
        return format_for_key(key)
    if not isinstance(filetype, str) or not _FILETYPE.match(filetype.strip()):
        raise BadRequest("filetype must be a file extension or a MIME type")
    chosen = format_for(filetype)
    return None if cloud == "s3" and format_for_key(key) is None else chosen


def validate_filename(filename) -> str | None:
    """None, or a file name for downloads: at most 255 UTF-8 bytes, no control or bidi characters.

    Quotes, slashes and backslashes are allowed: they are percent-encoded in the signed URL and
    dropped from the ASCII fallback of Content-Disposition.
    """
    if filename is None or filename == "":
        return None
    if not isinstance(filename, str) or _utf8_length(filename, "filename") > MAX_FILENAME_BYTES:
        raise BadRequest(f"filename must be text of at most {MAX_FILENAME_BYTES} UTF-8 bytes")
    if _CONTROL.search(filename):
        raise BadRequest("filename must not contain control characters")
    if _INVISIBLE.search(filename):
        raise BadRequest("filename must not contain bidirectional control or line separator characters")
    return filename


def validate_content_type(content_type, key: str) -> str:
    """The exact upload type: `content_type` or the key's extension's, one of UPLOAD_CONTENT_TYPES.

    Aliases (image/jpg, image/pjpeg) become the canonical type. Raises BadRequest naming content_type.
    """
    allowed = ", ".join(UPLOAD_CONTENT_TYPES)
    if content_type is None or content_type == "":
        canonical = content_type_for_key(key)
        if canonical is None:
            raise BadRequest(f"content_type is required when the key has no image extension; one of {allowed}")
        return canonical
    value = content_type.strip().lower() if isinstance(content_type, str) else ""
    canonical = content_type_for(value) if "/" in value and ";" not in value else None  # a MIME type, no parameters
    if canonical is None:
        raise BadRequest(f"content_type must be one of {allowed}")
    return canonical


def validate_max_bytes(max_bytes, ceiling: int) -> int:
    """Upload size cap: default and ceiling THUMBROUTER_MAX_UPLOAD_BYTES, at least 1."""
    if max_bytes is None:
        return ceiling
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or not 1 <= max_bytes <= ceiling:
        raise BadRequest(f"max_bytes must be an integer in 1..{ceiling}")
    return max_bytes


def validate_size(size, max_bytes: int) -> int:
    """The exact byte length of the file to upload (both clouds sign it), in 1..max_bytes."""
    if size is None:
        raise BadRequest(f"size is required: the file's exact length in bytes, 1..{max_bytes}")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= max_bytes:
        raise BadRequest(f"size must be the file's exact length in bytes, an integer in 1..{max_bytes}")
    return size
