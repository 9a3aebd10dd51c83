"""Every answer a router test receives is checked against the router's OpenAPI document.

`check(response)` validates one Flask test-client response (status, headers, body) with openapi-core.
A path the document does not describe (a 404 for an unknown URL) must still carry the one error body.
OpenAPI path parameters cannot hold a `/`, while `/thumb/<preset>/<key>` and `/edge/<key>` take the rest of
the path as the key: the validator sees that key with its slashes percent-encoded, the same parameter.
"""

from functools import cache
from urllib.parse import quote

import yaml
from jsonschema import Draft202012Validator
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from werkzeug.exceptions import HTTPException

from thumbrouter.router import openapi

# Routes whose last parameter is the rest of the path (a key with slashes).
REST_OF_PATH = {"/thumb/": 1, "/edge/": 0}  # prefix -> path segments before the key


@cache
def document() -> dict:
    return yaml.safe_load(openapi.document())


@cache
def validator() -> OpenAPI:
    return OpenAPI.from_dict(document())


class _Request(WerkzeugOpenAPIRequest):
    """The request as the document sees it: a /thumb key is one path parameter. Answers are checked,
    not requests (tests send bad ones on purpose), so the body, already read by the app, is not needed."""

    body = None

    @property
    def path(self) -> str:
        path = super().path
        if path != "/" and path.endswith("/"):  # the router's map takes a rule's path with one trailing slash
            path = path[:-1]
        for prefix, before in REST_OF_PATH.items():
            if path.startswith(prefix):
                segments = path[len(prefix):].split("/")
                head, key = segments[:before], "/".join(segments[before:])
                return prefix + "".join(f"{part}/" for part in head) + quote(key, safe="")
        return path


def served_by_router(app, request) -> bool:
    """True unless a test added the route itself: the router's routes all live in blueprints."""
    try:
        endpoint, _ = app.url_map.bind_to_environ(request.environ).match(method=request.method)
    except HTTPException:
        return True  # the router's own 404/405 answer
    return "." in endpoint


def check(app, response) -> None:
    """Raise when `response` (Flask's test client's, from `app`) is not an answer the document allows.

    HEAD and OPTIONS answers (Flask adds both to every GET route; they carry no body) are not checked,
    nor answers of routes a test registered itself.
    """
    if response.request.method in ("HEAD", "OPTIONS") or not served_by_router(app, response.request):
        return
    request = _Request(response.request)
    try:
        validator().validate_response(request, WerkzeugOpenAPIResponse(response))
    except (PathNotFound, OperationNotFound):
        error = document()["components"]["schemas"]["Error"]
        assert response.status_code >= 400, f"{request.path} answered {response.status_code} but is not documented"
        Draft202012Validator(error).validate(response.get_json())
