"""thumbrouter.s3job: the edge between S3 and the pure core, shared by the Lambda, backfill and on-demand.

events   -- S3/SQS event JSON -> ObjectRecord or BadRecord (keys URL-decoded once)
spec     -- ThumbnailSpec: destination bucket, sizes, mode, quality, cache-control (shared with the router)
env      -- Env (typed prefixed variables), ConfigError, is_bucket_name (the one bucket-name rule)
settings -- LambdaSettings.from_env: the spec plus the job's limits (MAX_BYTES, ...)
job      -- process_object / store_thumbnail: capped GET, make_thumbnail, PUT
batch    -- run a list of records, log one JSON line each, answer Lambda or SQS
client   -- the boto3 client with timeouts and retries
"""

from .env import ConfigError, Env, SameBucketError, is_bucket_name
from .job import TransientError, is_not_found, object_exists
from .settings import LambdaSettings
from .spec import ThumbnailSpec
