"""The /thumb blueprint: GET /thumb/<preset>/<key> -> 302 to the thumbnail, or a placeholder image.

Checks run before any S3 call, in this order: preset (404), access (403/401), key (400: invalid,
starting with /, or too long to have a thumbnail key).
Access: when THUMBROUTER_URL_SIGNING_KEYS is set a valid, unexpired signature is required (lazy
URLs; lazy mode refuses to start without keys); without keys /thumb needs the /v1 bearer token.
A preset that negotiates formats answers everything (302s and errors alike) with `Vary: Accept`: the
redirect's target depends on it. The signature does not cover Accept; it only picks among allowed formats.
"""

from functools import lru_cache

from flask import Blueprint, Response, after_this_request, current_app, g, request
from werkzeug.urls import iri_to_uri
from werkzeug.utils import redirect

from .. import auth
from ..security import validate_key
from .placeholder import CONTENT_TYPE, placeholder_png

EXTENSION = "thumbrouter.ondemand"
# Well inside the presigned URL's lifetime; private: shared caches (a CDN) never store a redirect that is
# signed for a window and, for a negotiating preset, chosen by Accept.
REDIRECT_CACHE = "private, max-age=300"
PLACEHOLDER_CACHE = "no-store"  # the thumbnail may exist a moment later

bp = Blueprint("ondemand", __name__)


@bp.get("/thumb/<preset>/<path:key>", merge_slashes=False)
def thumb(preset: str, key: str):
    service = current_app.extensions[EXTENSION]
    g.cloud = "s3"
    chosen = service.preset(preset)
    if chosen.formats:
        after_this_request(_vary_on_accept)
    if service.signer is not None:
        service.signer.verify(chosen.name, key, request.args.get("expires"), request.args.get("sig"))
    else:
        auth.require_token()
    answer = service.thumbnail(chosen, validate_key(key), request.headers.get("Accept"))
    if answer.location:
        response = redirect(answer.location, 302, Response=SignedRedirect)
        response.headers["Cache-Control"] = REDIRECT_CACHE
        return response
    response = Response(placeholder_png(), status=answer.status, content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = PLACEHOLDER_CACHE
    return response


def _vary_on_accept(response: Response) -> Response:
    if "Vary" in response.headers:
        response.vary.add("Accept")
    else:  # the usual case; response.vary parses and re-serialises the header even when there is none
        response.headers["Vary"] = "Accept"
    return response


# Werkzeug's IRI-to-URI of the redirect target, memoised: the URL cache hands out the same signed URL for
# its whole window, and converting the ~450-byte presigned URL on every response was a quarter of a hit.
_as_uri = lru_cache(maxsize=4096)(iri_to_uri)


class SignedRedirect(Response):
    """A redirect whose Location is converted to a URI as Werkzeug does, once per distinct URL."""

    autocorrect_location_header = False  # Flask's default: Location is sent as given, never joined to the host

    def get_wsgi_headers(self, environ):
        location = self.headers.get("Location")
        if location is None:
            return super().get_wsgi_headers(environ)
        del self.headers["Location"]
        try:
            headers = super().get_wsgi_headers(environ)
        finally:
            self.headers["Location"] = location
        headers["Location"] = _as_uri(location)
        return headers


@bp.get("/thumb/<preset>//<path:key>", merge_slashes=False)
def thumb_of_slashed_key(preset: str, key: str):
    """Werkzeug's path converter never matches a leading /, so such keys arrive here and `thumb`'s key
    check refuses them (400) as every other endpoint does, instead of a bare routing 404."""
    return thumb(preset, "/" + key)
