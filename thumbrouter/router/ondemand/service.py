"""The on-demand thumbnail service: existing -> redirect; missing -> generate once, then redirect.

Order per request: preset (404, no work), access (signature 403 / token 401), key (400: invalid, or
no thumbnail key fits it), negative cache (422), then single-flight: a result another router just
published, else one HEAD in the thumbnail bucket per process (302; concurrent requests share it), else
generation on the bounded backend, made as the ThumbnailSpec says (the Lambda's mode, quality, bucket).
A preset with formats picks one by Accept (negotiation.py); each variant is its own object, lock and
negative-cache entry (naming.variant_key), so the steps above run per variant.
"""

import logging
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from functools import lru_cache

from thumbrouter.imagecore import format_for_key, no_thumbnail_reason, output_format_for_key
from thumbrouter.s3job import OnDemandRequest, ThumbnailSpec, TransientError

from ..errors import BackendUnavailable, BadRequest, NotFound, Overloaded
from ..signing import UrlSigner
from ..storage import ThumbnailStore
from ..urlcache import UrlCache
from .negcache import LocalTtl, NegativeCache
from .negotiation import MAX_ACCEPT, negotiate
from .presets import Preset
from .redisguard import RedisGuard
from .singleflight import SingleFlight, WaitTimeout

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    """Timings of the on-demand path (seconds); the defaults suit production."""

    wait: float = 10.0  # how long a request waits for another's generation before 503 + Retry-After
    lock_ttl: float = 8.0  # a dead holder's lock frees itself this long after its last renewal
    result_ttl: float = 15.0  # how long the published outcome answers late waiters without S3
    negative_ttl: float = 60.0  # a poison image is tried at most once per this window
    generation_timeout: float = 30.0
    redirect_lifetime: int = 3600  # presigned URL lifetime of the 302 target
    # A thumbnail seen in S3 is not HEADed again for this long: hot thumbnails cost no S3 call per hit.
    # Thumbnails are only ever (re)written, never expected to vanish; a deleted one 302s to a 404 this long.
    exists_ttl: float = 60.0
    exists_max: int = 10_000
    # Per process, the names and checks of this many recent (preset, key, variant) requests are kept: they
    # depend on the request alone, and recomputing them was most of a hot hit's own time.
    names_max: int = 4096
    retry_after: int = 1


# Frozen, so one shared default instance each is safe.
DEFAULT_OPTIONS, DEFAULT_SPEC = Options(), ThumbnailSpec()


@dataclass(frozen=True)
class Answer:
    """What /thumb answers: 302 to `location`, or 404/422 with the placeholder image."""

    status: int
    location: str | None = None
    reason: str = ""
    key: str | None = None  # the thumbnail's key in the resized bucket, with a location


