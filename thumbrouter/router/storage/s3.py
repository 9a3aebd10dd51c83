"""AWS S3: SigV4 presigned GETs (signed at the cache window start), presigned insert-only PUT uploads, HEAD.

Addressing: virtual-hosted (`https://<bucket>.s3.<region>.amazonaws.com/<key>`) in the bucket's
region, as AWS recommends. With a custom endpoint (AWS_ENDPOINT_URL_S3, e.g. the local server)
virtual host names would not resolve, so URLs are path-style (`<endpoint>/<bucket>/<key>`); bucket
names with dots are path-style too (a dotted host breaks the *.s3 TLS certificate).
"""

import threading
import time
import unicodedata
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from thumbrouter.imagecore import thumbnail_key
from thumbrouter.s3job import CDN_ORIGINALS, ThumbnailSpec, is_not_found

from ..breaker import Breaker, Guard, Unavailable
from ..config import ConfigError, Settings
from ..errors import BackendUnavailable
from ..urlcache import Window
from . import Upload, sigv4

# Bounded network behaviour for every SDK call: short connects, bounded reads, few retries.
# botocore's `max_attempts` counts retries after the first try; `total_max_attempts` counts every try.
CLIENT_CONFIG = Config(signature_version="s3v4", connect_timeout=2, read_timeout=5,
                       retries={"total_max_attempts": 3, "mode": "standard"})
PROBE_CONFIG = Config(signature_version="s3v4", connect_timeout=1, read_timeout=1,
                      retries={"total_max_attempts": 1, "mode": "standard"})
# A request waiting on S3 holds a server thread: HEADs on the request path (/thumb) get one attempt with
# short timeouts (a healthy HEAD takes tens of ms), behind a breaker and a bulkhead (router.breaker).
REQUEST_CONFIG = Config(signature_version="s3v4", connect_timeout=0.5, read_timeout=1.0,
                        retries={"total_max_attempts": 1, "mode": "standard"})
BREAKER_FAILURES, BREAKER_COOLDOWN, RETRY_AFTER = 3, 1.0, 1
SLOT_WAIT = 0.25  # a healthy HEAD takes tens of ms: a burst queues this long for a place before a 503
_RFC5987_SAFE = "!#$&+-.^_`|~"
DEFAULT_SPEC = ThumbnailSpec()  # frozen: one shared default instance is safe


