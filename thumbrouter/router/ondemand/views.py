"""The /thumb blueprint: GET /thumb/<preset>/<key> -> 302 to the thumbnail, or a placeholder image.

Checks run before any S3 call, in this order: preset (404), access (403/401), key (400: invalid,
starting with /, or too long to have a thumbnail key).
Access: when THUMBROUTER_URL_SIGNING_KEYS is set a valid, unexpired signature is required (lazy
URLs; lazy mode refuses to start without keys); without keys /thumb needs the /v1 bearer token.
"""

from flask import Blueprint, Response, current_app, g, redirect, request

from .. import auth
from ..security import validate_key
from .placeholder import CONTENT_TYPE, placeholder_png

EXTENSION = "thumbrouter.ondemand"
REDIRECT_CACHE = "private, max-age=300"  # well inside the presigned URL's lifetime
PLACEHOLDER_CACHE = "no-store"  # the thumbnail may exist a moment later

bp = Blueprint("ondemand", __name__)


@bp.get("/thumb/<preset>/<path:key>", merge_slashes=False)
def thumb(preset: str, key: str):
    service = current_app.extensions[EXTENSION]
    g.cloud = "s3"
    chosen = service.preset(preset)
    if service.signer is not None:
        service.signer.verify(chosen.name, key, request.args.get("expires"), request.args.get("sig"))
    else:
        auth.require_token()
    answer = service.thumbnail(chosen, validate_key(key))
    if answer.location:
        response = redirect(answer.location, 302)
        response.headers["Cache-Control"] = REDIRECT_CACHE
        return response
    response = Response(placeholder_png(), status=answer.status, content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = PLACEHOLDER_CACHE
    return response


@bp.get("/thumb/<preset>//<path:key>", merge_slashes=False)
def thumb_of_slashed_key(preset: str, key: str):
    """Werkzeug's path converter never matches a leading /, so such keys arrive here and `thumb`'s key
    check refuses them (400) as every other endpoint does, instead of a bare routing 404."""
    return thumb(preset, "/" + key)