class OnDemand:
    """Serve a preset thumbnail of one key, generating it at most once across the fleet."""

    def __init__(self, *, storage: ThumbnailStore, cache: UrlCache, backend, flight: SingleFlight,
                 negative: NegativeCache, presets: dict[str, Preset], signer: UrlSigner | None,
                 guard: RedisGuard | None, metrics, options: Options = DEFAULT_OPTIONS,
                 spec: ThumbnailSpec = DEFAULT_SPEC):
        self.storage, self.cache, self.backend, self.flight = storage, cache, backend, flight
        self.spec = spec  # the mode the Lambda uses: /thumb writes the same picture under the same key
        self.negative, self.presets, self.signer, self.guard = negative, presets, signer, guard
        self.metrics, self.options = metrics, options
        self.known = LocalTtl(options.exists_ttl, options.exists_max)
        # Bounded memos of pure functions of the request; a raising call (a refused key) is not remembered.
        self._variant = lru_cache(maxsize=options.names_max)(self._choose_variant)
        self._names = lru_cache(maxsize=options.names_max)(self._checked_names)

    def preset(self, name: str) -> Preset:
        """The named preset; raises NotFound for anything else (free sizes included)."""
        preset = self.presets.get(name)
        if preset is None:
            raise NotFound("unknown thumbnail preset")
        return preset

    def thumbnail(self, preset: Preset, key: str, accept: str | None = None) -> Answer:
        """Redirect to the thumbnail (the variant `accept` picks among the preset's formats), generating it if needed.

        Raises NotFound (not an original image), BadRequest (the key can have no thumbnail: S3 would
        refuse its thumbnail key on every try), Overloaded (pool full, or still generating at the
        deadline) and BackendUnavailable.
        """
        return self.ensure(preset, key, self.variant(preset, key, accept))

    def variant(self, preset: Preset, key: str, accept: str | None) -> str | None:
        """The format `accept` picks among the preset's, None for the key's own; raises as `_check` does."""
        if not preset.formats or not accept:
            return None  # nothing to negotiate: the key's own format
        if len(accept) <= MAX_ACCEPT:  # memoised: at most names_max entries of a 1024-byte key and this
            return self._variant(preset, key, accept)
        return self._choose_variant(preset, key, accept)

    def _check(self, preset: Preset, key: str) -> None:
        if format_for_key(key) is None:
            raise NotFound("no thumbnail for this kind of file")
        if reason := no_thumbnail_reason(key, preset.size):
            raise BadRequest(f"key can have no {preset.name} thumbnail: {reason}")

    def _request(self, preset: Preset, key: str, variant: str | None) -> OnDemandRequest:
        return OnDemandRequest(self.storage.bucket, key, preset.size, self.spec.mode, self.storage.thumbnail_bucket,
                               variant)

    def _checked_names(self, preset: Preset, key: str, variant: str | None) -> tuple[str, str]:
        """(lock and negative-cache name, thumbnail key) of a request, after its checks (raises as `_check`)."""
        self._check(preset, key)
        request = self._request(preset, key, variant)
        # the lock and negative-cache name: a variant's differs from its default's (a size has no dot)
        return f"{preset.size}{'.' + request.format if request.format else ''}/{key}", request.thumbnail_key

    def ensure(self, preset: Preset, key: str, variant: str | None) -> Answer:
        """`thumbnail` for a chosen variant (None: the key's own format), e.g. the one the CDN asks for.

        Raises as `thumbnail` does.
        """
        name, thumb_key = self._names(preset, key, variant)
        hit = self._known_redirect(thumb_key)
        if hit is not None:
            return hit
        if reason := self.negative.get(name):
            return Answer(422, reason=reason)
        request = self._request(preset, key, variant)
        try:  # one HEAD per process and burst: waiters take the leader's answer, not an S3 place each
            outcome = self.flight.run(name, lambda: self._generate(name, request), lambda: self._existing(thumb_key))
        except WaitTimeout:
            self.metrics.rejections.labels("wait_deadline").inc()
            raise Overloaded("thumbnail is being generated, retry shortly", retry_after=self.options.retry_after,
                             log_message=f"waited {self.options.wait}s for a {preset.size} thumbnail") from None
        return self._answer(outcome)

    def known_answer(self, preset: Preset, key: str, variant: str | None) -> Answer | None:
        """The redirect to a thumbnail this process saw within exists_ttl (no Redis, no S3), else None.

        Raises as `thumbnail` does for a key that can have no thumbnail, and BackendUnavailable (signing).
        """
        return self._known_redirect(self._names(preset, key, variant)[1])

    def _known_redirect(self, thumb_key: str) -> Answer | None:
        if self.known.get(thumb_key):
            return Answer(302, self.redirect_url(thumb_key), key=thumb_key)
        return None

    def _choose_variant(self, preset: Preset, key: str, accept: str | None) -> str | None:
        """The format `accept` picks among the preset's (those whose key S3 takes), None for the key's own.

        Raises as `_check` does, first: a variant needs a key that can have thumbnails at all."""
        self._check(preset, key)
        fitting = tuple(f for f in preset.formats if no_thumbnail_reason(key, preset.size, f) is None)
        chosen = negotiate(accept, fitting)
        return None if chosen == output_format_for_key(key) else chosen

    def _answer(self, outcome: dict) -> Answer:
        status = outcome["status"]
        if status in ("created", "exists"):
            self.known.put(outcome["thumbnail_key"], "1")
            return Answer(302, self.redirect_url(outcome["thumbnail_key"]), key=outcome["thumbnail_key"])
        return Answer(404 if status == "missing" else 422, reason=outcome.get("reason", ""))

    def _existing(self, thumb_key: str) -> dict | None:
        """HEAD the thumbnail: an "exists" outcome, or None (raises BackendUnavailable); a hit is remembered."""
        if self.storage.head(self.storage.thumbnail_bucket, thumb_key) is None:
            return None
        self.known.put(thumb_key, "1")
        return {"status": "exists", "thumbnail_key": thumb_key}

    def _generate(self, name: str, request: OnDemandRequest) -> dict:
        """Run one generation on the backend (only the single-flight leader gets here)."""
        try:
            future = self.backend.submit(request)
        except Overloaded:
            self.metrics.rejections.labels("pool_full").inc()
            raise
        try:
            outcome = future.result(self.options.generation_timeout)
        except (TransientError, FutureTimeout) as exc:
            raise BackendUnavailable("thumbnail generation unavailable, retry later",
                                     log_message=f"generate {request.size}: {type(exc).__name__}") from exc
        self.metrics.generations.labels(self.backend.name, outcome["status"]).inc()
        if outcome["status"] in ("created", "exists"):  # before the waiters wake: a newcomer then needs no HEAD
            self.known.put(outcome["thumbnail_key"], "1")
        if outcome["status"] == "invalid":
            log.info("on-demand: a %s thumbnail cannot be made: %s", request.size, outcome.get("reason"))
            self.negative.put(name, outcome.get("reason") or "invalid image")
        return outcome

    def redirect_url(self, thumb_key: str) -> str:
        """Presigned GET of a thumbnail, signed at the window start: the same URL on every router."""
        bucket, lifetime = self.storage.thumbnail_bucket, self.options.redirect_lifetime
        return self.cache.get_or_sign(("ondemand", bucket, thumb_key), lifetime, lambda window: (
            self.storage.presign_get(bucket, thumb_key, window.lifetime, signed_at=window.signed_at)))

    def redis_check(self) -> str:
        """Readiness detail; raises (a non-critical failure: "degraded") while Redis is unreachable."""
        if self.guard is None:
            return "not configured: single-flight per process"
        if self.guard.status() != "ok":
            raise ConnectionError("degraded: Redis unreachable, single-flight per process until it returns")
        return "ok"
