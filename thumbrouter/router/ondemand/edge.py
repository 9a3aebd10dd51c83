"""The CDN's failover origin: GET /edge/<thumbnail key> -> the thumbnail's bytes, generated once if missing.

CloudFront asks the thumbnail bucket first; on its 403/404 the origin group sends the same path here,
with the secret header the distribution adds (the cdn module's `origin_secret_header`). Only a request
carrying one of THUMBROUTER_CDN_ORIGIN_SECRET is served (hmac.compare_digest), before any other work.
The thumbnail key names what to make (imagecore.parse_thumbnail_key): the original, a size that must be
a preset's, and the variant the edge function picked. The answer carries the object's Cache-Control, so
the edge keeps it as long as it would keep the S3 object; later views never reach the router.
"""

import hmac

from flask import Blueprint, Response, current_app, g, request

from thumbrouter.imagecore import OUTPUT_CONTENT_TYPES, parse_thumbnail_key

from ..errors import BackendUnavailable, Forbidden, NotFound
from ..security import validate_key
from .placeholder import CONTENT_TYPE, placeholder_png
from .presets import Preset
from .views import EXTENSION, PLACEHOLDER_CACHE

ORIGIN_SECRET_HEADER = "X-Thumbrouter-Origin-Secret"  # the cdn module's local.origin_secret_header
MAX_THUMBNAIL_BYTES = 20 * 1024 * 1024  # a 1440x1440 thumbnail is a few hundred KB
SECRETS = "thumbrouter.edge_secrets"

bp = Blueprint("edge", __name__)


def init_app(app, secrets: tuple[str, ...]) -> None:
    """Serve /edge for requests that carry one of `secrets`."""
    app.extensions[SECRETS] = tuple(secret.encode() for secret in secrets)
    app.register_blueprint(bp)


def require_origin_secret() -> None:
    """Raises Forbidden unless the request carries one of the configured secrets (every one is compared)."""
    given = request.headers.get(ORIGIN_SECRET_HEADER, "").encode()
    if not any([hmac.compare_digest(given, secret) for secret in current_app.extensions[SECRETS]]):
        raise Forbidden("not from the CDN", log_message="edge: a request without the origin secret")


def preset_for(presets: dict[str, Preset], size: str, variant: str | None) -> tuple[Preset, str | None]:
    """A preset of `size` that negotiates `variant` (else one of that size, in the key's own format); NotFound."""
    sized = [preset for preset in presets.values() if preset.size == size]
    for preset in sized:
        if variant is None or variant in preset.formats:
            return preset, variant
    if sized:
        return sized[0], None
    raise NotFound("no preset of this size")


@bp.get("/edge/<path:name>", merge_slashes=False)
def edge(name: str):
    require_origin_secret()
    service, g.cloud = current_app.extensions[EXTENSION], "s3"
    parsed = parse_thumbnail_key(name)
    if parsed is None:
        raise NotFound("not a thumbnail key")
    original, size, variant = parsed
    preset, variant = preset_for(service.presets, size, variant)
    answer = service.ensure(preset, validate_key(original), variant)
    if answer.key is None:
        response = Response(placeholder_png(), status=answer.status, content_type=CONTENT_TYPE)
        response.headers["Cache-Control"] = PLACEHOLDER_CACHE
        return response
    found = service.storage.get(service.storage.thumbnail_bucket, answer.key, MAX_THUMBNAIL_BYTES)
    if found is None:
        raise BackendUnavailable(log_message="edge: a thumbnail vanished between generation and GET")
    body, meta = found
    content_type = meta.get("ContentType") or OUTPUT_CONTENT_TYPES.get(variant or "", "application/octet-stream")
    response = Response(body, status=200, content_type=content_type)
    if meta.get("CacheControl"):
        response.headers["Cache-Control"] = meta["CacheControl"]
    return response
