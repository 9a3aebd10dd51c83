"""The Accept headers /thumb's negotiation is tested with, and the format each must pick among AVIF and WebP.

One table for two implementations: the router's `negotiate` (tests/router/ondemand/test_negotiation.py)
and the CDN's viewer-request function run under Node (tests/terraform/test_cdn_function.py).
"""

from thumbrouter.router.ondemand.negotiation import MAX_ACCEPT

CHROME = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
FIREFOX = "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
SAFARI_16 = ("image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,"
             "image/svg+xml,image/*;q=0.8,*/*;q=0.5")
_PADDING = "x/y," * (MAX_ACCEPT // 4)

# (Accept header or None, format among ("AVIF", "WEBP") or None for the key's own format)
ACCEPT_ROWS: list[tuple[str | None, str | None]] = [
    (CHROME, "AVIF"),
    (FIREFOX, "AVIF"),
    (SAFARI_16, "AVIF"),
    ("image/webp,*/*", "WEBP"),
    ("image/webp,image/avif;q=0", "WEBP"),
    ("image/webp;q=0.9,image/avif;q=0.5", "WEBP"),
    ("IMAGE/AVIF; q=1, image/webp", "AVIF"),
    ("image/avif;q=0.5,image/webp;q=0.5", "AVIF"),
    ("image/avif;q=1.5,image/webp", "WEBP"),
    ("image/avif;q=-1,image/webp;q=0.1", "WEBP"),
    ("image/avif;level=1;q=0.2,image/webp;q=0.1", "AVIF"),
    ("*/*", None), ("image/*", None), ("image/*,*/*;q=0.8", None), ("", None), (None, None),
    ("image/webp;q=0", None), ("image/webp;q=0,image/webp", None), ("image/webp;q=nonsense", None),
    ("text/html,application/xhtml+xml", None),
    (",,,image/webp", "WEBP"),
    (_PADDING + "image/webp", None),
    (_PADDING[: MAX_ACCEPT - len("image/webp")] + "image/webp;q=0", None),  # the ;q=0 falls past the limit
    ("image/webp," + _PADDING, "WEBP"),
]