def content_disposition(filename: str) -> str:
    """RFC 6266 `attachment` with an ASCII fallback (quotes, backslashes, controls removed) and `filename*`."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c for c in ascii_name if c.isprintable() and c not in '"\\').strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe=_RFC5987_SAFE)}"


class S3Storage:
    """A source bucket and its thumbnail bucket (the spec's destination) in one region."""

    def __init__(self, bucket: str, *, region: str, endpoint_url: str | None = None,
                 thumbnail_size: str = "50x50", thumbnail_base_url: str | None = None,
                 session=None, max_inflight: int = 8, spec: ThumbnailSpec = DEFAULT_SPEC, cdn=None):
        self.bucket, self.thumbnail_bucket = bucket, spec.destination(bucket)
        self.region, self.endpoint_url = region, endpoint_url
        self.thumbnail_size, self.thumbnail_base_url = thumbnail_size, thumbnail_base_url
        self.cdn = cdn  # a storage.cloudfront.CdnSigner: download and thumbnail URLs go through CloudFront
        self._session = session or boto3.session.Session()
        self._credentials = None
        self._clients: dict[str, object] = {}
        self._lock = threading.Lock()
        self.guard = Guard(Breaker(BREAKER_COOLDOWN, threshold=BREAKER_FAILURES), max_inflight, SLOT_WAIT)

    @classmethod
    def from_settings(cls, settings: Settings, *, session=None) -> "S3Storage":
        """Raises ConfigError without THUMBROUTER_S3_BUCKET (build_backends asks only for configured clouds)."""
        if not settings.s3_bucket:
            raise ConfigError("THUMBROUTER_S3_BUCKET is not set: S3 is not configured")
        return cls(settings.s3_bucket, region=settings.s3_region, endpoint_url=settings.s3_endpoint_url,
                   cdn=_cdn_signer(settings), thumbnail_size=settings.thumbnail_size,
                   thumbnail_base_url=settings.s3_thumbnail_base_url,
                   session=session, max_inflight=settings.s3_max_inflight, spec=settings.thumbnail_spec)

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, region={self.region!r}, endpoint_url={self.endpoint_url!r})"

    # -- clients and credentials -------------------------------------------------------------
    def _client(self, name: str, config: Config):
        with self._lock:
            if name not in self._clients:
                style = "path" if self.endpoint_url else "virtual"
                self._clients[name] = self._session.client(
                    "s3", region_name=self.region, endpoint_url=self.endpoint_url,
                    config=config.merge(Config(s3={"addressing_style": style})))
            return self._clients[name]

    @property
    def client(self):
        """The boto3 S3 client (bounded timeouts and retries) for SDK calls such as PUT and HEAD."""
        return self._client("main", CLIENT_CONFIG)

    def _frozen_credentials(self):
        if self._credentials is None:
            self._credentials = self._session.get_credentials()
        if self._credentials is None:
            raise BackendUnavailable(log_message="no AWS credentials found by boto3's chain")
        return self._credentials.get_frozen_credentials()

    # -- URLs ---------------------------------------------------------------------------------
    def object_url(self, bucket: str, key: str) -> str:
        """The unsigned URL of an object (path-style on custom endpoints or dotted bucket names)."""
        path = quote(key, safe="/~")
        if self.endpoint_url:
            return f"{self.endpoint_url}/{bucket}/{path}"
        domain = "amazonaws.com.cn" if self.region.startswith("cn-") else "amazonaws.com"
        if "." in bucket:
            return f"https://s3.{self.region}.{domain}/{bucket}/{path}"
        return f"https://{bucket}.s3.{self.region}.{domain}/{path}"

    def presign_get(self, bucket: str, key: str, expires: int = 3600, *,
                    filename: str | None = None, signed_at: int | None = None) -> str:
        """SigV4 presigned GET of any (bucket, key), signed at `signed_at` (default: now) for `expires` s.

        Raises BackendUnavailable when no AWS credentials can be found.
        """
        params = {"response-content-disposition": content_disposition(filename)} if filename else {}
        signed_at = int(time.time()) if signed_at is None else signed_at
        # router.storage.sigv4 gives botocore's exact URL, faster (bench/results/hotpaths.md, the SigV4 row;
        # tests/router/botocore_reference.py holds botocore's own signer, which the tests compare it with).
        return sigv4.presign_get(self.object_url(bucket, key), self._frozen_credentials(), self.region,
                                 signed_at=signed_at, expires=expires, params=params)

    def thumbnail_url(self, key: str, window: Window) -> str:
        """The stored thumbnail's URL: signed CloudFront (CDN), unsigned (a public base URL), else a presigned GET."""
        name = thumbnail_key(key, self.thumbnail_size)
        if self.cdn is not None:
            return self.cdn.sign(self.cdn.url(name), window.expires_at)
        if self.thumbnail_base_url:
            return f"{self.thumbnail_base_url}/{quote(name, safe='/~')}"
        return self.presign_get(self.thumbnail_bucket, name, window.lifetime, signed_at=window.signed_at)

    def download_urls(self, key: str, *, thumbnail: bool, filename: str | None,
                      window: Window) -> tuple[str, str | None]:
        """Presigned (or CDN-signed) original, with Content-Disposition when `filename`, and thumbnail (inline) URLs."""
        if self.cdn is not None:
            query = {"response-content-disposition": content_disposition(filename)} if filename else None
            download = self.cdn.sign(self.cdn.url(f"{CDN_ORIGINALS}/{key}", query), window.expires_at)
            return download, self.thumbnail_url(key, window) if thumbnail else None
        download = self.presign_get(self.bucket, key, window.lifetime, filename=filename,
                                    signed_at=window.signed_at)
        return download, self.thumbnail_url(key, window) if thumbnail else None

    # -- uploads and probes -------------------------------------------------------------------
    def upload(self, key: str, *, content_type: str, size: int, expires: int) -> Upload:
        """Presigned PUT with Content-Type, Content-Length and `If-None-Match: *` signed; never an ACL.

        A POST policy cannot make S3 refuse an existing key (conditional writes are PutObject and
        CompleteMultipartUpload only), so uploads are a PUT: S3 answers 412 when the key exists, 403
        when any signed header differs (another type, another length, no If-None-Match) or an unsigned
        x-amz-* header (an ACL) is added. Signed by botocore's presigner: uploads are not a hot path.
        """
        headers = {"Content-Type": content_type, "Content-Length": str(size), "If-None-Match": "*"}
        self._frozen_credentials()  # no credentials: BackendUnavailable, not botocore's AttributeError
        try:
            url = self.client.generate_presigned_url("put_object", ExpiresIn=expires, Params={
                "Bucket": self.bucket, "Key": key, "ContentType": content_type, "ContentLength": size,
                "IfNoneMatch": "*"})
        except (BotoCoreError, ClientError) as exc:
            raise BackendUnavailable(log_message=f"S3 presigned PUT failed: {exc}") from exc
        return Upload("PUT", url, headers=headers)

    def head(self, bucket: str, key: str) -> dict | None:
        """HEAD an object on the request path: its metadata dict, or None when it does not exist.

        One attempt, short timeouts, through the breaker and bulkhead. Raises BackendUnavailable (with
        Retry-After) on any other failure, and at once while S3 is failing or too many HEADs wait.
        Log messages name the bucket, never the key (botocore's own messages hold the URL).
        """
        try:
            with self.guard.slot():
                return self._head(bucket, key)
        except Unavailable as exc:
            raise BackendUnavailable(retry_after=RETRY_AFTER, log_message=f"S3 HEAD {bucket} not sent: {exc}") from None

    def get(self, bucket: str, key: str, max_bytes: int) -> tuple[bytes, dict] | None:
        """GET a small object on the request path (a thumbnail for the CDN): (body, metadata), None when missing.

        Guarded like `head`; raises BackendUnavailable on failure or for an object over `max_bytes`.
        """
        try:
            with self.guard.slot():
                answer = self._client("request", REQUEST_CONFIG).get_object(Bucket=bucket, Key=key)
                with answer["Body"] as stream:
                    body = stream.read(max_bytes + 1) if answer.get("ContentLength", 0) <= max_bytes else b""
            if not body or len(body) > max_bytes:
                raise BackendUnavailable(log_message=f"S3 GET {bucket}: empty or over {max_bytes} bytes")
            return body, answer
        except Unavailable as exc:
            raise BackendUnavailable(retry_after=RETRY_AFTER, log_message=f"S3 GET {bucket} not sent: {exc}") from None
        except ClientError as exc:
            if is_not_found(exc):
                return None
            raise BackendUnavailable(retry_after=RETRY_AFTER, log_message=f"S3 GET {bucket} failed") from exc
        except BotoCoreError as exc:
            raise BackendUnavailable(retry_after=RETRY_AFTER,
                                     log_message=f"S3 GET {bucket} failed: {type(exc).__name__}") from exc

    def _head(self, bucket: str, key: str) -> dict | None:
        try:
            answer = self._client("request", REQUEST_CONFIG).head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            self.guard.breaker.record(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500) < 500)
            if is_not_found(exc):  # the s3job's rule, shared with the Lambda, backfill and generate
                return None
            raise BackendUnavailable(retry_after=RETRY_AFTER, log_message=f"S3 HEAD {bucket} failed: {code}") from exc
        except BotoCoreError as exc:
            self.guard.breaker.record(False)
            raise BackendUnavailable(retry_after=RETRY_AFTER,
                                     log_message=f"S3 HEAD {bucket} failed: {type(exc).__name__}") from exc
        self.guard.breaker.record(True)
        return answer

    def checks(self) -> dict[str, dict]:
        """HEAD both buckets with a 1 s connect / 1 s read timeout and no retry (fits /readyz's 2.5 s deadline)."""
        probe = self._client("probe", PROBE_CONFIG)
        return {name: _probe_bucket(probe, bucket)
                for name, bucket in (("s3", self.bucket), ("s3_resized", self.thumbnail_bucket))}


def _cdn_signer(settings: Settings):
    """The CloudFront signer when the CDN is configured (cryptography is imported only then); raises ConfigError."""
    if not (settings.cdn_domain and settings.cdn_key_id and settings.cdn_private_key):
        return None
    from .cloudfront import CdnSigner

    return CdnSigner.from_pem(settings.cdn_domain, settings.cdn_key_id, settings.cdn_private_key)


def _probe_bucket(client, bucket: str) -> dict:
    try:
        client.head_bucket(Bucket=bucket)
        return {"ok": True, "detail": f"bucket {bucket} reachable"}
    except (BotoCoreError, ClientError) as exc:
        return {"ok": False, "detail": f"bucket {bucket}: {type(exc).__name__}"}
