"""The query string's fields, parsed as Werkzeug parses `request.args`, memoised per raw query string.

The backend asks for the same keys again and again (the URL cache exists for that), and parsing the
query string was about 15% of a cached GET /v1/download-urls in one process. Werkzeug's parse is kept
exactly: invalid percent-escapes stay percent-encoded, `+` is a space, and a field sent twice keeps its
first value. A query string that is not UTF-8 (raw bytes a client put in the request line) is a
BadRequest, where `request.args` raised UnicodeDecodeError and the API answered 500. gunicorn refuses
such request lines itself; other WSGI servers may pass them on, and apig-wsgi hands a Lambda event's raw
query string through.
"""

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler parse_qsl uses below)

from .errors import BadRequest

# Longer query strings are parsed every time: at most MEMO_SIZE * MEMO_CHARS characters stay cached.
MEMO_SIZE, MEMO_CHARS = 1024, 4096


def first_values(environ: Mapping) -> Mapping[str, str]:
    """Each field's first value in the request's QUERY_STRING (read-only); raises BadRequest when not UTF-8."""
    query_string = environ.get("QUERY_STRING", "")
    try:
        return _memo(query_string) if len(query_string) <= MEMO_CHARS else parse(query_string)
    except UnicodeError:  # not UTF-8; or, from a non-WSGI caller, characters beyond latin-1
        raise BadRequest("the query string is not UTF-8: percent-encode the key") from None


def parse(query_string: str) -> Mapping[str, str]:
    """`first_values` of one query string as the WSGI server passed it (latin-1 characters of the raw bytes)."""
    fields: dict[str, str] = {}
    # What Werkzeug's Request.args does: the raw bytes decoded as UTF-8, then parse_qsl with these options.
    for name, value in parse_qsl(query_string.encode("latin-1").decode(), keep_blank_values=True,
                                 errors="werkzeug.url_quote"):
        fields.setdefault(name, value)
    return MappingProxyType(fields)


_memo = lru_cache(maxsize=MEMO_SIZE)(parse)
