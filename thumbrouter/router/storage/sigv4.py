"""SigV4 query-string presigning of S3 GET URLs with hashlib and hmac only.

botocore's query signer re-parses the URL and re-encodes the query several times per call (about
190 us per URL on the bench machine, so ~400 us per cache miss for an original plus its thumbnail);
this builds the same canonical request directly, once. It produces byte-identical URLs to botocore
(tests/router/test_sigv4.py and the property test in test_service_s3.py compare them for any key),
and AWS's documented example signs to its published signature.
"""

import hashlib
import hmac
import time
from functools import lru_cache
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
DEFAULT_PORTS = {"http": 80, "https": 443}


def encode(text: str) -> str:
    """RFC 3986 percent-encoding as SigV4 wants it (only A-Z a-z 0-9 - _ . ~ stay as they are)."""
    return quote(text, safe="-_.~")


@lru_cache(maxsize=32)
def signing_key(secret_key: str, datestamp: str, region: str, service: str = "s3") -> bytes:
    """The day's derived key; cached, because it changes once a day per region."""
    key = f"AWS4{secret_key}".encode()
    for part in (datestamp, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


@lru_cache(maxsize=64)
def canonical_host(scheme: str, netloc: str) -> str:
    """The Host header value botocore signs: lower-case host, [IPv6], and a port only when not the default."""
    parts = urlsplit(f"{scheme}://{netloc}")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return host


@lru_cache(maxsize=256)
def auth_pairs(access_key: str, token: str | None, region: str, signed_at: int, expires: int) -> tuple:
    """(amz_date, scope, encoded auth parameters): the same for every URL signed in one cache window."""
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(signed_at))
    scope = f"{amz_date[:8]}/{region}/s3/aws4_request"
    auth = {"X-Amz-Algorithm": ALGORITHM, "X-Amz-Credential": f"{access_key}/{scope}",
            "X-Amz-Date": amz_date, "X-Amz-Expires": str(expires), "X-Amz-SignedHeaders": "host"}
    if token is not None:
        auth["X-Amz-Security-Token"] = token
    return amz_date, scope, tuple((encode(k), encode(v)) for k, v in auth.items())


def presign_get(url: str, credentials, region: str, *, signed_at: int, expires: int,
                params: dict[str, str] | None = None) -> str:
    """`url` (scheme://host/path, path already encoded, no query) presigned for GET at `signed_at`.

    `credentials` has access_key, secret_key and token (botocore's frozen credentials). `params` are
    operation parameters such as response-content-disposition; they come before the auth parameters.
    """
    amz_date, scope, auth = auth_pairs(credentials.access_key, credentials.token, region, signed_at, expires)
    pairs = [*((encode(k), encode(v)) for k, v in (params or {}).items()), *auth]
    scheme, _, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    canonical_request = "\n".join((
        "GET", slash + path, "&".join(f"{k}={v}" for k, v in sorted(pairs)),
        f"host:{canonical_host(scheme, netloc)}\n", "host", UNSIGNED_PAYLOAD))
    string_to_sign = "\n".join((ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()))
    key = signing_key(credentials.secret_key, amz_date[:8], region)
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in pairs)}&X-Amz-Signature={signature}"
