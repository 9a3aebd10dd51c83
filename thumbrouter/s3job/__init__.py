"""thumbrouter.s3job: the edge between S3 and the pure core, shared by the Lambda, backfill and on-demand.

events   -- S3/SQS event JSON -> ObjectRecord or BadRecord (keys URL-decoded once)
settings -- LambdaSettings.from_env (THN_BUCKET, THUMBNAIL_SIZES, ...)
job      -- process_object / store_thumbnail: capped GET, make_thumbnail, PUT
batch    -- run a list of records, log one JSON line each, answer Lambda or SQS
client   -- the boto3 client with timeouts and retries
"""

from .job import TransientError, is_not_found, object_exists
