"""The /v1 blueprint: download URLs (one or a batch) and upload targets.

Views parse the request into a frozen dataclass, call the Router service, and return JSON; validation of
the values themselves (key length, control characters, cloud, country, expires range) happens in the
service's security layer, which raises BadRequest naming the problem.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from flask import Blueprint, Response, current_app, g, jsonify, request

from . import auth, clientip, query
from .errors import BadRequest, RouterError, raise_handed_over
from .security import MAX_DIGITS, whole_number
from .service import DownloadUrls, Router

MAX_BATCH = 1000
# A full batch of 1000 items with long keys and filenames stays well under this; more is refused (413).
MAX_BODY_BYTES = 2 * 1024 * 1024

JSON = "application/json"
DOWNLOAD_URLS = "/download-urls"
bp = Blueprint("api", __name__, url_prefix="/v1")
bp.before_request(auth.require_token)


@dataclass(frozen=True)
class DownloadQuery:
    """One download-URL request as sent by the backend (values not validated yet)."""

    key: str | None = None
    cloud: str | None = None
    country: str | None = None
    filetype: str | None = None
    filename: str | None = None
    expires: int | None = None


@dataclass(frozen=True)
class UploadQuery:
    """One upload-target request."""

    key: str | None = None
    country: str | None = None
    content_type: str | None = None
    max_bytes: int | None = None
    size: int | None = None  # the file's exact length in bytes; both clouds sign it


INT_FIELDS = frozenset({"expires", "max_bytes", "size"})


def parse(cls, data: Mapping):
    """Build `cls` from a query string or JSON object; raises BadRequest for unknown fields or wrong types."""
    if not isinstance(data, Mapping):
        raise BadRequest("each item must be a JSON object")
    names = cls.__dataclass_fields__  # a dict lookup per field; dataclasses.fields() is slower on the hot path
    unknown = sorted(name for name in data if name not in names)
    if unknown:
        raise BadRequest(f"unknown field {unknown[0]!r}; expected one of {', '.join(sorted(names))}")
    return cls(**{name: _value(name, data[name]) for name in data})


def _value(name: str, value):
    if value is None or value == "":
        return None
    if name in INT_FIELDS:
        return whole_number(value, name)
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string")
    return value


class LongNumber:
    """A JSON number with more digits than any field takes: refused by the field's own parser, by name."""


def _json_int(text: str):
    return int(text) if len(text) <= MAX_DIGITS + 1 else LongNumber()  # +1: the sign


def json_body() -> Mapping:
    """The request's JSON object; raises BadRequest when the body is not one, or nests too deeply to parse."""
    try:
        body = json.loads(request.get_data(cache=True), parse_int=_json_int) if request.is_json else None
    except RecursionError:
        raise BadRequest("the body nests JSON arrays or objects too deeply") from None
    except ValueError:
        body = None
    if not isinstance(body, Mapping):
        raise BadRequest("the body must be a JSON object (Content-Type: application/json)")
    return body


def download(router: Router, query: DownloadQuery, ip: str | None, header_country: str | None) -> DownloadUrls:
    """Ask the service for one item's URLs; raises RouterError."""
    return router.download_urls(query.key, cloud=query.cloud, country=query.country or header_country, client_ip=ip,
                                filetype=query.filetype, filename=query.filename, expires=query.expires)


def download_of(router: Router, policy: clientip.ClientPolicy, environ) -> DownloadUrls:
    """The URLs a GET /v1/download-urls asks for (its query string and client); raises RouterError."""
    ip, country = clientip.client_of(policy, environ)
    return download(router, parse(DownloadQuery, query.first_values(environ)), ip, country)


@lru_cache(maxsize=4096)
def as_json(urls: DownloadUrls) -> bytes:
    """The JSON answer for `urls`, encoded once per signed window: the URL cache hands out equal values."""
    return json.dumps(urls.to_dict(), separators=(",", ":")).encode()


@bp.get(DOWNLOAD_URLS)  # router.fastpath answers it before Flask when it can
def download_urls():
    raise_handed_over(request.environ)  # what router.fastpath met on this request, raised here
    urls = download_of(current_app.extensions["thumbrouter"], current_app.extensions[clientip.EXTENSION],
                       request.environ)
    g.cloud = urls.cloud
    return Response(as_json(urls), mimetype=JSON)


@bp.post("/download-urls")
def download_urls_batch():
    items = json_body().get("items")
    if not isinstance(items, list):
        raise BadRequest('the body must be {"items": [{"key": ...}, ...]}')
    if len(items) > MAX_BATCH:
        raise BadRequest(f"batch too big: {len(items)} items, at most {MAX_BATCH}")
    ip, country = clientip.current_client()
    g.cloud = "batch"
    router = current_app.extensions["thumbrouter"]
    return jsonify({"items": [batch_item(router, item, ip, country) for item in items]})


def batch_item(router: Router, item, ip: str | None, country: str | None) -> dict:
    """One batch answer: the URLs, or the error object that a single request would have returned."""
    try:
        return download(router, parse(DownloadQuery, item), ip, country).to_dict()
    except RouterError as exc:
        return exc.to_dict()


@bp.post("/upload-targets")
def upload_targets():
    query = parse(UploadQuery, json_body())
    ip, country = clientip.current_client()
    target = current_app.extensions["thumbrouter"].upload_target(
        query.key, country=query.country or country, client_ip=ip,
        content_type=query.content_type, max_bytes=query.max_bytes, size=query.size)
    g.cloud = target.cloud
    return jsonify(target.to_dict())
