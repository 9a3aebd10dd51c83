"""The one app factory: `create_app(config=None)` builds the router's Flask app.

Settings come from THUMBROUTER_* variables (router.config) or from a mapping/Settings passed in by
tests. A wrong value stops start-up with ConfigError naming the variable; so does a deployment with no
API tokens, unless THUMBROUTER_ALLOW_ANONYMOUS=1 says so explicitly (never "warn and carry on open").
An anonymous app then answers loopback peers only, whatever server runs it (gunicorn, `flask run`,
waitress); servers that know their bind address also refuse to start on a public one (`check_bind`).
Collaborators attach with `init_app(app)`; blueprints are listed in BLUEPRINTS.
"""

import ipaddress
import logging
from collections.abc import Mapping

from flask import Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from . import api, auth, clientip, fastpath, health, metrics, openapi
from .config import ConfigError, Settings, check_consistent, load_settings
from .errors import BackendUnavailable, Forbidden, Overloaded, RouterError, Unauthorized, error_body
from .service import Router

log = logging.getLogger("thumbrouter")

# Every blueprint the app serves, in order (health and metrics attach through their init_app).
BLUEPRINTS = [api.bp, openapi.bp]


def create_app(config: Settings | Mapping[str, str] | None = None) -> Flask:
    """Build the app from `config` (Settings, an environ-like mapping, or os.environ when None).

    Raises ConfigError (naming the variable) for bad settings or when no API token is configured
    without THUMBROUTER_ALLOW_ANONYMOUS=1.
    """
    if isinstance(config, Settings):
        check_consistent(config)  # a ready-made Settings passes the rules load_settings (and gunicorn) apply
    settings = config if isinstance(config, Settings) else load_settings(config)
    check_access_policy(settings)
    app = Flask("router", static_folder=None)  # an API: no /static route to match against
    # Werkzeug answers `/v1//x` (merged slashes), `/x` for a `/x/` rule and aliases of rules with defaults
    # with a 308 whose Location is built from the Host header: `Host: evil.example` made it an open
    # redirect. No route needs any of that, so the map never redirects (set before any rule is added).
    app.url_map.merge_slashes = app.url_map.strict_slashes = app.url_map.redirect_defaults = False
    if not settings.api_tokens:
        app.before_request(require_loopback_peer)
    app.config["MAX_CONTENT_LENGTH"] = api.MAX_BODY_BYTES
    # Answers keep the dataclass field order; sorting costs time per request. sort_keys is the default
    # provider's documented setting, but Flask types app.json as the JSONProvider base class.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["thumbrouter.settings"] = settings
    app.extensions["thumbrouter"] = router = Router.from_settings(settings)
    router.warm()  # load GeoIP now, so the first request does not pay for it
    auth.init_app(app, settings.api_tokens)
    fastpath.init_app(app)  # right around Flask: ProxyFix and the metrics timer wrap it
    clientip.init_app(app, settings.trusted_proxies, settings.country_header)
    metrics.init_app(app)
    health.add_router_checks(health.init_app(app), router)
    if settings.ondemand:  # an optional feature is imported only when switched on (Pillow, redis, the job code)
        from . import ondemand

        ondemand.init_app(app)  # GET /thumb/<preset>/<key> and its Redis readiness check (when S3 is configured)
    register_error_handlers(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app


def check_access_policy(settings: Settings) -> None:
    """Refuse an open API unless anonymous access was asked for; raises ConfigError."""
    if not settings.api_tokens and not settings.allow_anonymous:
        raise ConfigError("THUMBROUTER_API_TOKENS is empty: set at least one token (comma list, 16+ characters), "
                          "or THUMBROUTER_ALLOW_ANONYMOUS=1 for a loopback-only development server")


def is_loopback(host: str | None) -> bool:
    """True for `localhost`, a unix socket, or an IP literal (IPv6 maybe [bracketed]) on loopback.

    Parsed, not prefix-matched: `127.0.0.1.nip.io` is a public DNS name, and `::ffff:127.0.0.1`
    (an IPv4 peer on a dual-stack socket) is loopback.
    """
    host = (host or "").strip()
    if host.lower() == "localhost" or host.startswith("unix:"):
        return True
    try:
        address = ipaddress.ip_address(host[1:-1] if host.startswith("[") and host.endswith("]") else host)
    except ValueError:
        return False
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback


def require_loopback_peer() -> None:
    """before_request of an anonymous app: only a loopback socket peer may call it; raises Forbidden.

    The socket's peer even behind trusted proxies (ProxyFix): X-Forwarded-For is only as good as the
    proxy that wrote it, and this check must not depend on one being there.
    """
    if not is_loopback(clientip.socket_peer(request.environ)):
        raise Forbidden("this router serves without tokens to loopback clients only",
                        log_message="anonymous router: refused a non-loopback peer")


def check_bind(settings: Settings, host: str) -> None:
    """Refuse to serve an anonymous API on anything but loopback; raises ConfigError."""
    if settings.api_tokens or not settings.allow_anonymous:
        return
    if not is_loopback(host):
        raise ConfigError(f"THUMBROUTER_ALLOW_ANONYMOUS=1 serves without tokens, so it binds to loopback only, "
                          f"not {host!r}: bind 127.0.0.1 or set THUMBROUTER_API_TOKENS")


def register_error_handlers(app: Flask) -> None:
    """Render RouterError and Flask's HTTP errors (404, 405, 413, ...) as {"error": {"code", "message"}}."""
    app.register_error_handler(RouterError, render_router_error)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(Exception, render_unexpected)


def count_signing_error(code: str) -> None:
    """Failures of the /v1 API's signing (other blueprints' backend errors are theirs to count)."""
    if request.blueprint == api.bp.name:
        metrics.get_metrics().signing_errors.labels(code).inc()


def render_router_error(exc: RouterError):
    if exc.status >= 500:
        log.warning("%s: %s", exc.code, exc.log_message)
    if isinstance(exc, BackendUnavailable):
        count_signing_error(exc.code)
    response = jsonify(exc.to_dict())
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="thumbrouter"'
    if isinstance(exc, (Overloaded, BackendUnavailable)) and exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response, exc.status


def render_http_error(exc: HTTPException):
    code = (exc.name or "error").lower().replace(" ", "_")
    message = exc.description or ""  # every werkzeug error has one; only a bare HTTPException lacks it
    if isinstance(exc, RequestEntityTooLarge):
        code, message = "body_too_large", f"body too big: at most {current_app.config['MAX_CONTENT_LENGTH']} bytes"
    response = jsonify(error_body(code, message))
    original = exc.get_response().headers
    for name in ("Allow", "Retry-After"):
        if original.get(name):
            response.headers[name] = original[name]
    return response, exc.code or 500


def render_unexpected(exc: Exception):
    log.exception("unexpected error")
    count_signing_error("internal_error")
    return jsonify(error_body("internal_error", "internal error")), 500
