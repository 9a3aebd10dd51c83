"""CloudFront invalidations for deleted originals: the CDN paths of every thumbnail removed, and the original.

The cdn module serves thumbnails at `/<thumbnail key>` (the viewer-request function asks for a variant's
own key, so every size and format is its own path) and originals at `/originals/<key>`. Exact paths,
not wildcards: a `/<stem>_*` wildcard would also drop other originals' thumbnails (`a_b.jpg`'s share
`a_`), and CloudFront allows 15 wildcard invalidations in progress but 3,000 paths. One request holds at
most MAX_PATHS. The CallerReference is the invocation's request id (Lambda keeps it across its retries)
plus the paths, so a retried invocation finds its own invalidation instead of paying for another.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .errors import TransientError
from .job import Outcome

CDN_ORIGINALS = "originals"  # the cdn module's behaviour for the source bucket (its function drops it)
MAX_PATHS = 1000  # a third of CloudFront's 3,000 paths in progress: room for other deletes in flight
CONFIG = Config(connect_timeout=3, read_timeout=10, retries={"mode": "standard", "total_max_attempts": 3})


def cdn_path(key: str) -> str:
    """The path of an object key under the distribution (percent-encoded as signed URLs are)."""
    return "/" + quote(key, safe="/~")


def invalidation_paths(outcomes: Iterable[Outcome]) -> list[str]:
    """The CDN paths a batch's deletions leave stale: each removed thumbnail and each deleted original."""
    paths: dict[str, None] = {}
    for outcome in outcomes:
        if outcome.status == "deleted":
            paths.update(dict.fromkeys(cdn_path(key) for key in outcome.thumbnail_keys))
            paths[cdn_path(f"{CDN_ORIGINALS}/{outcome.key}")] = None
    return list(paths)


@dataclass(frozen=True)
class Invalidator:
    """Invalidates paths of one distribution (the Lambda's CDN_DISTRIBUTION_ID)."""

    cloudfront: object
    distribution_id: str

    @classmethod
    def for_distribution(cls, distribution_id: str) -> "Invalidator":
        import boto3

        return cls(boto3.session.Session().client("cloudfront", config=CONFIG), distribution_id)

    def invalidate(self, outcomes: Iterable[Outcome], request_id: str) -> list[str]:
        """Invalidate the batch's stale paths, MAX_PATHS per request; the invalidation ids.

        Raises TransientError (too many in progress, throttled, denied, unreachable): the deletes are
        idempotent, so the whole batch is retried.
        """
        paths, ids = invalidation_paths(outcomes), []
        for start in range(0, len(paths), MAX_PATHS):
            chunk = paths[start:start + MAX_PATHS]
            reference = hashlib.sha256("\n".join([request_id, *chunk]).encode()).hexdigest()[:64]
            try:
                answer = self.cloudfront.create_invalidation(  # type: ignore[attr-defined]
                    DistributionId=self.distribution_id,
                    InvalidationBatch={"Paths": {"Quantity": len(chunk), "Items": chunk}, "CallerReference": reference})
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                raise TransientError(f"CloudFront invalidation of {len(chunk)} paths: {code}") from exc
            except BotoCoreError as exc:
                raise TransientError(f"CloudFront invalidation of {len(chunk)} paths: {type(exc).__name__}") from exc
            ids.append(answer["Invalidation"]["Id"])
        return ids
