"""The storage layer's interfaces are exactly what the router uses, and storage never calls back up.

`Storage` is what /v1 and readiness use, `ThumbnailStore` what /thumb and /edge use. The real S3
backend is put behind a proxy that answers only the names those two protocols list and records the
methods the router calls; every route then runs against the local S3 server.
"""

import ast
import inspect
from pathlib import Path

import pytest

from thumbrouter.router import create_app, storage
from thumbrouter.router.ondemand.edge import ORIGIN_SECRET_HEADER
from thumbrouter.router.storage import Storage, ThumbnailStore
from thumbrouter.router.storage.s3 import S3Storage

from .ondemand.helpers import app_env, jpeg

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s" * 40


def methods(protocol) -> set[str]:
    return {name for name, value in vars(protocol).items() if inspect.isfunction(value) and not name.startswith("_")}


def members(protocol) -> set[str]:
    return methods(protocol) | set(getattr(protocol, "__annotations__", {}))


class OnlyTheProtocols:
    """A backend answering only the protocols' names; `called` holds the methods the router called."""

    def __init__(self, inner, names: set[str]):
        self.inner, self.names, self.called = inner, names, set()

    def __getattr__(self, name):
        if name not in self.names:
            raise AttributeError(f"the router used storage.{name}, which no storage protocol lists")
        value = getattr(self.inner, name)
        if not callable(value):
            return value

        def call(*args, **kwargs):
            self.called.add(name)
            return value(*args, **kwargs)
        return call


@pytest.fixture
def backend(monkeypatch):
    made = []

    def s3(settings):
        made.append(OnlyTheProtocols(S3Storage.from_settings(settings), members(Storage) | members(ThumbnailStore)))
        return made[-1]

    monkeypatch.setitem(storage.BACKENDS, "s3", s3)
    return made


def test_every_route_runs_on_the_protocols_alone_and_uses_every_method_they_list(backend, s3_server, buckets, s3):
    source, resized = buckets
    s3.put_object(Bucket=source, Key="a.jpg", Body=jpeg())
    app = create_app(app_env(s3_server, source, cdn_origin_secret=SECRET))
    client = app.test_client()
    answers = [
        client.get("/v1/download-urls?key=a.jpg"),
        client.post("/v1/upload-targets", json={"key": "new.jpg", "size": 10}),
        client.get("/thumb/thumb50/a.jpg"),  # a miss: made, stored, redirected to
        client.get("/thumb/thumb50/a.jpg"),  # a hit
        client.get("/edge/a_50x50.jpg", headers={ORIGIN_SECRET_HEADER: SECRET}),
        client.get("/readyz"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 302, 302, 200, 200], [a.get_data()[:200] for a in answers]
    [proxy] = backend
    assert proxy.called == methods(Storage) | methods(ThumbnailStore)


def test_lazy_links_are_the_routers_choice_and_the_backend_is_asked_for_no_thumbnail(backend, s3_server, buckets):
    app = create_app(app_env(s3_server, buckets[0], s3_thumbnail_links="lazy", url_signing_keys="k" * 32,
                             ondemand="1", public_base_url="https://router.example.com"))
    [proxy] = backend
    calls = []
    download_urls = proxy.inner.download_urls
    proxy.inner.download_urls = lambda key, **kw: calls.append(kw["thumbnail"]) or download_urls(key, **kw)
    answer = app.test_client().get("/v1/download-urls?key=a.jpg").json
    assert calls == [False] and answer["thumbnail_url"].startswith("https://router.example.com/thumb/thumb50/a.jpg?")


def test_the_storage_package_imports_nothing_of_the_router_above_it():
    above = {"thumbrouter.router.service", "thumbrouter.router.signing", "thumbrouter.router.ondemand",
             "thumbrouter.router.api", "thumbrouter.router.app"}
    wrong = []
    for path in sorted((ROOT / "thumbrouter/router/storage").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                name = f"thumbrouter.router.{node.module}"
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                name = node.module
            else:
                continue
            if any(name == a or name.startswith(a + ".") for a in above):
                wrong.append(f"{path.name}:{node.lineno}: {name}")
    assert not wrong, wrong
