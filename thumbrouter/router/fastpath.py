"""The two hot routes answered before Flask: a known thumbnail's 302 and GET /v1/download-urls.

Under gunicorn, Flask's request context, URL matching, hooks and Response objects cost about as much
as these routes' own work (a URL cache lookup and a few headers). `init_app` puts FastPath right around
Flask, inside ProxyFix and the metrics timer, and it answers a GET of either route with the functions
the views call, in the views' order: the token or signature, the query fields, the client, the
service, the same status, headers and body, and `metrics.record`. It answers only successes:

- a RouterError met on the way is left in the environ (errors.HANDED_OVER) and Flask serves the
  request: the view raises that error where it would have raised its own, so Flask's one error
  handler renders every error answer, with its hooks and headers (Vary, WWW-Authenticate, Retry-After);
- a /thumb of a thumbnail this process has not seen (HEAD, single-flight, generation) goes to Flask;
- anything else (other methods and paths, HEAD, an anonymous app, an unexpected exception) goes to Flask
  untouched, and so does every request while the app has Flask hooks this module does not reproduce.

tests/router/test_fastpath.py sends the same requests to an app with and without it and compares the
answers and the metrics byte for byte.
"""

from flask import Flask

from . import api, auth, clientip, metrics, signing
from .errors import HANDED_OVER, RouterError

THUMB_PREFIX = signing.THUMB_PREFIX + "/"  # the path every /thumb URL starts with, as signing builds them
THUMB_BLUEPRINT = "ondemand"  # ondemand.views.bp's name: importing the package to ask would load the feature


def init_app(app: Flask) -> None:
    """Answer the hot routes before Flask; call it before any other middleware wraps `app.wsgi_app`."""
    if app.extensions[auth.EXTENSION]:  # an anonymous app checks every peer in a Flask hook: Flask serves it all
        app.wsgi_app = FastPath(app, app.wsgi_app)  # type: ignore[method-assign]  # Flask's middleware hook


class FastPath:
    """WSGI middleware: the hot routes' successes here, everything else by the wrapped Flask app."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.download_rule = (api.bp.url_prefix or "") + api.DOWNLOAD_URLS
        # Flask's before_request and after_request registries as create_app leaves them: what this class reproduces
        self.hooks = ({api.bp.name: [auth.require_token]}, {None: [metrics.record_response]})

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and self.hooks_known():
            # Werkzeug matches the path decoded this way (its "WSGI decoding dance")
            path = environ.get("PATH_INFO", "").encode("latin-1").decode(errors="replace")
            if path == self.download_rule:
                return self.download_urls(environ, start_response)
            if path.startswith(THUMB_PREFIX):
                return self.thumb(environ, start_response, path[len(THUMB_PREFIX):])
        return self.wsgi_app(environ, start_response)

    def hooks_known(self) -> bool:
        """True while Flask's request hooks are the ones this class reproduces (the /v1 token check and the
        metrics); a hook added later (a test, an extension) turns the fast path off rather than skipping it."""
        app = self.app
        return ((app.before_request_funcs, app.after_request_funcs) == self.hooks
                and not app.teardown_request_funcs and not app.url_value_preprocessors)

    def download_urls(self, environ, start_response):
        extensions = self.app.extensions
        try:
            auth.check_token(extensions[auth.EXTENSION], environ.get("HTTP_AUTHORIZATION"))  # the blueprint's hook
            urls = api.download_of(extensions["thumbrouter"], extensions[clientip.EXTENSION], environ)
        except Exception as error:  # noqa: BLE001 -- Flask serves it: its handler logs and renders any failure
            return self.flask(environ, start_response, error)
        body = api.as_json(urls)
        return self.answer(environ, start_response, "200 OK", self.download_rule, urls.cloud,
                           [("Content-Type", api.JSON), ("Content-Length", str(len(body)))], body)

    def thumb(self, environ, start_response, rest: str):
        name, _, key = rest.partition("/")
        if THUMB_BLUEPRINT not in self.app.blueprints or not name or not key or key.startswith("/"):
            return self.wsgi_app(environ, start_response)  # no /thumb here, or Flask's routing decides
        from .ondemand import views  # loaded with its blueprint (an optional feature: Pillow, redis)

        service = self.app.extensions[views.EXTENSION]
        try:
            preset = service.preset(name)
            key = views.authorized_key(service, preset, key, environ, self.app.extensions[auth.EXTENSION])
            answer = service.known_answer(preset, key, service.variant(preset, key, environ.get("HTTP_ACCEPT")))
        except Exception as error:  # noqa: BLE001 -- Flask serves it: its handler logs and renders any failure
            return self.flask(environ, start_response, error)
        if answer is None or answer.location is None:  # not known here: the view finds or makes it
            return self.wsgi_app(environ, start_response)
        return self.answer(environ, start_response, "302 FOUND", views.RULE, "s3",
                           views.redirect_headers(answer.location, preset), b"")

    def flask(self, environ, start_response, error: Exception):
        """Flask serves the request: a RouterError is handed over for the view to raise; after any other
        failure Flask runs the request from the start (and logs and answers 500 if it fails there too)."""
        if isinstance(error, RouterError):
            environ[HANDED_OVER] = error
        return self.wsgi_app(environ, start_response)

    def answer(self, environ, start_response, status: str, route: str, cloud: str, headers: list, body: bytes):
        metrics.record(self.app, environ, route, int(status[:3]), cloud)
        start_response(status, headers)
        return [body] if body else []
