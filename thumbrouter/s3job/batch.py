"""Run a batch of parsed records through the job and answer the way Lambda (or SQS) expects.

Every record is attempted even when an earlier one fails; each gets one JSON log line. Records
that must be retried (transient S3 failures, misconfiguration, bugs) are reported together at
the end: as `batchItemFailures` for SQS, as one raised BatchRetryError for a direct S3 invocation.
A BadRecord (malformed event JSON) never fails the batch: it is logged and dropped when it came
directly from S3, and reported as its own SQS message's failure (so SQS sends that message, and
only that one, to the dead-letter queue after its retries), like Powertools' batch processor.
"""

import json
import logging
from dataclasses import dataclass, field

from .errors import TransientError
from .events import BadRecord, ObjectRecord, Parsed
from .job import Outcome, process_object
from .removal import remove_thumbnails
from .settings import LambdaSettings

log = logging.getLogger("thumbrouter.s3job")


class BatchRetryError(Exception):
    """Some records failed in a way a retry can fix; raised so Lambda re-delivers the event."""


@dataclass
class BatchResult:
    """Outcomes of the records that finished, and the records that must be retried (with why)."""

    outcomes: list[Outcome] = field(default_factory=list)
    failures: list[tuple[ObjectRecord, Exception]] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many records ended in each status, plus `retry` for the failures."""
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return counts | {"retry": len(self.failures)} | ({"malformed": len(self.bad)} if self.bad else {})

    def response(self, *, sqs: bool) -> dict:
        """The handler's answer: batchItemFailures for SQS, else counts. Raises BatchRetryError on failures."""
        failed_ids = [record.message_id for record, _ in self.failures]
        if sqs and None not in failed_ids:
            # A bad record without a usable messageId cannot be named; it was logged and is dropped.
            ids = dict.fromkeys(failed_ids + [bad.message_id for bad in self.bad if bad.message_id])
            return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in ids]}
        if self.failures:
            record, first = self.failures[0]
            raise BatchRetryError(f"{len(self.failures)} record(s) must be retried; first "
                                  f"s3://{record.bucket}/{record.key}: {first}") from first
        return self.counts()


def process_batch(s3, records: list[Parsed], settings: LambdaSettings) -> BatchResult:
    """Process every record in order; never let one record's failure (or malformed JSON) stop the others."""
    result = BatchResult()
    for record in records:
        if isinstance(record, BadRecord):
            result.bad.append(record)
            log.error(json.dumps({"outcome": "malformed", "reason": record.reason, "message_id": record.message_id}))
            continue
        try:
            outcome = (remove_thumbnails if record.removed else process_object)(s3, record, settings)
        except Exception as exc:  # noqa: BLE001 -- whatever it is, the other records still run
            result.failures.append((record, exc))
            _log_failure(record, exc)
            continue
        result.outcomes.append(outcome)
        level = logging.WARNING if outcome.status == "failed_permanent" else logging.INFO
        log.log(level, outcome.log_line())
    return result


def _log_failure(record: ObjectRecord, exc: Exception) -> None:
    line = json.dumps({"bucket": record.bucket, "key": record.key, "outcome": "retry",
                       "reason": f"{type(exc).__name__}: {exc}"}, ensure_ascii=False)
    # A TransientError is expected weather; anything else is a bug or misconfiguration worth a traceback.
    log.error(line, exc_info=not isinstance(exc, TransientError))
