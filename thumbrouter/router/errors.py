"""Typed router errors: each carries an HTTP status, a stable code, a public message and a log message.

The one Flask error handler (router-http) renders `{"error": {"code": ..., "message": ...}}` from
`public_message`; `log_message` (which may name internal details) goes to logs only.
"""


def error_body(code: str, message: str) -> dict:
    """The one JSON error body: `{"error": {"code", "message"}}` (RouterError and Flask's HTTP errors)."""
    return {"error": {"code": code, "message": message}}


class RouterError(Exception):
    """Base of every error the router answers with; never carries secrets in either message."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, public_message: str, *, log_message: str | None = None):
        super().__init__(public_message)
        self.public_message = public_message
        self.log_message = log_message or public_message

    def to_dict(self) -> dict:
        """The JSON error body of this error (error_body with the public message)."""
        return error_body(self.code, self.public_message)


class BadRequest(RouterError):
    status, code = 400, "bad_request"


class Unauthorized(RouterError):
    status, code = 401, "unauthorized"


class Forbidden(RouterError):
    status, code = 403, "forbidden"


class NotFound(RouterError):
    status, code = 404, "not_found"


class Unprocessable(RouterError):
    status, code = 422, "unprocessable"


class Overloaded(RouterError):
    """Too much work queued: answer 503 at once with `Retry-After` seconds."""

    status, code = 503, "overloaded"

    def __init__(self, public_message: str = "server busy, retry later", *,
                 retry_after: int = 1, log_message: str | None = None):
        super().__init__(public_message, log_message=log_message)
        self.retry_after = retry_after


class BackendUnavailable(RouterError):
    """A storage or generation backend failed or timed out (502 when it answered badly).

    `retry_after` (seconds) becomes a Retry-After header, e.g. while a circuit breaker is open.
    """

    status, code = 503, "backend_unavailable"

    def __init__(self, public_message: str = "storage backend unavailable", *,
                 status: int = 503, log_message: str | None = None, retry_after: int | None = None):
        super().__init__(public_message, log_message=log_message)
        self.status, self.retry_after = status, retry_after


# Where router.fastpath leaves a RouterError it met on the way, for the Flask view to raise: every error
# answer, hooks and headers included, is rendered by Flask's one error handler.
HANDED_OVER = "thumbrouter.handed_over"


def raise_handed_over(environ: dict) -> None:
    """In a view: raise the RouterError that router.fastpath met on this request, if it met one."""
    error = environ.pop(HANDED_OVER, None)
    if error is not None:
        raise error
