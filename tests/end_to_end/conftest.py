"""The router's fixtures (make_router on the shared local S3 buckets) for the end-to-end tests."""

from tests.router.conftest import *  # noqa: F401,F403 -- router_buckets, router_env, make_settings, make_router
