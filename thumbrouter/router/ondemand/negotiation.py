"""Content negotiation for /thumb: which of a preset's formats the client's `Accept` header asks for.

Only explicit types count. Browsers that show WebP or AVIF list `image/webp` / `image/avif`; `image/*`
and `*/*` are sent by clients that show neither (old Safari, mail clients, bots), so a wildcard never
picks a modern format, and `q=0` refuses one. Among the rest the highest q wins and ties go to the
preset's order (AVIF before WebP). No match: None, the key's own format. Werkzeug parses the header
(q-values, parameters); only its first MAX_ACCEPT characters are read, cut at the last whole item.
"""

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from thumbrouter.imagecore import OUTPUT_CONTENT_TYPES

MAX_ACCEPT = 1024  # a browser's image Accept is under 100 characters


def negotiate(accept: str | None, formats: tuple[str, ...]) -> str | None:
    """The best of `formats` (imagecore format names, best first) that `accept` lists explicitly, or None."""
    if not accept or not formats:
        return None
    if len(accept) > MAX_ACCEPT:
        accept = accept[:MAX_ACCEPT].rpartition(",")[0]  # a cut item might have lost its `;q=0`
    quality: dict[str, float] = {}
    for value, q in parse_accept_header(accept, MIMEAccept):
        mime = value.split(";", 1)[0].strip().lower()
        quality[mime] = min(q, quality.get(mime, q))  # listed twice: the lower q, so a q=0 always refuses
    ranked = [(quality.get(OUTPUT_CONTENT_TYPES[fmt], 0), -rank, fmt) for rank, fmt in enumerate(formats)]
    best = max(ranked)
    return best[2] if best[0] > 0 else None
