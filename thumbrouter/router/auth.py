"""Bearer-token authentication for the /v1 API.

Tokens come from Settings.api_tokens (THUMBROUTER_API_TOKENS). Every presented token is compared with
every configured token using `hmac.compare_digest`, so the time taken does not reveal which token, or
how much of one, matched. With no tokens the app only starts when anonymous access was asked for
(create_app enforces that); then these checks let every request through.
"""

import hmac

from flask import Flask, current_app, request

from .errors import Unauthorized

EXTENSION = "thumbrouter.auth"
SCHEME = "bearer"


def init_app(app: Flask, tokens) -> None:
    """Remember the configured tokens as bytes (an empty tuple means anonymous access)."""
    app.extensions[EXTENSION] = tuple(token.encode() for token in tokens if token)


def token_matches(presented: bytes, tokens: tuple[bytes, ...]) -> bool:
    """True when `presented` equals one of `tokens`; compares against all of them, always."""
    matched = False
    for token in tokens:
        matched |= hmac.compare_digest(presented, token)
    return matched


def presented_token(header: str | None) -> bytes | None:
    """The token of an `Authorization: Bearer <token>` header, or None when absent or another scheme."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != SCHEME or not token:
        return None
    return token.encode()


def require_token() -> None:
    """before_request hook for protected blueprints; raises Unauthorized (401) on a missing or wrong token."""
    check_token(current_app.extensions[EXTENSION], request.headers.get("Authorization"))


def check_token(tokens: tuple[bytes, ...], header: str | None) -> None:
    """`require_token` for an Authorization header value and the app's tokens (router.fastpath calls it too)."""
    if not tokens:
        return
    token = presented_token(header)
    if token is None:
        raise Unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
    if not token_matches(token, tokens):
        raise Unauthorized("invalid bearer token", log_message="a request presented an unknown token")
