"""The OpenAPI document: a valid 3.1 description of exactly the router's routes, served by the router.

Every answer the router tests receive is validated against it (conftest's autouse fixture).
"""

import re

import pytest
from flask import Blueprint
from openapi_spec_validator import validate

from thumbrouter.router import create_app, openapi

from . import openapi_check
from .http_helpers import router_env

# Flask's answers to these need no documentation: HEAD mirrors GET, OPTIONS lists the methods.
IMPLICIT = {"HEAD", "OPTIONS"}


def documented_operations() -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in openapi_check.document()["paths"].items() for method in item}


def routed_operations(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every rule: `<path:key>` is `{key}`; `//<path:key>` is the same operation."""
    return {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).replace("//", "/"), method)
            for rule in app.url_map.iter_rules() for method in rule.methods - IMPLICIT}


def test_the_document_is_valid_openapi_3_1():
    document = openapi_check.document()
    validate(document)
    assert document["openapi"].startswith("3.1.")


def test_the_document_describes_exactly_the_routes_of_a_router_with_every_feature(s3_server):
    app = create_app(router_env(URL_SIGNING_KEYS="k" * 32, CDN_ORIGIN_SECRET="s" * 32))
    assert app.extensions.get("thumbrouter.ondemand") is not None and "edge" in app.blueprints
    assert routed_operations(app) == documented_operations()


def test_the_router_serves_the_document_without_a_token(s3_server):
    answer = create_app(router_env()).test_client().get("/openapi.yaml")
    assert answer.status_code == 200 and answer.content_type == openapi.CONTENT_TYPE
    assert answer.data == openapi.document() and b"openapi: 3.1" in answer.data


def test_an_answer_the_document_does_not_allow_is_caught(s3_server):
    app = create_app(router_env())
    extra = Blueprint("extra", __name__)
    extra.add_url_rule("/v1/undocumented", view_func=lambda: {"status": "ok"})
    app.register_blueprint(extra)
    with pytest.raises(AssertionError, match="not documented"):
        app.test_client().get("/v1/undocumented")


def test_an_error_body_of_another_shape_is_caught(s3_server):
    app = create_app(router_env())
    app.view_functions["health.healthz"] = lambda: ({"status": "ok", "error": "none"}, 200)
    client = app.test_client()
    with pytest.raises(Exception, match="(?i)invalid|additional"):
        client.get("/healthz")
    app.view_functions["health.healthz"] = lambda: ({"state": "ok"}, 200)
    with pytest.raises(Exception, match="(?i)invalid|required"):
        client.get("/healthz")
