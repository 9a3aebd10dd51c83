"""Who is asking: the client IP behind trusted proxies, and a country header set by a trusted edge.

`X-Forwarded-For` can be written by anyone, so it is believed only through the number of proxy hops the
operator declares (THUMBROUTER_TRUSTED_PROXIES, default 0 = use the socket's address). With N hops the
client is the N-th address from the right: each trusted proxy appended the address it saw, and the
entries further left were written by the client and are ignored (the same rule as werkzeug's ProxyFix).
A country header (CloudFront-Viewer-Country, CF-IPCountry) is read only when
THUMBROUTER_COUNTRY_HEADER names it.
"""

import ipaddress
import re
from dataclasses import dataclass

from flask import Flask, current_app, request

EXTENSION = "thumbrouter.clientip"
# Edges send two uppercase letters; Cloudflare uses XX for "unknown" and T1 for Tor, which are no country.
COUNTRY = re.compile(r"[A-Z]{2}")
NOT_COUNTRIES = frozenset({"XX", "T1"})


@dataclass(frozen=True)
class ClientPolicy:
    """How much of the request's headers to believe."""

    trusted_proxies: int = 0
    country_header: str | None = None


def init_app(app: Flask, trusted_proxies: int = 0, country_header: str | None = None) -> None:
    """Store the policy on the app; the API views read it per request."""
    app.extensions[EXTENSION] = ClientPolicy(trusted_proxies, country_header or None)


def resolve_ip(remote_addr: str | None, forwarded_for: str | None, trusted_proxies: int) -> str | None:
    """The client address: remote_addr, or the entry `trusted_proxies` hops from the right of X-Forwarded-For.

    Falls back to remote_addr when the header has fewer hops than declared or the entry is not an IP.
    """
    if trusted_proxies <= 0 or not forwarded_for:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    if len(hops) < trusted_proxies:
        return remote_addr
    candidate = hops[-trusted_proxies]
    return candidate if is_ip(candidate) else remote_addr


def is_ip(text: str) -> bool:
    """True for a literal IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


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
    policy: ClientPolicy = current_app.extensions[EXTENSION]
    req = request._get_current_object()  # one context lookup instead of one per attribute
    forwarded = ",".join(req.headers.getlist("X-Forwarded-For")) if policy.trusted_proxies else None
    ip = resolve_ip(req.remote_addr, forwarded, policy.trusted_proxies)
    country = header_country(req.headers.get(policy.country_header)) if policy.country_header else None
    return ip, country
