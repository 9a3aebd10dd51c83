"""Who is asking: the client IP behind trusted proxies, and a country header set by a trusted edge.

`X-Forwarded-For` can be written by anyone, so it is believed only through the number of proxy hops the
operator declares (THUMBROUTER_TRUSTED_PROXIES, default 0 = use the socket's address). With N hops,
werkzeug's `ProxyFix(x_for=N)` makes the N-th address from the right the request's `remote_addr`: each
trusted proxy appended the address it saw, and the entries further left were written by the client.
With fewer entries than N the socket's address stays. An entry that is not an IP is routed like an
unknown address (geo.public_address turns it into None). The socket's own peer stays readable
(`socket_peer`) for the anonymous mode's loopback check. A country header (CloudFront-Viewer-Country,
CF-IPCountry) is read only when THUMBROUTER_COUNTRY_HEADER names it.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

EXTENSION = "thumbrouter.clientip"
# Edges send two uppercase letters; Cloudflare uses XX for "unknown" and T1 for Tor, which are no country.
COUNTRY = re.compile(r"[A-Z]{2}")
NOT_COUNTRIES = frozenset({"XX", "T1"})
_PROXY_FIX_ORIGINAL = "werkzeug.proxy_fix.orig"  # where ProxyFix keeps the values it replaced


@dataclass(frozen=True)
class ClientPolicy:
    """How much of the request's headers to believe."""

    trusted_proxies: int = 0
    country_header: str | None = None


def init_app(app: Flask, trusted_proxies: int = 0, country_header: str | None = None) -> None:
    """Store the policy on the app and, behind trusted proxies, wrap it in ProxyFix (X-Forwarded-For only)."""
    app.extensions[EXTENSION] = ClientPolicy(trusted_proxies, country_header or None)
    if trusted_proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented WSGI middleware hook
            app.wsgi_app, x_for=trusted_proxies, x_proto=0, x_host=0, x_port=0, x_prefix=0)


def socket_peer(environ: Mapping) -> str | None:
    """The address of the socket's peer, before ProxyFix replaced REMOTE_ADDR with the forwarded client."""
    return environ.get(_PROXY_FIX_ORIGINAL, environ).get("REMOTE_ADDR")


def header_country(value: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code from an edge's country header, or None for missing/unknown/garbage."""
    if not value:
        return None
    code = value.strip().upper()
    if not COUNTRY.fullmatch(code) or code in NOT_COUNTRIES:
        return None
    return code


def current_client() -> tuple[str | None, str | None]:
    """(client_ip, header_country) for the current request under the app's policy."""
    return client_of(current_app.extensions[EXTENSION], request.environ)


def client_of(policy: ClientPolicy, environ: Mapping) -> tuple[str | None, str | None]:
    """(client_ip, header_country) of a WSGI environ, read as Werkzeug's `remote_addr` and `headers` read it."""
    country = header_country(environ.get(environ_name(policy.country_header))) if policy.country_header else None
    return environ.get("REMOTE_ADDR"), country


def environ_name(header: str) -> str:
    """Where a WSGI environ holds a request header, as Werkzeug's EnvironHeaders looks it up."""
    name = header.upper().replace("-", "_")
    return name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + name
