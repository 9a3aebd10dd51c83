"""On-demand thumbnails: GET /thumb/<preset>/<key>, generated once across the fleet.

`init_app(app)` builds the service from the app's Settings and Router, registers the blueprint and a
non-critical readiness check of single-flight's shared store: Redis (THUMBROUTER_REDIS_URL, under
gunicorn) or DynamoDB (THUMBROUTER_DYNAMODB_TABLE, on Lambda, imported only then). Without it the
router keeps serving with per-process single-flight, so an outage degrades /readyz but never takes
instances out of rotation. On DynamoDB the negative cache stays per process (a poison image is tried
once per instance and window, not once per fleet): it is a cost bound, not a correctness one.
"""

from flask import Flask

from .. import health, metrics
from ..config import ConfigError
from ..signing import UrlSigner
from ..storage import ThumbnailStore
from . import edge
from .backends import BACKENDS
from .counters import OnDemandMetrics
from .locks import LockStore, RedisLocks
from .negcache import NegativeCache
from .pool import GenerationPool
from .presets import presets_from
from .redisguard import RedisGuard
from .service import DEFAULT_OPTIONS, Answer, OnDemand, Options
from .singleflight import SingleFlight
from .views import EXTENSION, bp

__all__ = ["Answer", "OnDemand", "Options", "bp", "build", "init_app"]


def shared_store(settings, guard: RedisGuard | None) -> LockStore | None:
    """Single-flight's store across processes: DynamoDB when a table is configured, else Redis, else none."""
    if settings.dynamodb_table:
        from .dynamolocks import DynamoLocks

        return DynamoLocks.connect(settings.dynamodb_table, settings.dynamodb_region, settings.dynamodb_endpoint_url,
                                   timeout=settings.dynamodb_timeout_ms / 1000)
    return RedisLocks(guard) if guard else None


def thumbnail_store(router) -> ThumbnailStore:
    """The S3 backend as /thumb uses it (buckets, HEAD, GET, signed GET); ConfigError if it cannot serve that."""
    store = router.storage("s3")
    if not isinstance(store, ThumbnailStore):
        raise ConfigError(f"on-demand thumbnails need an S3 backend with HEAD and GET, not {type(store).__name__}")
    return store


def store_check(store: LockStore):
    """A non-critical readiness check of the DynamoDB store (raises while it is unreachable)."""
    def check() -> str:
        if store.status() != "ok":
            raise ConnectionError("degraded: DynamoDB unreachable, single-flight per process until it returns")
        return "ok"
    return check


def build(settings, router, counters: OnDemandMetrics, options: Options = DEFAULT_OPTIONS) -> OnDemand:
    """Wire the service from Settings: Redis guard, pool, backend, single-flight, negative cache."""
    guard = (RedisGuard.from_url(settings.redis_url, timeout=settings.redis_timeout_ms / 1000)
             if settings.redis_url else None)
    pool = GenerationPool(settings.generation_pool_size, settings.generation_queue_size,
                          retry_after=options.retry_after)
    flight = SingleFlight(shared_store(settings, guard), lock_ttl=options.lock_ttl, wait=options.wait,
                          result_ttl=options.result_ttl, on_wait=counters.lock_waits.inc)
    signer = UrlSigner.from_strings(settings.url_signing_keys) if settings.url_signing_keys else None
    presets = presets_from(settings.presets, settings.preset_formats, settings.preset_densities)
    return OnDemand(
        storage=thumbnail_store(router), cache=router.cache, flight=flight, guard=guard, metrics=counters,
        backend=BACKENDS[settings.generation_backend](settings, pool), presets=presets,
        negative=NegativeCache(guard, ttl=options.negative_ttl), signer=signer, options=options,
        spec=settings.thumbnail_spec)


def init_app(app: Flask, options: Options | None = None) -> OnDemand | None:
    """Attach /thumb when S3 is configured (thumbnails live in `<bucket>resized`); else do nothing.

    Calling it again (tests) rebuilds the service with new options and keeps the registered counters.
    """
    settings, router = app.extensions["thumbrouter.settings"], app.extensions["thumbrouter"]
    if "s3" not in settings.clouds:
        return None
    previous = app.extensions.get(EXTENSION)
    counters = previous.metrics if previous else OnDemandMetrics(metrics.get_metrics(app).registry)
    service = app.extensions[EXTENSION] = build(settings, router, counters, options or Options())
    if settings.dynamodb_table:
        assert service.flight.store is not None, "a configured table always gives a store"
        health.add_check(app, "dynamodb", store_check(service.flight.store), critical=False)
    else:
        health.add_check(app, "redis", service.redis_check, critical=False)
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)
    if settings.cdn_origin_secrets and edge.bp.name not in app.blueprints:
        edge.init_app(app, settings.cdn_origin_secrets)  # the CDN's failover origin
    return service
