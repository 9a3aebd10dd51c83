"""Generation backends: where the image work of a missing thumbnail runs, picked from a dict registry.

`local` runs `thumbrouter.s3job.generate` on this host's bounded pool; `lambda` sends the same
request to the on-demand Lambda (lambda/on_demand.py) synchronously, so image CPU stays off the
router hosts. Both go through the pool, so both are bounded and shed load with Overloaded. The request
carries the spec's mode and destination; quality and cache-control are the spec's (local) or the Lambda's
own (the same values when the router runs on `thumbrouter deploy ENV output --env-format`).
"""

import json
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import asdict

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from thumbrouter.s3job import LambdaSettings, OnDemandRequest, generate, new_s3_client

from ..config import ConfigError, Settings
from ..errors import BackendUnavailable
from .pool import GenerationPool

STATUSES = frozenset({"created", "exists", "missing", "invalid"})
# A 1440x1440 preview of a large photo takes a few seconds in a Lambda; more than this is a failure.
LAMBDA_CONFIG = Config(connect_timeout=2, read_timeout=30, retries={"total_max_attempts": 1, "mode": "standard"})


class LocalBackend:
    """Generate in-process on the pool with the Lambda's own job code and S3 client settings."""

    name = "local"

    def __init__(self, pool: GenerationPool, s3=None, job: LambdaSettings | None = None):
        self.pool, self.job = pool, job or LambdaSettings()
        self.s3 = s3 or new_s3_client(max_pool_connections=pool.size + 2)

    def submit(self, request: OnDemandRequest) -> Future:
        """Queue the generation; raises Overloaded at once when the pool is full."""
        return self.pool.submit(generate, self.s3, request, self.job)


class LambdaBackend:
    """Invoke the on-demand Lambda (RequestResponse) from a pool thread and return its answer."""

    name = "lambda"

    def __init__(self, pool: GenerationPool, function: str, client=None):
        self.pool, self.function = pool, function
        self.client = client or boto3.client("lambda", config=LAMBDA_CONFIG)

    def submit(self, request: OnDemandRequest) -> Future:
        """Queue the invocation; raises Overloaded at once when the pool is full."""
        return self.pool.submit(self.invoke, request)

    def invoke(self, request: OnDemandRequest) -> dict:
        """One synchronous invocation; raises BackendUnavailable (502) when it fails or answers badly."""
        try:
            response = self.client.invoke(FunctionName=self.function, InvocationType="RequestResponse",
                                          Payload=json.dumps(payload(request)).encode())
            body = response["Payload"].read()
        except (BotoCoreError, ClientError) as exc:
            raise BackendUnavailable("thumbnail generation unavailable", log_message=f"lambda invoke: {exc}") from exc
        if response.get("FunctionError"):
            raise BackendUnavailable("thumbnail generation failed", status=502,
                                     log_message=f"lambda {self.function} error: {body[:300]!r}")
        answer = json.loads(body or b"null")
        if not isinstance(answer, dict) or answer.get("status") not in STATUSES:
            raise BackendUnavailable("thumbnail generation failed", status=502,
                                     log_message=f"lambda {self.function} answered {body[:300]!r}")
        return answer


def payload(request: OnDemandRequest) -> dict:
    """The on-demand Lambda's payload; `format` only for a variant, so a Lambda older than it still serves defaults."""
    fields = asdict(request)
    return fields if request.format else {k: v for k, v in fields.items() if k != "format"}


def _local(settings: Settings, pool: GenerationPool) -> LocalBackend:
    return LocalBackend(pool, job=LambdaSettings(spec=settings.thumbnail_spec))


def _lambda(settings: Settings, pool: GenerationPool) -> LambdaBackend:
    if not settings.generation_lambda:  # load_settings refuses this first
        raise ConfigError("THUMBROUTER_GENERATION_BACKEND=lambda needs THUMBROUTER_GENERATION_LAMBDA")
    return LambdaBackend(pool, settings.generation_lambda,
                         boto3.client("lambda", region_name=settings.s3_region, config=LAMBDA_CONFIG))


BACKENDS: Mapping[str, Callable[[Settings, GenerationPool], LocalBackend | LambdaBackend]] = {
    "local": _local, "lambda": _lambda,
}
