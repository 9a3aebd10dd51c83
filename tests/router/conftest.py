"""Router fixtures shared by router tests: Settings and Router factories wired to the local S3 server.

`router_env` is a complete THUMBROUTER_* environment (S3 = the session's `router_buckets`, Qiniu = the
documented demo credentials, CN domestic); `make_settings(**overrides)` and
`make_router(clock=..., **overrides)` build from it, with overrides named like the variables
without the prefix (`make_settings(DEFAULT_CLOUD="qiniu")`; None removes a variable).
"""

import socket
import uuid

import boto3
import pytest
from flask.testing import FlaskClient

from thumbrouter.router.config import load_settings
from thumbrouter.router.service import Router

from . import openapi_check

QINIU_ENV = {
    "THUMBROUTER_QINIU_ACCESS_KEY": "MY_ACCESS_KEY",
    "THUMBROUTER_QINIU_SECRET_KEY": "MY_SECRET_KEY",
    "THUMBROUTER_QINIU_BUCKET": "demo-kodo",
    "THUMBROUTER_QINIU_DOMAIN": "img.example.com",
}


class FakeClock:
    """An injectable clock (epoch seconds) that tests move by hand instead of sleeping."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session")
def router_buckets(s3_server) -> tuple[str, str]:
    """One (source, `<source>resized`) pair shared by router tests (tests use distinct keys)."""
    client = boto3.client("s3", endpoint_url=s3_server.url, region_name="us-east-1")
    source = f"router-{uuid.uuid4().hex[:12]}"
    for name in (source, f"{source}resized"):
        client.create_bucket(Bucket=name)
    return source, f"{source}resized"


@pytest.fixture
def router_env(s3_server, router_buckets) -> dict[str, str]:
    source, _ = router_buckets
    return {
        "AWS_ENDPOINT_URL_S3": s3_server.url,
        "AWS_REGION": "us-east-1",
        "THUMBROUTER_S3_BUCKET": source,
        **QINIU_ENV,
    }


def _apply(env: dict[str, str], overrides: dict) -> dict[str, str]:
    merged = dict(env)
    for name, value in overrides.items():
        full = name if name.startswith("AWS_") else f"THUMBROUTER_{name}"
        if value is None:
            merged.pop(full, None)
        else:
            merged[full] = str(value)
    return merged


@pytest.fixture
def make_settings(router_env):
    """Factory: `make_settings(DEFAULT_CLOUD="qiniu", QINIU_PRIVATE=None)` -> Settings."""
    return lambda **overrides: load_settings(_apply(router_env, overrides))


@pytest.fixture
def make_router(make_settings):
    """Factory: `make_router(clock=FakeClock(...), lazy_thumbnail_url=..., **overrides)` -> Router."""

    def build(*, clock=None, lazy_thumbnail_url=None, **overrides) -> Router:
        kwargs = {"clock": clock} if clock is not None else {}
        return Router.from_settings(make_settings(**overrides), lazy_thumbnail_url=lazy_thumbnail_url, **kwargs)

    return build


@pytest.fixture
def counting_black_hole():
    """(URL, listening socket) of a TCP port on 127.0.0.1 that completes handshakes (kernel backlog) and
    never answers: S3 hanging. Tests count the connections that reached it by accepting them."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4096)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", sock


@pytest.fixture
def black_hole(counting_black_hole):
    """The URL of a counting_black_hole."""
    return counting_black_hole[0]


@pytest.fixture(autouse=True)
def answers_match_the_openapi_document(monkeypatch):
    """Every answer a router test gets from Flask's test client is one the OpenAPI document allows."""
    opened = FlaskClient.open
    openapi_check.validator()  # built once, before any test times an answer

    def open_and_check(self, *args, **kwargs):
        response = opened(self, *args, **kwargs)
        openapi_check.check(self.application, response)
        return response

    monkeypatch.setattr(FlaskClient, "open", open_and_check)
