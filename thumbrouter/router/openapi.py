"""GET /openapi.yaml: the router's HTTP API as an OpenAPI 3.1 document (openapi.yaml beside this file).

The file is the one description of every route, parameter, answer and error code; the router's tests
validate each answer they receive against it, so a backend can generate its client from it.
"""

from functools import cache
from importlib.resources import files

from flask import Blueprint, Response

CONTENT_TYPE = "application/yaml"

bp = Blueprint("openapi", __name__)


@cache
def document() -> bytes:
    """The document's bytes, read once per process."""
    return files(__package__).joinpath("openapi.yaml").read_bytes()


@bp.get("/openapi.yaml")
def openapi_view():
    return Response(document(), content_type=CONTENT_TYPE)
