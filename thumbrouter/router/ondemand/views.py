"""The /thumb blueprint: GET /thumb/<preset>/<key> -> 302 to the thumbnail, or a placeholder image.

Checks run before any S3 call, in this order: preset (404), access (403/401), key (400: invalid,
starting with /, or too long to have a thumbnail key).
Access: when THUMBROUTER_URL_SIGNING_KEYS is set a valid, unexpired signature is required (lazy
URLs; lazy mode refuses to start without keys); without keys /thumb needs the /v1 bearer token.
A preset that negotiates formats answers everything (302s and errors alike) with `Vary: Accept`: the
redirect's target depends on it. The signature does not cover Accept; it only picks among allowed formats.
A GET of a thumbnail this process has seen is answered before Flask by router.fastpath, with
`authorized_key`, the service's `known_answer` and `redirect_headers`: the same steps as `thumb`.
"""

from collections.abc import Iterable
from functools import lru_cache

from flask import Blueprint, Response, after_this_request, current_app, g, request
from werkzeug.urls import iri_to_uri
from werkzeug.wsgi import ClosingIterator

from .. import auth, query
from ..errors import raise_handed_over
from ..security import validate_key
from .placeholder import CONTENT_TYPE, placeholder_png
from .presets import Preset
from .service import OnDemand

EXTENSION = "thumbrouter.ondemand"
# Well inside the presigned URL's lifetime; private: shared caches (a CDN) never store a redirect that is
# signed for a window and, for a negotiating preset, chosen by Accept.
REDIRECT_CACHE = "private, max-age=300"
PLACEHOLDER_CACHE = "no-store"  # the thumbnail may exist a moment later
VARY_ACCEPT = {"Vary": "Accept"}

RULE = "/thumb/<preset>/<path:key>"  # router.fastpath answers a known thumbnail's GET before Flask matches it
bp = Blueprint("ondemand", __name__)


@bp.get(RULE, merge_slashes=False)
def thumb(preset: str, key: str):
    service = current_app.extensions[EXTENSION]
    g.cloud = "s3"
    chosen = service.preset(preset)
    vary = VARY_ACCEPT if chosen.formats else {}
    try:
        raise_handed_over(request.environ)  # what router.fastpath met on this request, raised here
        key = authorized_key(service, chosen, key, request.environ, current_app.extensions[auth.EXTENSION])
        answer = service.thumbnail(chosen, key, request.headers.get("Accept"))
    except Exception:
        if vary:  # an error answer varies too; registered only then, hooks cost time on every hit
            after_this_request(_vary_on_accept)
        raise
    if answer.location:
        return SignedRedirect(None, 302, redirect_headers(answer.location, chosen))
    return Response(placeholder_png(), status=answer.status, content_type=CONTENT_TYPE,
                    headers={"Cache-Control": PLACEHOLDER_CACHE, **vary})


def authorized_key(service: OnDemand, preset: Preset, key: str, environ, tokens: tuple[bytes, ...]) -> str:
    """The checked key of a /thumb request that its signature (or, unsigned, its token) lets through.

    Raises Forbidden (signature), Unauthorized (token) or BadRequest (expires, or the key: invalid,
    starting with /, too long).
    """
    if service.signer is not None:
        args = query.first_values(environ)
        service.signer.verify(preset.name, key, args.get("expires"), args.get("sig"))
    else:
        auth.check_token(tokens, environ.get("HTTP_AUTHORIZATION"))
    return validate_key(key)


def redirect_headers(location: str, preset: Preset) -> list[tuple[str, str]]:
    """The headers of a 302 to a thumbnail: Location as a URI (Werkzeug's conversion, memoised), no body."""
    headers = [("Location", _as_uri(location)), ("Content-Length", "0"), ("Cache-Control", REDIRECT_CACHE)]
    return headers + list(VARY_ACCEPT.items()) if preset.formats else headers


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
    """A bodiless 302 whose headers (redirect_headers) are final when it is made. (werkzeug.utils.redirect
    HTML-escapes the ~450-byte URL into a body, and Response.get_wsgi_response copies, scans and converts
    the headers again on every response.)"""

    autocorrect_location_header = False  # Flask's default: Location is sent as given, never joined to the host
    default_mimetype = None  # no body, no Content-Type

    def get_wsgi_response(self, environ) -> tuple[Iterable[bytes], str, list[tuple[str, str]]]:
        # No body for any method; after_request hooks may still have changed self.headers, which are sent as
        # they stand. ClosingIterator keeps Response.close (and call_on_close callbacks) running at the end.
        return ClosingIterator((), self.close), self.status, self.headers.to_wsgi_list()


@bp.get("/thumb/<preset>//<path:key>", merge_slashes=False)
def thumb_of_slashed_key(preset: str, key: str):
    """Werkzeug's path converter never matches a leading /, so such keys arrive here and `thumb`'s key
    check refuses them (400) as every other endpoint does, instead of a bare routing 404."""
    return thumb(preset, "/" + key)
