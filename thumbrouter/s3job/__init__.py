"""thumbrouter.s3job: the edge between S3 and the pure core, shared by the Lambda, backfill and on-demand.

events   -- S3/SQS event JSON -> ObjectRecord or BadRecord (keys URL-decoded once)
spec     -- ThumbnailSpec: destination bucket, sizes, mode, quality, cache-control, presets (shared with the router)
presets  -- the PRESETS grammar (`name=WxH[:webp+avif+2x]`), parsed for the spec: ThumbnailSpec.preset_table
env      -- Env (typed prefixed variables), ConfigError, is_bucket_name (the one bucket-name rule),
            renamed_variables (old variable names still read, with one deprecation line)
settings -- LambdaSettings.from_env: the spec plus the job's limits (THUMBNAILER_MAX_BYTES, ...)
job      -- process_object / store_thumbnail: capped GET, make_thumbnail, PUT; object_exists / object_head
removal  -- remove_thumbnails: a deleted original's thumbnails, every size and variant
invalidation -- Invalidator: the CDN paths of what removal deleted (CDN_DISTRIBUTION_ID), cdn_path
errors   -- the one table of S3 errors: permanent (an Outcome) or TransientError (retry)
ondemand -- parse_request / generate: ONE thumbnail now (lambda/on_demand.py and the router's /thumb)
batch    -- run a list of records, log one JSON line each, answer Lambda or SQS
client   -- the boto3 client with timeouts and retries

This list is the package's public API: the Lambda, the router and the CLI import these names from
`thumbrouter.s3job`, never its modules. It loads botocore but not Pillow (the image core loads it on
the first thumbnail; the Lambda handlers preload it at init).
"""

from .batch import BatchResult, BatchRetryError, process_batch
from .client import default_s3_client, new_s3_client
from .env import ConfigError, Env, SameBucketError, is_bucket_name, renamed_variables
from .errors import PermanentError, SourceMissingError, TransientError, is_not_found
from .events import BadRecord, ObjectRecord, is_sqs_event, parse_event
from .invalidation import CDN_ORIGINALS, Invalidator, cdn_path, invalidation_paths
from .job import (
    Outcome,
    StoredThumbnail,
    is_stale,
    object_exists,
    object_head,
    process_object,
    skip_reason,
    spec_digest,
    store_thumbnail,
)
from .ondemand import OnDemandRequest, PayloadError, generate, parse_request
from .removal import remove_thumbnails
from .settings import LambdaSettings
from .spec import JOB_PREFIX, ThumbnailSpec

__all__ = [
    "CDN_ORIGINALS", "JOB_PREFIX", "BadRecord", "BatchResult", "BatchRetryError", "ConfigError", "Env", "Invalidator",
    "LambdaSettings", "ObjectRecord",
    "OnDemandRequest", "Outcome", "PayloadError", "PermanentError", "SameBucketError", "SourceMissingError",
    "StoredThumbnail", "ThumbnailSpec", "TransientError", "cdn_path", "default_s3_client", "generate",
    "invalidation_paths", "is_bucket_name",
    "is_not_found", "is_sqs_event", "is_stale", "new_s3_client", "object_exists", "object_head", "parse_event",
    "parse_request", "process_batch", "process_object", "remove_thumbnails", "renamed_variables", "skip_reason",
    "spec_digest", "store_thumbnail",
]
